// Result<T> and Error: how library code reports failure.
//
// Library functions return Result<T> (or Status for no value) instead of
// throwing; exceptions stop at the CLI and server boundary. An Error has a
// typed code, a message, and where known the file, line and column it is
// about, so that every error a user sees can say "what and where".
// Values are plain data; thread-compatible (no shared state).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gatehouse {

enum class ErrorCode {
  kInvalidArgument,  // bad flag or value: exit 2
  kNotFound,         // missing file or object
  kIo,               // read/write failure
  kParse,            // malformed input document (YAML, TOML, JSON, ...)
  kConfig,           // well-formed but invalid configuration
  kUnsupported,      // valid input we cannot handle (e.g. a regex feature)
  kInternal,         // a bug
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string path;  // file the error is about, if any
  int line = 0;      // 1-based; 0 = unknown
  int column = 0;    // 1-based; 0 = unknown

  // "path:line:column: message" with as much position as is known.
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message, std::string path = {}, int line = 0,
                       int column = 0) {
  return Error{code, std::move(message), std::move(path), line, column};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result for operations with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT
  static Status Ok() { return Status(); }
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace gatehouse
