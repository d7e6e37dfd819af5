// The envelope of every message of the real-time protocol (version
// kHubProtocolVersion, described in lib/realtime/PROTOCOL.md): a JSON
// object {"type": "...", "id": "...", "payload": {...}} in one WebSocket
// text message.
//
// parse_hub_envelope() checks the envelope only; what a type's payload must
// hold is checked by whoever handles that type. scan_hub_envelope() makes
// the same checks without building objects, and with more of them: the
// whole text is validated strictly (json_scanner.h: UTF-8, escapes,
// nesting no deeper than kMaxJsonDepth), and an envelope naming type, id or
// payload twice is refused rather than read by its last occurrence. Errors carry the protocol's
// error code as the first word of their message ("malformed_json: ..."),
// so a handler can turn any of them into an error frame. Pure functions,
// safe from any thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>

#include "realtime/json_scanner.h"
#include "util/result.h"

namespace th::realtime {

inline constexpr int kHubProtocolVersion = 1;

// Client-chosen ids are echoed in replies, so they are kept short and plain.
inline constexpr std::size_t kMaxEnvelopeIdLength = 64;

// The error codes of error frames.
inline constexpr std::string_view kHubErrorMalformedJson = "malformed_json";
inline constexpr std::string_view kHubErrorInvalidEnvelope = "invalid_envelope";
inline constexpr std::string_view kHubErrorUnknownType = "unknown_type";
inline constexpr std::string_view kHubErrorInvalidPayload = "invalid_payload";
inline constexpr std::string_view kHubErrorTooLarge = "too_large";
inline constexpr std::string_view kHubErrorNotFound = "not_found";
inline constexpr std::string_view kHubErrorForbidden = "forbidden";
inline constexpr std::string_view kHubErrorUnsupportedProtocol = "unsupported_protocol";
inline constexpr std::string_view kHubErrorUnavailable = "unavailable";
inline constexpr std::string_view kHubErrorInternal = "internal";

struct HubEnvelope {
  std::string type;
  std::string id;  // may be empty; echoed as "ref" in the reply
  // From parse_hub_envelope: never null (an absent payload is {}). From
  // scan_hub_envelope: null.
  Poco::JSON::Object::Ptr payload;
  // From scan_hub_envelope: the payload object as it came, pointing into
  // the scanned text; none when the payload was absent or null.
  std::optional<JsonSpan> payload_json;
};

// Parses one text message. kInvalidArgument whose message starts with
// malformed_json (not a JSON object) or invalid_envelope (type missing or
// not a string, id not a short string, payload not an object).
[[nodiscard]] Result<HubEnvelope> parse_hub_envelope(std::string_view text);

// The same without building objects: errors as parse_hub_envelope's (the
// strict scan's refusals are malformed_json), and invalid_envelope for a
// type, id or payload member given twice. The result's payload_json
// points into `text`, which must outlive it.
[[nodiscard]] Result<HubEnvelope> scan_hub_envelope(std::string_view text);

// Serialises an envelope; a null payload is written as {}.
[[nodiscard]] std::string encode_hub_envelope(std::string_view type, std::string_view id,
                                              const Poco::JSON::Object::Ptr& payload);

// {"type":"error","id":"","payload":{"code":...,"message":...,"ref":...}}.
[[nodiscard]] std::string encode_hub_error(std::string_view code, std::string_view message,
                                           std::string_view ref);

// The error frame for an Error whose message starts with a protocol error
// code and a colon ("invalid_payload: body is required"); messages without
// one are reported as `fallback_code` with the whole message.
[[nodiscard]] std::string encode_hub_error(const Error& error, std::string_view ref,
                                           std::string_view fallback_code);

}  // namespace th::realtime
