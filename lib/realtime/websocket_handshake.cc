#include "realtime/websocket_handshake.h"

#include <algorithm>
#include <cctype>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace th::realtime {
namespace {

constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

bool header_lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (equals_ignoring_case(trimmed(value.substr(0, comma)), token)) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    value.remove_prefix(comma + 1);
  }
  return false;
}

Status check_upgrade_request(const UpgradeRequest& request) {
  if (request.method != "GET") {
    return Error(ErrorCode::kInvalidArgument, "a websocket upgrade must be a GET request");
  }
  if (!header_lists_token(request.upgrade, "websocket") ||
      !header_lists_token(request.connection, "upgrade")) {
    return Error(ErrorCode::kInvalidArgument,
                 "upgrade_required: this endpoint speaks only websocket");
  }
  if (request.version != "13") {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported_version: only websocket version 13 is supported");
  }
  // The key is 16 random bytes in base64: 24 characters.
  const auto decoded = crypto::base64_decode(request.key);
  if (!decoded.ok() || decoded->size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "Sec-WebSocket-Key is not 16 bytes in base64");
  }
  return ok_status();
}

std::string websocket_accept_key(std::string_view client_key) {
  return crypto::base64_encode(crypto::sha1(std::string(client_key) + std::string(kHandshakeGuid)));
}

}  // namespace th::realtime
