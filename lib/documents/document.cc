#include "documents/document.h"

#include <algorithm>
#include <cctype>

#include "audit/utf8.h"

namespace th::documents {
namespace {

std::string lower_trimmed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '\t') {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

bool replaced_byte(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == ';';
}

// The length of the valid UTF-8 sequence starting at text[at], 0 if none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 1;
  if (lead >= 0xf0) {
    length = 4;
  } else if (lead >= 0xe0) {
    length = 3;
  } else if (lead >= 0xc0) {
    length = 2;
  }
  if (at + length > text.size() || !audit::is_valid_utf8(text.substr(at, length))) {
    return 0;
  }
  return length;
}

}  // namespace

std::string allowed_media_type(std::string_view content_type) {
  const std::string type = lower_trimmed(content_type.substr(0, content_type.find(';')));
  const bool allowed = std::ranges::find(kAllowedMediaTypes, type) != std::end(kAllowedMediaTypes);
  return allowed ? type : std::string();
}

std::string sanitize_file_name(std::string_view name) {
  // Only the last component: a browser may send a whole path.
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  while (!name.empty() && (name.front() == '.' || name.front() == ' ')) {
    name.remove_prefix(1);
  }

  std::string clean;
  std::size_t at = 0;
  while (at < name.size()) {
    const std::size_t length = utf8_sequence_length(name, at);
    if (length == 0 || replaced_byte(static_cast<unsigned char>(name[at]))) {
      if (clean.size() + 1 > kMaxFileNameBytes) {
        break;
      }
      clean.push_back('_');
      at += std::max<std::size_t>(length, 1);
      continue;
    }
    if (clean.size() + length > kMaxFileNameBytes) {
      break;
    }
    clean.append(name.substr(at, length));
    at += length;
  }
  return clean.empty() ? std::string("document") : clean;
}

}  // namespace th::documents
