#include "storage/postgresql_array.h"

namespace th::storage {

std::string postgresql_text_array(const std::vector<std::string_view>& values) {
  std::size_t size = 2;
  for (const std::string_view value : values) {
    size += value.size() + 3;
  }
  std::string literal;
  literal.reserve(size);
  literal += '{';
  for (std::size_t index = 0; index < values.size(); ++index) {
    literal += index == 0 ? "\"" : ",\"";
    for (const char c : values[index]) {
      if (c == '"' || c == '\\') {
        literal += '\\';
      }
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

std::string postgresql_integer_array(const std::vector<long long>& values) {
  std::string literal = "{";
  for (std::size_t index = 0; index < values.size(); ++index) {
    if (index > 0) {
      literal += ',';
    }
    literal += std::to_string(values[index]);
  }
  literal += '}';
  return literal;
}

}  // namespace th::storage
