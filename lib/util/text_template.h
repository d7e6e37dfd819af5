// TextTemplate: text with {name} placeholders, as operators write the
// reminder and SMS request templates in the configuration.
//
// A placeholder is "{" followed by lower-case letters and underscores and
// "}"; any other brace is literal text, so a JSON body such as
//   {"to": {to}, "body": {body}}
// needs no escaping. Templates are parsed once, when the configuration is
// read: a placeholder the template's use does not offer is an error there,
// not a gap in a message sent at 3 a.m. A plain value; render() is const.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th {

class TextTemplate {
 public:
  TextTemplate() = default;

  // kInvalidArgument naming the first placeholder not in `allowed`.
  [[nodiscard]] static Result<TextTemplate> parse(std::string_view text,
                                                  std::span<const std::string_view> allowed);

  // The text with each placeholder replaced by its value passed through
  // `encode` (identity by default; JSON or URL encoding for request bodies).
  // A placeholder without a value becomes empty.
  [[nodiscard]] std::string render(
      const std::map<std::string, std::string, std::less<>>& values,
      const std::function<std::string(std::string_view)>& encode = nullptr) const;

  // The placeholders used, in order of first appearance.
  [[nodiscard]] std::vector<std::string> placeholders() const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  std::vector<Piece> pieces_;
};

// A value bound for a header or a one-line text (names come from records
// people typed): every control character, line breaks included, becomes a
// space, so a value cannot start a new header or line of its own, nor split
// an SMS.
[[nodiscard]] std::string single_line(std::string_view text);

}  // namespace th
