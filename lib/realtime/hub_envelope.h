// The envelope of every message of the real-time protocol (version
// kHubProtocolVersion, described in lib/realtime/PROTOCOL.md): a JSON
// object {"type": "...", "id": "...", "payload": {...}} in one WebSocket
// text message.
//
// parse_hub_envelope() checks the envelope only; what a type's payload must
// hold is checked by whoever handles that type. Errors carry the protocol's
// error code as the first word of their message ("malformed_json: ..."),
// so a handler can turn any of them into an error frame. Pure functions,
// safe from any thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>

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
  std::string id;                   // may be empty; echoed as "ref" in the reply
  Poco::JSON::Object::Ptr payload;  // never null: an absent payload is {}
};

// Parses one text message. kInvalidArgument whose message starts with
// malformed_json (not a JSON object) or invalid_envelope (type missing or
// not a string, id not a short string, payload not an object).
[[nodiscard]] Result<HubEnvelope> parse_hub_envelope(std::string_view text);

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
