#include "util/text_template.h"

#include <algorithm>

namespace th {
namespace {

bool is_name_character(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

// The length of the placeholder name starting after the "{" at `open`, or
// 0 when the brace does not open a placeholder.
std::size_t placeholder_length(std::string_view text, std::size_t open) {
  std::size_t end = open + 1;
  while (end < text.size() && is_name_character(text[end])) {
    ++end;
  }
  if (end == open + 1 || end >= text.size() || text[end] != '}') {
    return 0;
  }
  return end - open - 1;
}

}  // namespace

Result<TextTemplate> TextTemplate::parse(std::string_view text,
                                         std::span<const std::string_view> allowed) {
  TextTemplate parsed;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t length = text[i] == '{' ? placeholder_length(text, i) : 0;
    if (length == 0) {
      literal += text[i];
      continue;
    }
    const std::string_view name = text.substr(i + 1, length);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (const std::string_view option : allowed) {
        known += (known.empty() ? "" : ", ") + ("{" + std::string(option) + "}");
      }
      return Error(ErrorCode::kInvalidArgument, "unknown placeholder {" + std::string(name) +
                                                    "}; this template may use " + known);
    }
    if (!literal.empty()) {
      parsed.pieces_.push_back({false, std::move(literal)});
      literal.clear();
    }
    parsed.pieces_.push_back({true, std::string(name)});
    i += length + 1;
  }
  if (!literal.empty()) {
    parsed.pieces_.push_back({false, std::move(literal)});
  }
  return parsed;
}

std::string TextTemplate::render(const std::map<std::string, std::string, std::less<>>& values,
                                 const std::function<std::string(std::string_view)>& encode) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    const auto found = values.find(piece.text);
    const std::string_view value = found == values.end() ? std::string_view() : found->second;
    out += encode ? encode(value) : std::string(value);
  }
  return out;
}

std::vector<std::string> TextTemplate::placeholders() const {
  std::vector<std::string> names;
  for (const Piece& piece : pieces_) {
    if (piece.placeholder && std::find(names.begin(), names.end(), piece.text) == names.end()) {
      names.push_back(piece.text);
    }
  }
  return names;
}

std::string single_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    line += byte < 0x20 || byte == 0x7F ? ' ' : c;
  }
  return line;
}

}  // namespace th
