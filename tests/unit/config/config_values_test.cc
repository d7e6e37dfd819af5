#include "config/config_values.h"

#include <gtest/gtest.h>

namespace th {
namespace {

TEST(ConfigValuesTest, ParsesIpv4ListenAddress) {
  const auto address = parse_listen_address("127.0.0.1:8443");

  ASSERT_TRUE(address.ok()) << address.error().message();
  EXPECT_EQ(*address, (ListenAddress{.host = "127.0.0.1", .port = 8443, .is_ipv6 = false}));
}

TEST(ConfigValuesTest, ParsesBracketedIpv6ListenAddress) {
  const auto address = parse_listen_address("[::1]:443");

  ASSERT_TRUE(address.ok()) << address.error().message();
  EXPECT_EQ(*address, (ListenAddress{.host = "::1", .port = 443, .is_ipv6 = true}));
}

TEST(ConfigValuesTest, RejectsHostNamesAndBadPorts) {
  EXPECT_FALSE(parse_listen_address("localhost:8443").ok());
  EXPECT_FALSE(parse_listen_address("[localhost]:8443").ok());
  EXPECT_FALSE(parse_listen_address("127.0.0.1:").ok());
  EXPECT_FALSE(parse_listen_address("127.0.0.1:+80").ok());
  EXPECT_FALSE(parse_listen_address("127.0.0.1:100000").ok());

  const auto zero = parse_listen_address("127.0.0.1:0");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message(), "listen address '127.0.0.1:0' has port 0, outside 1..65535");
}

TEST(ConfigValuesTest, ParsesOctalFileMode) {
  EXPECT_EQ(*parse_file_mode("0660"), 0660u);
  EXPECT_EQ(*parse_file_mode("640"), 0640u);

  EXPECT_FALSE(parse_file_mode("4755").ok());
  EXPECT_FALSE(parse_file_mode("0680").ok());
  EXPECT_FALSE(parse_file_mode("00660").ok());
  EXPECT_FALSE(parse_file_mode("").ok());
}

TEST(ConfigValuesTest, CipherListMustSelectATls12Cipher) {
  EXPECT_TRUE(check_tls12_cipher_list(TlsConfig{}.cipher_list).ok());

  EXPECT_FALSE(check_tls12_cipher_list("TLS_AES_256_GCM_SHA384").ok());
  EXPECT_FALSE(check_tls12_cipher_list("NOT-A-CIPHER").ok());
  EXPECT_FALSE(check_tls12_cipher_list("").ok());
}

TEST(ConfigValuesTest, PublicBaseUrlDefaultsToListenAddress) {
  ServerConfig server;
  EXPECT_EQ(effective_public_base_url(server), "https://127.0.0.1:8443");

  server.public_base_url = "https://clinic.example.org/";
  EXPECT_EQ(effective_public_base_url(server), "https://clinic.example.org");
}

TEST(ConfigValuesTest, NodeNameDefaultsToHostName) {
  EXPECT_EQ(effective_node_name(NodeConfig{.name = "clinic-a"}), "clinic-a");
  EXPECT_FALSE(effective_node_name(NodeConfig{}).empty());
}

TEST(ConfigValuesTest, IceUrlsAreCommaSeparatedOfTheirKind) {
  auto stun = parse_ice_urls("stun:a.example.org:3478,stuns:b.example.org", false);
  auto turn = parse_ice_urls("turn:a.example.org:3478?transport=udp", true);

  ASSERT_TRUE(stun.ok());
  EXPECT_EQ(*stun, (std::vector<std::string>{"stun:a.example.org:3478", "stuns:b.example.org"}));
  ASSERT_TRUE(turn.ok());
  EXPECT_EQ(turn->size(), 1U);
  EXPECT_TRUE(parse_ice_urls("", true)->empty());
  EXPECT_FALSE(parse_ice_urls("stun:a.example.org", true).ok());
  EXPECT_FALSE(parse_ice_urls("turn:a b", true).ok());
  EXPECT_FALSE(parse_ice_urls("turn:", true).ok());
  EXPECT_FALSE(parse_ice_urls("turn:a,,turn:b", true).ok());
}

}  // namespace
}  // namespace th
