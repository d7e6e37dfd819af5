#include "realtime/websocket_handshake.h"

#include <gtest/gtest.h>

namespace th::realtime {
namespace {

UpgradeRequest valid_upgrade() {
  UpgradeRequest request;
  request.method = "GET";
  request.upgrade = "websocket";
  request.connection = "keep-alive, Upgrade";
  request.version = "13";
  request.key = "dGhlIHNhbXBsZSBub25jZQ==";
  return request;
}

TEST(WebSocketHandshakeTest, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshakeTest, AcceptsAWellFormedUpgrade) {
  EXPECT_TRUE(check_upgrade_request(valid_upgrade()).ok());
}

TEST(WebSocketHandshakeTest, RefusesAPlainRequest) {
  UpgradeRequest request = valid_upgrade();
  request.upgrade = "";

  const Status checked = check_upgrade_request(request);

  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(checked.error().message().starts_with("upgrade_required"));
}

TEST(WebSocketHandshakeTest, NamesAnUnsupportedVersion) {
  UpgradeRequest request = valid_upgrade();
  request.version = "8";

  const Status checked = check_upgrade_request(request);

  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(checked.error().message().starts_with("unsupported_version"));
}

TEST(WebSocketHandshakeTest, RefusesAKeyThatIsNotSixteenBytes) {
  UpgradeRequest request = valid_upgrade();
  request.key = "c2hvcnQ=";

  EXPECT_FALSE(check_upgrade_request(request).ok());
}

TEST(WebSocketHandshakeTest, FindsTokensInListsWithoutRegardToCase) {
  EXPECT_TRUE(header_lists_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(header_lists_token("WebSocket", "websocket"));
  EXPECT_FALSE(header_lists_token("upgrade-insecure", "upgrade"));
  EXPECT_FALSE(header_lists_token("", "upgrade"));
}

}  // namespace
}  // namespace th::realtime
