#include "realtime/json_string_writer.h"

namespace th::realtime {
namespace {

bool needs_escape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void append_escape(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto byte = static_cast<unsigned char>(c);
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
}

}  // namespace

// Runs of plain bytes are appended whole: ids, the common case, have no
// character to escape at all.
void append_json_string(std::string& out, std::string_view value) {
  out.push_back('"');
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (needs_escape(value[i])) {
      out.append(value.substr(plain_from, i - plain_from));
      append_escape(out, value[i]);
      plain_from = i + 1;
    }
  }
  out.append(value.substr(plain_from));
  out.push_back('"');
}

}  // namespace th::realtime
