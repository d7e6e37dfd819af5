// Writing JSON by appending to a string, for the frames the hub builds on
// its hot path (a relayed `signal`) without an object tree or a stream.
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace th::realtime {

// Appends `value` as a JSON string, quotes included: '"', '\' and the
// control characters below U+0020 are escaped (\n, \t... or \u00XX), every
// other byte is copied as it is. `value` is expected to be UTF-8; bytes
// that are not are copied too, so callers pass text they validated.
void append_json_string(std::string& out, std::string_view value);

}  // namespace th::realtime
