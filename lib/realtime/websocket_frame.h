// The WebSocket wire format (RFC 6455 section 5): an incremental frame
// reader for bytes as they arrive from a socket, and a frame writer.
//
// The reader is fed whatever a read returned, however the frames are split
// across reads, and hands back whole messages (fragments joined) and
// control frames (which may arrive between the fragments of a message). It
// enforces the rules a server must: masked frames from clients, no reserved
// bits (no extension is negotiated), known opcodes, control frames short and
// unfragmented, continuations only inside a message, text that is UTF-8,
// and a maximum message size checked from the frame header, before any of
// the payload is buffered.
//
// Pure code over byte strings: no sockets, no threads. One reader per
// connection, used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::realtime {

enum class WebSocketOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes (RFC 6455 section 7.4.1) the daemon sends, and the ones it
// defines for itself in the private range 4000-4999 (see lib/realtime/PROTOCOL.md).
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseUnsupportedData = 1003;
inline constexpr std::uint16_t kCloseNoStatus = 1005;
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseMessageTooBig = 1009;
inline constexpr std::uint16_t kCloseInternalError = 1011;
inline constexpr std::uint16_t kCloseSessionEnded = 4401;
inline constexpr std::uint16_t kCloseSlowReader = 4408;

// A whole data message (kText or kBinary, fragments joined) or one control
// frame (kClose, kPing, kPong).
struct WebSocketMessage {
  WebSocketOpcode opcode = WebSocketOpcode::kText;
  std::string payload;
};

// Which end the reader serves: a server requires every frame masked, a
// client refuses masked frames.
enum class WebSocketRole { kServer, kClient };

class WebSocketFrameReader {
 public:
  WebSocketFrameReader(WebSocketRole role, std::size_t max_message_bytes)
      : role_(role), max_message_bytes_(max_message_bytes) {}

  // Appends received bytes. At most max_message_bytes plus a frame header
  // is ever held for one message, since next() refuses a frame that would
  // pass the limit as soon as its header is complete.
  void feed(std::string_view bytes);

  // The next complete message or control frame, or nullopt when more bytes
  // are needed. An error means the peer broke the protocol: the connection
  // must be closed with close_code() and the reader not used again.
  // kResourceExhausted: a message over the limit; kInvalidArgument:
  // anything else.
  [[nodiscard]] Result<std::optional<WebSocketMessage>> next();

  // After next() failed: the close code to send (1002, 1007 or 1009).
  std::uint16_t close_code() const { return close_code_; }

  // Bytes fed and not yet consumed, for tests and accounting.
  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  Error violation(std::uint16_t close_code, std::string message);
  [[nodiscard]] Result<std::optional<WebSocketMessage>> take_frame(std::uint8_t first,
                                                                   std::string payload);
  // A message complete: text must be valid UTF-8.
  [[nodiscard]] Result<std::optional<WebSocketMessage>> whole_message(WebSocketMessage message);

  WebSocketRole role_;
  std::size_t max_message_bytes_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  // The message being assembled from fragments, if any.
  std::optional<WebSocketOpcode> partial_opcode_;
  std::string partial_;
  std::uint16_t close_code_ = kCloseProtocolError;
};

// One frame as bytes. A server sends unmasked frames (mask nullopt); a
// client must pass a fresh random masking key for every frame.
[[nodiscard]] std::string encode_websocket_frame(
    WebSocketOpcode opcode, std::string_view payload, bool final_fragment = true,
    std::optional<std::array<std::uint8_t, 4>> mask = std::nullopt);

// The payload of a close frame: the code in network order, then a UTF-8
// reason cut to fit the 125-byte limit of control frames.
[[nodiscard]] std::string encode_close_payload(std::uint16_t code, std::string_view reason);

// The code of a received close payload: kCloseNoStatus for an empty one,
// an error for a payload of one byte or a code no endpoint may send.
[[nodiscard]] Result<std::uint16_t> decode_close_code(std::string_view payload);

}  // namespace th::realtime
