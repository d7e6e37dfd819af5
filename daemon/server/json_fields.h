// Reading request fields from a JSON object with errors that name the field.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "util/result.h"

namespace th::server {

// A required string: kInvalidArgument "field 'x' is required" or "must be a string".
Result<std::string> required_string(const Poco::JSON::Object::Ptr& object, const std::string& name);
// An optional string: "" when absent or null.
Result<std::string> optional_string(const Poco::JSON::Object::Ptr& object, const std::string& name);
// An optional integer: fallback when absent.
Result<std::int64_t> optional_integer(const Poco::JSON::Object::Ptr& object,
                                      const std::string& name, std::int64_t fallback);

// An optional boolean: fallback when absent.
Result<bool> optional_bool(const Poco::JSON::Object::Ptr& object, const std::string& name,
                           bool fallback);

}  // namespace th::server
