// The syntax of individual configuration values that are more than a plain
// string or number, and the values derived from settings left empty.
//
// The key table uses these to validate a file; the daemon uses them to turn a
// validated Config into what it needs (an address and port, mode bits), so
// both agree on one grammar.
//
// All functions are pure apart from effective_node_name(), which asks the
// system for the host name; all are safe to call from any thread. Failures
// are kInvalidArgument with a message that quotes the value and says what is
// wrong with it; none of these values is secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace th {

// The parsed form of server.listen: a numeric host and a port.
struct ListenAddress {
  std::string host;  // "127.0.0.1" or "::1" (without brackets)
  std::uint16_t port = 0;
  bool is_ipv6 = false;

  bool operator==(const ListenAddress&) const = default;
};

inline constexpr int kMinListenPort = 1;
inline constexpr int kMaxListenPort = 65535;

// Parses "IPV4:PORT" or "[IPV6]:PORT" with a numeric address (host names are
// not accepted, so the daemon never depends on name resolution to start) and
// a port between kMinListenPort and kMaxListenPort.
[[nodiscard]] Result<ListenAddress> parse_listen_address(std::string_view text);

// Parses permission bits written in octal, "0660" or "660". Only the
// read/write/execute bits of owner, group and others are accepted (no setuid,
// setgid or sticky bit).
[[nodiscard]] Result<unsigned> parse_file_mode(std::string_view text);

// Succeeds when OpenSSL accepts `cipher_list` as a TLS 1.2 cipher list and it
// selects at least one cipher. TLS 1.3 suite names are not part of this list.
[[nodiscard]] Status check_tls12_cipher_list(const std::string& cipher_list);

// Parses reminder offsets, "1440,60": distinct whole minutes from 1 to
// kMaxReminderOffsetMinutes, comma-separated, at most kMaxReminderOffsets;
// the empty string is no offsets.
inline constexpr int kMaxReminderOffsetMinutes = 43200;  // 30 days
inline constexpr std::size_t kMaxReminderOffsets = 8;
[[nodiscard]] Result<std::vector<int>> parse_minute_offsets(std::string_view text);

// Parses a comma-separated list of ICE server URLs (at most kMaxIceUrls,
// each a single token of at most 255 bytes) whose schemes are "stun:" and
// "stuns:", or with `turn` "turn:" and "turns:"; the empty string is none.
inline constexpr std::size_t kMaxIceUrls = 8;
[[nodiscard]] Result<std::vector<std::string>> parse_ice_urls(std::string_view text, bool turn);

// The base URL for links: server.public_base_url when set (without a trailing
// slash), otherwise "https://" + server.listen.
[[nodiscard]] std::string effective_public_base_url(const ServerConfig& server);

// node.name when set, otherwise the host name ("localhost" if the system
// cannot tell).
[[nodiscard]] std::string effective_node_name(const NodeConfig& node);

}  // namespace th
