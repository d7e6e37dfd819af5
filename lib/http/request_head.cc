#include "http/request_head.h"

#include <algorithm>
#include <charconv>

#include "realtime/websocket_handshake.h"

namespace th::http {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x | 0x20) == (y | 0x20);  // tokens and field names are ASCII
  });
}

// RFC 9110's tchar: what methods and field names are made of.
bool is_token_char(unsigned char c) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

// Field values may hold visible characters, spaces, tabs and obs-text, but
// no other control character (a NUL or a lone CR could end the value early
// for some other reader).
bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7f;
  });
}

bool is_request_target(std::string_view target) {
  return !target.empty() && std::all_of(target.begin(), target.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7f;
  });
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

Error malformed(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "malformed request: " + std::move(what));
}

Status parse_request_line(std::string_view line, RequestHead& head) {
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return malformed("the request line is not 'METHOD TARGET HTTP/1.x'");
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  const std::string_view version = line.substr(last_space + 1);
  if (!is_token(method)) {
    return malformed("the method is not a token");
  }
  if (!is_request_target(target)) {
    return malformed("the request target is empty or holds spaces or control characters");
  }
  if (version == "HTTP/1.1") {
    head.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    head.minor_version = 0;
  } else {
    return malformed("the version is not HTTP/1.0 or HTTP/1.1");
  }
  head.method = std::string(method);
  head.target = std::string(target);
  return ok_status();
}

Status parse_content_length(std::string_view value, RequestHead& head) {
  std::uint64_t length = 0;
  const auto [end, failure] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (value.empty() || failure != std::errc() || end != value.data() + value.size()) {
    return malformed("Content-Length is not a decimal number");
  }
  if (head.content_length.has_value() && *head.content_length != length) {
    return malformed("two different Content-Length fields");
  }
  head.content_length = length;
  return ok_status();
}

// The fields that decide how the message is framed and whether the
// connection stays open.
Status interpret_field(std::string_view name, std::string_view value, RequestHead& head) {
  if (equals_ignoring_case(name, "Content-Length")) {
    return parse_content_length(value, head);
  }
  if (equals_ignoring_case(name, "Transfer-Encoding")) {
    if (!equals_ignoring_case(value, "chunked") || head.chunked) {
      return malformed("the only transfer coding accepted is one 'chunked'");
    }
    head.chunked = true;
  }
  if (equals_ignoring_case(name, "Expect") && equals_ignoring_case(value, "100-continue")) {
    head.expect_continue = true;
  }
  return ok_status();
}

Status parse_field_line(std::string_view line, RequestHead& head) {
  if (line.front() == ' ' || line.front() == '\t') {
    return malformed("a folded header line");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    return malformed("a header line is not 'Name: value'");
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (!is_field_value(value)) {
    return malformed("a header value holds a control character");
  }
  TH_RETURN_IF_ERROR(interpret_field(name, value, head));
  head.fields.emplace_back(std::string(name), std::string(value));
  return ok_status();
}

void decide_keep_alive(RequestHead& head) {
  const std::string* connection = head.field("Connection");
  const std::string_view tokens = connection != nullptr ? *connection : std::string_view();
  head.keep_alive = head.minor_version == 1 ? !realtime::header_lists_token(tokens, "close")
                                            : realtime::header_lists_token(tokens, "keep-alive");
}

// Splits the head into lines ended by CRLF; a bare LF is refused.
Result<std::vector<std::string_view>> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    const auto end = head.find('\n', start);
    if (end == start || head[end - 1] != '\r') {
      return malformed("a line ends without CR LF");
    }
    lines.push_back(head.substr(start, end - 1 - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

const std::string* RequestHead::field(std::string_view name) const {
  for (const auto& [field_name, value] : fields) {
    if (equals_ignoring_case(field_name, name)) {
      return &value;
    }
  }
  return nullptr;
}

Result<std::optional<ParsedHead>> parse_request_head(std::string_view input,
                                                     std::size_t max_bytes) {
  std::size_t skipped = 0;
  while (input.substr(skipped, 2) == "\r\n") {
    skipped += 2;
  }
  const auto end = input.find("\r\n\r\n", skipped);
  if (end == std::string_view::npos || end + 4 > max_bytes) {
    if (input.size() > max_bytes) {
      return Error(ErrorCode::kResourceExhausted, "request header fields exceed the limit of " +
                                                      std::to_string(max_bytes) + " bytes");
    }
    return std::optional<ParsedHead>();
  }
  auto lines = split_lines(input.substr(skipped, end + 2 - skipped));
  if (!lines.ok()) {
    return lines.error();
  }
  ParsedHead parsed;
  parsed.length = end + 4;
  TH_RETURN_IF_ERROR(parse_request_line(lines->front(), parsed.head));
  for (std::size_t i = 1; i < lines->size(); ++i) {
    TH_RETURN_IF_ERROR(parse_field_line((*lines)[i], parsed.head));
  }
  if (parsed.head.chunked && parsed.head.content_length.has_value()) {
    return malformed("both Content-Length and Transfer-Encoding");
  }
  decide_keep_alive(parsed.head);
  return std::optional<ParsedHead>(std::move(parsed));
}

}  // namespace th::http
