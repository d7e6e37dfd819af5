#include "server/api_types.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace th::server {

std::string ApiRequest::query_value(const std::string& name, const std::string& fallback) const {
  const auto found = query.find(name);
  return found == query.end() ? fallback : found->second;
}

Result<Poco::JSON::Object::Ptr> ApiRequest::json_object() const {
  if (body.empty()) {
    return Error(ErrorCode::kInvalidArgument, "request body is empty; a JSON object is required");
  }
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Error(ErrorCode::kInvalidArgument, "request body must be a JSON object");
    }
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& failure) {
    // Poco's message names the position but not the content.
    return Error(ErrorCode::kInvalidArgument,
                 "request body is not valid JSON: " + failure.message());
  }
}

ApiResponse ApiResponse::json(int status, const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return ApiResponse{status, "application/json", out.str(), {}};
}

ApiResponse ApiResponse::text(int status, std::string content_type, std::string body) {
  return ApiResponse{status, std::move(content_type), std::move(body), {}};
}

ApiResponse ApiResponse::error(int status, std::string_view code, std::string_view message) {
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
  detail->set("code", std::string(code));
  detail->set("message", std::string(message));
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("error", detail);
  return json(status, body);
}

ApiResponse ApiResponse::error(const Error& error) {
  return ApiResponse::error(http_status_for(error.code()), error_code_name(error.code()),
                            error.message());
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace th::server
