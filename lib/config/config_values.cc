#include "config/config_values.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>

namespace th {
namespace {

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view whole) {
  // At most five digits, so the conversion below cannot overflow.
  if (!all_digits(text) || text.size() > 5) {
    return invalid("listen address '" + std::string(whole) + "' has no numeric port");
  }
  int port = 0;
  for (const char c : text) {
    port = port * 10 + (c - '0');
  }
  if (port < kMinListenPort || port > kMaxListenPort) {
    return invalid("listen address '" + std::string(whole) + "' has port " + std::to_string(port) +
                   ", outside " + std::to_string(kMinListenPort) + ".." +
                   std::to_string(kMaxListenPort));
  }
  return static_cast<std::uint16_t>(port);
}

bool is_numeric_address(int family, const std::string& host) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return inet_pton(family, host.c_str(), buffer.data()) == 1;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;

  // "[v6]:port" keeps the colons of the address inside the brackets;
  // otherwise the address is IPv4 and the last colon starts the port.
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return invalid("listen address '" + std::string(text) + "' must be [ADDR]:PORT");
    }
    address.host = std::string(text.substr(1, close - 1));
    address.is_ipv6 = true;
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return invalid("listen address '" + std::string(text) + "' must be ADDR:PORT");
    }
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }

  if (!is_numeric_address(address.is_ipv6 ? AF_INET6 : AF_INET, address.host)) {
    return invalid("listen address '" + std::string(text) + "' has no numeric " +
                   (address.is_ipv6 ? "IPv6" : "IPv4") + " address");
  }
  auto port = parse_port(port_text, text);
  if (!port.ok()) {
    return port.error();
  }
  address.port = *port;
  return address;
}

Result<unsigned> parse_file_mode(std::string_view text) {
  // Four digits are allowed only with a leading zero: the fourth digit would
  // be the setuid/setgid/sticky bits, which a socket or file never needs.
  const bool octal =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
  const bool shape = text.size() == 3 || (text.size() == 4 && text.front() == '0');
  if (!octal || !shape) {
    return invalid("file mode '" + std::string(text) + "' must be three octal digits, like 0660");
  }
  unsigned mode = 0;
  for (const char c : text) {
    mode = mode * 8 + static_cast<unsigned>(c - '0');
  }
  return mode;
}

Status check_tls12_cipher_list(const std::string& cipher_list) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_method()),
                                                                  &SSL_CTX_free);
  if (context == nullptr) {
    ERR_clear_error();
    return Error(ErrorCode::kInternal, "check cipher list: cannot create an OpenSSL context");
  }
  // A failed call leaves entries on this thread's OpenSSL error queue; clear
  // them so they are not mistaken for the cause of a later failure.
  const bool accepted =
      !cipher_list.empty() && SSL_CTX_set_cipher_list(context.get(), cipher_list.c_str()) == 1;
  ERR_clear_error();
  if (!accepted) {
    return invalid("cipher list '" + cipher_list + "' selects no TLS 1.2 cipher");
  }
  return ok_status();
}

std::string effective_public_base_url(const ServerConfig& server) {
  if (server.public_base_url.empty()) {
    return "https://" + server.listen;
  }
  std::string url = server.public_base_url;
  while (url.ends_with('/')) {
    url.pop_back();
  }
  return url;
}

std::string effective_node_name(const NodeConfig& node) {
  if (!node.name.empty()) {
    return node.name;
  }
  // POSIX does not promise termination when the name is truncated.
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') {
    return "localhost";
  }
  return std::string(buffer.data());
}

Result<std::vector<std::string>> parse_ice_urls(std::string_view text, bool turn) {
  const std::string schemes = turn ? "turn: or turns:" : "stun: or stuns:";
  const Error refused(ErrorCode::kInvalidArgument,
                      "ice server urls must be comma-separated " + schemes + " urls");
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const bool scheme = turn ? item.starts_with("turn:") || item.starts_with("turns:")
                             : item.starts_with("stun:") || item.starts_with("stuns:");
    const bool plain = std::all_of(item.begin(), item.end(), [](char c) {
      return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '"' && c != '\\';
    });
    if (!scheme || !plain || item.size() > 255 || item.find(':') + 1 == item.size()) {
      return refused;
    }
    urls.emplace_back(item);
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  if (urls.size() > kMaxIceUrls) {
    return Error(ErrorCode::kInvalidArgument,
                 "at most " + std::to_string(kMaxIceUrls) + " ice server urls may be given");
  }
  return urls;
}

Result<std::vector<int>> parse_minute_offsets(std::string_view text) {
  const Error refused(ErrorCode::kInvalidArgument,
                      "reminder offsets must be distinct minutes from 1 to " +
                          std::to_string(kMaxReminderOffsetMinutes) +
                          ", comma-separated, like \"1440,60\"");
  std::vector<int> offsets;
  if (text.empty()) {
    return offsets;
  }
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    int minutes = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), minutes);
    if (item.empty() || error != std::errc() || end != item.data() + item.size() || minutes < 1 ||
        minutes > kMaxReminderOffsetMinutes ||
        std::find(offsets.begin(), offsets.end(), minutes) != offsets.end()) {
      return refused;
    }
    offsets.push_back(minutes);
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  if (offsets.size() > kMaxReminderOffsets) {
    return Error(ErrorCode::kInvalidArgument, "at most " + std::to_string(kMaxReminderOffsets) +
                                                  " reminder offsets may be given");
  }
  return offsets;
}

}  // namespace th
