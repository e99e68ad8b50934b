#pragma once
// Errors as values on the data path: expected failures (bad input, unknown ids, upstream
// trouble) travel as Error inside Result<T>; exceptions are for start-up and real bugs.

#include <string>
#include <utility>
#include <variant>

namespace core {

enum class ErrorKind {
  kBadRequest,            // 400
  kUnauthorized,          // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kConflict,              // 409
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kInternal,              // 500
  kUnavailable,           // 503: the database (or another dependency) does not answer
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  std::string field;  // the request field at fault, when there is one

  static Error bad_request(std::string message, std::string field = {}) {
    return {ErrorKind::kBadRequest, std::move(message), std::move(field)};
  }
  static Error not_found(std::string message) {
    return {ErrorKind::kNotFound, std::move(message), {}};
  }
  static Error conflict(std::string message, std::string field = {}) {
    return {ErrorKind::kConflict, std::move(message), std::move(field)};
  }
  static Error internal(std::string message) {
    return {ErrorKind::kInternal, std::move(message), {}};
  }
  static Error unavailable(std::string message) {
    return {ErrorKind::kUnavailable, std::move(message), {}};
  }
};

int http_status(ErrorKind kind);
// A short machine-readable code such as "invalid_request_error" for the error envelope.
const char* error_type(ErrorKind kind);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }
  Error&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace core
