// Result<T>: either a value or an Error. Status is Result<void>.
//
// Deliberately small: construct from a value or an Error, test with ok(), then
// read value() or error(). Reading the wrong side is a programming error and
// aborts, so it is caught by the first test that exercises the path.
#pragma once

#include <cstdlib>
#include <optional>
#include <utility>
#include <variant>

#include "util/error.h"

namespace th {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  T* operator->() { return &checked_value(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked_value(); }
  T& operator*() { return checked_value(); }
  const T& operator*() const { return const_cast<Result*>(this)->checked_value(); }

  const Error& error() const {
    if (ok()) {
      std::abort();
    }
    return std::get<Error>(state_);
  }

 private:
  T& checked_value() {
    if (!ok()) {
      std::abort();
    }
    return std::get<T>(state_);
  }

  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (ok()) {
      std::abort();
    }
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() {
  return Status();
}

}  // namespace th

// Returns early from the enclosing function with the error of a failed
// Status-returning expression.
#define TH_RETURN_IF_ERROR(expr) \
  do {                           \
    auto th_status_ = (expr);    \
    if (!th_status_.ok()) {      \
      return th_status_.error(); \
    }                            \
  } while (false)
