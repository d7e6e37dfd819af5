#include "realtime/hub_envelope.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace th::realtime {
namespace {

Error envelope_error(std::string_view code, std::string_view detail) {
  return Error(ErrorCode::kInvalidArgument, std::string(code) + ": " + std::string(detail));
}

bool is_plain_id(std::string_view id) {
  if (id.size() > kMaxEnvelopeIdLength) {
    return false;
  }
  for (const char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == ':';
    if (!plain) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kTypeRule = "type must be a non-empty string";
constexpr std::string_view kIdRule = "id must be a string of at most 64 letters, digits or -_.:";

// Which of the envelope's members a name is, or -1.
int envelope_member_index(const JsonSpan& name) {
  static constexpr std::string_view kNames[] = {"type", "id", "payload"};
  for (int i = 0; i < 3; ++i) {
    if (name.string_equals(kNames[i])) {
      return i;
    }
  }
  return -1;
}

// Checks the members found by scan_hub_envelope: [type, id, payload].
Result<HubEnvelope> envelope_from(const std::optional<JsonSpan> (&members)[3]) {
  HubEnvelope envelope;
  const auto& type = members[0];
  if (!type || !type->is_string() || type->raw_string().empty()) {
    return envelope_error(kHubErrorInvalidEnvelope, kTypeRule);
  }
  envelope.type = type->decoded_string();
  if (const auto& id = members[1]; id && id->type() != JsonType::kNull) {
    if (!id->is_string()) {
      return envelope_error(kHubErrorInvalidEnvelope, kIdRule);
    }
    envelope.id = id->decoded_string();
    if (!is_plain_id(envelope.id)) {
      return envelope_error(kHubErrorInvalidEnvelope, kIdRule);
    }
  }
  if (const auto& payload = members[2]; payload && payload->type() != JsonType::kNull) {
    if (payload->type() != JsonType::kObject) {
      return envelope_error(kHubErrorInvalidEnvelope, "payload must be an object");
    }
    envelope.payload_json = payload;
  }
  return envelope;
}

}  // namespace

Result<HubEnvelope> scan_hub_envelope(std::string_view text) {
  auto scanned = scan_json(text);
  // A bare string, number or literal was never taken as a JSON text here.
  const bool container =
      scanned.ok() && (scanned->type() == JsonType::kObject || scanned->type() == JsonType::kArray);
  if (!container) {
    return envelope_error(kHubErrorMalformedJson, "the message is not valid JSON");
  }
  if (scanned->type() != JsonType::kObject) {
    return envelope_error(kHubErrorMalformedJson, "the message is not a JSON object");
  }
  std::optional<JsonSpan> members[3];
  JsonMemberReader reader(*scanned);
  while (const auto member = reader.next()) {
    const int index = envelope_member_index(member->name);
    if (index < 0) {
      continue;  // other members are ignored, as they always were
    }
    if (members[index]) {
      return envelope_error(kHubErrorInvalidEnvelope, "a member of the envelope is given twice");
    }
    members[index] = member->value;
  }
  return envelope_from(members);
}

Result<HubEnvelope> parse_hub_envelope(std::string_view text) {
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(std::string(text));
  } catch (const Poco::Exception&) {
    return envelope_error(kHubErrorMalformedJson, "the message is not valid JSON");
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    return envelope_error(kHubErrorMalformedJson, "the message is not a JSON object");
  }
  const auto object = parsed.extract<Poco::JSON::Object::Ptr>();

  HubEnvelope envelope;
  const Poco::Dynamic::Var type = object->get("type");
  if (!type.isString() || type.extract<std::string>().empty()) {
    return envelope_error(kHubErrorInvalidEnvelope, kTypeRule);
  }
  envelope.type = type.extract<std::string>();
  if (object->has("id") && !object->isNull("id")) {
    const Poco::Dynamic::Var id = object->get("id");
    if (!id.isString() || !is_plain_id(id.extract<std::string>())) {
      return envelope_error(kHubErrorInvalidEnvelope, kIdRule);
    }
    envelope.id = id.extract<std::string>();
  }
  if (!object->has("payload") || object->isNull("payload")) {
    envelope.payload = new Poco::JSON::Object;
    return envelope;
  }
  envelope.payload = object->getObject("payload");
  if (envelope.payload.isNull()) {
    return envelope_error(kHubErrorInvalidEnvelope, "payload must be an object");
  }
  return envelope;
}

std::string encode_hub_envelope(std::string_view type, std::string_view id,
                                const Poco::JSON::Object::Ptr& payload) {
  Poco::JSON::Object envelope(Poco::JSON_PRESERVE_KEY_ORDER);
  envelope.set("type", std::string(type));
  envelope.set("id", std::string(id));
  envelope.set("payload",
               payload.isNull() ? Poco::JSON::Object::Ptr(new Poco::JSON::Object) : payload);
  std::ostringstream out;
  envelope.stringify(out);
  return out.str();
}

std::string encode_hub_error(std::string_view code, std::string_view message,
                             std::string_view ref) {
  Poco::JSON::Object::Ptr payload = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  payload->set("code", std::string(code));
  payload->set("message", std::string(message));
  payload->set("ref", std::string(ref));
  return encode_hub_envelope("error", "", payload);
}

std::string encode_hub_error(const Error& error, std::string_view ref,
                             std::string_view fallback_code) {
  const std::string& message = error.message();
  const auto colon = message.find(": ");
  const bool coded = colon != std::string::npos && colon > 0 &&
                     message.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == colon;
  if (!coded) {
    return encode_hub_error(fallback_code, message, ref);
  }
  return encode_hub_error(message.substr(0, colon), message.substr(colon + 2), ref);
}

}  // namespace th::realtime
