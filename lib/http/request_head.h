// RequestHead: the request line and header fields of one HTTP/1.x request,
// and the parser that finds them at the start of a connection's input.
//
// The parser is strict where leniency lets one request be read two ways
// (request smuggling): both Content-Length and Transfer-Encoding, differing
// Content-Lengths, a transfer coding other than chunked, folded header
// lines and bare LF line ends are refused. Pure functions and plain values,
// safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace th::http {

struct RequestHead {
  std::string method;
  std::string target;     // as sent: the path and any query string
  int minor_version = 1;  // HTTP/1.0 or HTTP/1.1
  std::vector<std::pair<std::string, std::string>> fields;  // in the order sent
  std::optional<std::uint64_t> content_length;
  bool chunked = false;          // Transfer-Encoding: chunked
  bool keep_alive = true;        // by the version and the Connection field
  bool expect_continue = false;  // Expect: 100-continue

  // The first field of that name (compared without regard to case), or
  // nullptr.
  const std::string* field(std::string_view name) const;
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

struct ParsedHead {
  RequestHead head;
  std::size_t length = 0;  // bytes of input the head took, its blank line included
};

// Looks for one complete request head at the start of `input`. Returns
// nullopt while the head is incomplete and within `max_bytes`; otherwise the
// head, or an error: kResourceExhausted when the head is longer than
// `max_bytes` (answer 431), kInvalidArgument naming what is malformed
// (answer 400). Blank lines before the request line are skipped, as RFC 9112
// asks, and counted in `length`.
[[nodiscard]] Result<std::optional<ParsedHead>> parse_request_head(std::string_view input,
                                                                   std::size_t max_bytes);

}  // namespace th::http
