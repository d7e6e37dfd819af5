#include "realtime/websocket_frame.h"

#include <cstring>

#include "audit/utf8.h"

namespace th::realtime {
namespace {

constexpr std::uint8_t kFinalBit = 0x80;
constexpr std::uint8_t kReservedBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::size_t kMaxControlPayload = 125;

bool is_control(std::uint8_t opcode) {
  return (opcode & 0x08) != 0;
}

bool is_known(std::uint8_t opcode) {
  switch (static_cast<WebSocketOpcode>(opcode)) {
    case WebSocketOpcode::kContinuation:
    case WebSocketOpcode::kText:
    case WebSocketOpcode::kBinary:
    case WebSocketOpcode::kClose:
    case WebSocketOpcode::kPing:
    case WebSocketOpcode::kPong:
      return true;
  }
  return false;
}

std::uint64_t read_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (const char byte : bytes) {
    value = (value << 8) | static_cast<std::uint8_t>(byte);
  }
  return value;
}

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

// Close codes an endpoint may put on the wire (RFC 6455 section 7.4).
bool is_sendable_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) {
    return true;
  }
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

// XORs `payload` with the 4-byte `key` repeated, eight bytes at a time
// (a relayed SDP is some 3 KiB).
void unmask(std::string& payload, std::string_view key) {
  std::uint32_t key_word = 0;
  std::memcpy(&key_word, key.data(), 4);
  const std::uint64_t wide_key = (static_cast<std::uint64_t>(key_word) << 32) | key_word;
  std::size_t i = 0;
  for (; i + 8 <= payload.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, payload.data() + i, 8);
    word ^= wide_key;
    std::memcpy(payload.data() + i, &word, 8);
  }
  for (; i < payload.size(); ++i) {
    payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
  }
}

}  // namespace

void WebSocketFrameReader::feed(std::string_view bytes) {
  // Consumed bytes are dropped once they make up most of the buffer, so the
  // buffer stays near the size of one frame without copying on every read.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

Error WebSocketFrameReader::violation(std::uint16_t close_code, std::string message) {
  close_code_ = close_code;
  const ErrorCode code = close_code == kCloseMessageTooBig ? ErrorCode::kResourceExhausted
                                                           : ErrorCode::kInvalidArgument;
  return Error(code, std::move(message));
}

Result<std::optional<WebSocketMessage>> WebSocketFrameReader::next() {
  while (true) {
    const std::string_view pending = std::string_view(buffer_).substr(consumed_);
    if (pending.size() < 2) {
      return std::optional<WebSocketMessage>();
    }
    const auto first = static_cast<std::uint8_t>(pending[0]);
    const auto second = static_cast<std::uint8_t>(pending[1]);
    const std::uint8_t opcode = first & kOpcodeBits;

    // Everything the first two bytes decide is checked before waiting for
    // the rest, so a bad frame is refused however little of it arrived.
    if ((first & kReservedBits) != 0) {
      return violation(kCloseProtocolError, "reserved bits set without an extension");
    }
    if (!is_known(opcode)) {
      return violation(kCloseProtocolError, "unknown opcode");
    }
    const bool masked = (second & kMaskBit) != 0;
    if (masked != (role_ == WebSocketRole::kServer)) {
      return violation(kCloseProtocolError, masked ? "frames from a server must not be masked"
                                                   : "frames from a client must be masked");
    }
    const std::uint8_t short_length = second & 0x7F;
    if (is_control(opcode) && ((first & kFinalBit) == 0 || short_length > kMaxControlPayload)) {
      return violation(kCloseProtocolError, "control frames must be final and short");
    }

    // The length: 7 bits, or 16 or 64 more.
    const std::size_t length_bytes = short_length == 126 ? 2 : short_length == 127 ? 8 : 0;
    const std::size_t mask_bytes = masked ? 4 : 0;
    if (pending.size() < 2 + length_bytes) {
      return std::optional<WebSocketMessage>();
    }
    const std::uint64_t length =
        length_bytes == 0 ? short_length : read_big_endian(pending.substr(2, length_bytes));
    const std::size_t so_far = is_control(opcode) ? 0 : partial_.size();
    if (length > max_message_bytes_ || so_far + length > max_message_bytes_) {
      return violation(kCloseMessageTooBig, "message exceeds the limit of " +
                                                std::to_string(max_message_bytes_) + " bytes");
    }
    const std::size_t header = 2 + length_bytes + mask_bytes;
    if (pending.size() < header + length) {
      return std::optional<WebSocketMessage>();
    }

    std::string payload(pending.substr(header, static_cast<std::size_t>(length)));
    if (masked) {
      unmask(payload, pending.substr(2 + length_bytes, 4));
    }
    consumed_ += header + static_cast<std::size_t>(length);
    auto taken = take_frame(first, std::move(payload));
    if (!taken.ok() || taken->has_value()) {
      return taken;
    }
    // A fragment that did not finish its message: look at the next frame.
  }
}

// Joins fragments and checks their order; returns the message once whole.
Result<std::optional<WebSocketMessage>> WebSocketFrameReader::take_frame(std::uint8_t first,
                                                                         std::string payload) {
  const auto opcode = static_cast<WebSocketOpcode>(first & kOpcodeBits);
  const bool final_fragment = (first & kFinalBit) != 0;
  if (is_control(first & kOpcodeBits)) {
    if (opcode == WebSocketOpcode::kClose) {
      auto code = decode_close_code(payload);
      if (!code.ok()) {
        return violation(kCloseProtocolError, code.error().message());
      }
    }
    return std::optional<WebSocketMessage>(WebSocketMessage{opcode, std::move(payload)});
  }
  // A message in one frame, the usual case, is handed over as it is.
  if (opcode != WebSocketOpcode::kContinuation && final_fragment && !partial_opcode_) {
    return whole_message(WebSocketMessage{opcode, std::move(payload)});
  }
  if (opcode == WebSocketOpcode::kContinuation) {
    if (!partial_opcode_) {
      return violation(kCloseProtocolError, "continuation frame outside a message");
    }
  } else if (partial_opcode_) {
    return violation(kCloseProtocolError, "new message before the previous one ended");
  } else {
    partial_opcode_ = opcode;
  }
  partial_.append(payload);
  if (!final_fragment) {
    return std::optional<WebSocketMessage>();
  }
  WebSocketMessage message{*partial_opcode_, std::exchange(partial_, {})};
  partial_opcode_.reset();
  return whole_message(std::move(message));
}

Result<std::optional<WebSocketMessage>> WebSocketFrameReader::whole_message(
    WebSocketMessage message) {
  if (message.opcode == WebSocketOpcode::kText && !audit::is_valid_utf8(message.payload)) {
    return violation(kCloseInvalidPayload, "text message is not valid UTF-8");
  }
  return std::optional<WebSocketMessage>(std::move(message));
}

std::string encode_websocket_frame(WebSocketOpcode opcode, std::string_view payload,
                                   bool final_fragment,
                                   std::optional<std::array<std::uint8_t, 4>> mask) {
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(
      static_cast<char>((final_fragment ? kFinalBit : 0) | static_cast<std::uint8_t>(opcode)));
  const std::uint8_t mask_bit = mask ? kMaskBit : 0;
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    append_big_endian(frame, payload.size(), 2);
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    append_big_endian(frame, payload.size(), 8);
  }
  if (!mask) {
    frame.append(payload);
    return frame;
  }
  for (const std::uint8_t byte : *mask) {
    frame.push_back(static_cast<char>(byte));
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ (*mask)[i % 4]));
  }
  return frame;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  append_big_endian(payload, code, 2);
  // Cut at a character boundary: a close reason must stay valid UTF-8.
  std::size_t end = std::min(reason.size(), kMaxControlPayload - 2);
  while (end > 0 && end < reason.size() &&
         (static_cast<std::uint8_t>(reason[end]) & 0xC0) == 0x80) {
    --end;
  }
  payload.append(reason.substr(0, end));
  return payload;
}

Result<std::uint16_t> decode_close_code(std::string_view payload) {
  if (payload.empty()) {
    return kCloseNoStatus;
  }
  if (payload.size() < 2) {
    return Error(ErrorCode::kInvalidArgument, "close frame with a one-byte payload");
  }
  const auto code = static_cast<std::uint16_t>(read_big_endian(payload.substr(0, 2)));
  if (!is_sendable_close_code(code)) {
    return Error(ErrorCode::kInvalidArgument, "close frame with a reserved code");
  }
  if (!audit::is_valid_utf8(payload.substr(2))) {
    return Error(ErrorCode::kInvalidArgument, "close reason is not valid UTF-8");
  }
  return code;
}

}  // namespace th::realtime
