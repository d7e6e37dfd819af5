// The status line and header fields of an HTTP/1.1 response, written as
// the bytes that go on the wire. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace th::http {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// The reason phrase for a status ("Not Found"); Poco's "???" for one it does not know.
[[nodiscard]] std::string_view reason_phrase(int status);

// "HTTP/1.1 STATUS REASON", each field, and the blank line. A CR or LF in a
// value becomes a space, so no value can end the head early and start a
// response of its own.
[[nodiscard]] std::string format_response_head(int status, const HeaderFields& fields);

}  // namespace th::http
