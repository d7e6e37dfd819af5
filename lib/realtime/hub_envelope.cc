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

bool is_plain_id(const std::string& id) {
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

}  // namespace

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
    return envelope_error(kHubErrorInvalidEnvelope, "type must be a non-empty string");
  }
  envelope.type = type.extract<std::string>();
  if (object->has("id") && !object->isNull("id")) {
    const Poco::Dynamic::Var id = object->get("id");
    if (!id.isString() || !is_plain_id(id.extract<std::string>())) {
      return envelope_error(kHubErrorInvalidEnvelope,
                            "id must be a string of at most 64 letters, digits or -_.:");
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
