#include "server/json_fields.h"

namespace th::server {

Result<std::string> optional_string(const Poco::JSON::Object::Ptr& object,
                                    const std::string& name) {
  if (!object->has(name) || object->isNull(name)) {
    return std::string();
  }
  const Poco::Dynamic::Var value = object->get(name);
  if (!value.isString()) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' must be a string");
  }
  std::string text = value.extract<std::string>();
  if (text.size() > 65536) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' is too long");
  }
  return text;
}

Result<std::string> required_string(const Poco::JSON::Object::Ptr& object,
                                    const std::string& name) {
  auto text = optional_string(object, name);
  if (text.ok() && text->empty()) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' is required");
  }
  return text;
}

Result<std::int64_t> optional_integer(const Poco::JSON::Object::Ptr& object,
                                      const std::string& name, std::int64_t fallback) {
  if (!object->has(name) || object->isNull(name)) {
    return fallback;
  }
  const Poco::Dynamic::Var value = object->get(name);
  if (!value.isInteger()) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' must be an integer");
  }
  return value.convert<std::int64_t>();
}

Result<bool> optional_bool(const Poco::JSON::Object::Ptr& object, const std::string& name,
                           bool fallback) {
  if (!object->has(name) || object->isNull(name)) {
    return fallback;
  }
  const Poco::Dynamic::Var value = object->get(name);
  if (!value.isBoolean()) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' must be true or false");
  }
  return value.extract<bool>();
}

}  // namespace th::server
