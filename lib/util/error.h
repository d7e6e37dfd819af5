// The project's one error model.
//
// Expected failures travel as values: a function that can fail returns
// Result<T> (or Status for no value). Exceptions are confined to the edges
// where a dependency throws (SOCI, Poco, toml++); the adapter that wraps such a
// dependency catches and converts to an Error.
//
// An Error carries a category (ErrorCode) that decides the HTTP status and the
// thctl exit code, and a message written for the person who will read it. A
// message never contains personal data, secrets or tokens: name the field or
// the identifier, not the value.
#pragma once

#include <string>
#include <string_view>

namespace th {

enum class ErrorCode {
  kInvalidArgument,     // the caller sent something malformed or out of range
  kNotFound,            // the named thing does not exist (or is hidden from the caller)
  kAlreadyExists,       // creating something whose identity is taken
  kConflict,            // a concurrent change won, or state forbids the change
  kFailedPrecondition,  // the system is not in a state that allows the request
  kUnauthenticated,     // no valid credentials
  kPermissionDenied,    // valid credentials, not allowed
  kResourceExhausted,   // a limit was reached (body size, rate, pool)
  kUnavailable,         // a dependency (database, SMTP) is down; retrying may help
  kDataLoss,            // stored data failed an integrity check
  kInternal,            // a bug or an unexpected dependency failure
};

// Stable lower_snake_case name used in API error bodies and thctl JSON output.
std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", for adding the
  // action that failed as the error travels up.
  Error with_context(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
};

}  // namespace th
