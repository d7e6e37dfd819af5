// UTF-8 checks shared by the audit formats: canonical JSON must refuse
// invalid text, and signed notes must be valid UTF-8 with names free of
// Unicode spaces. Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace th::audit {

// Decodes the code point starting at text[pos] and advances pos past it.
// Returns nullopt, leaving pos unchanged, for anything RFC 3629 forbids: a
// stray continuation byte, a truncated or overlong sequence, a surrogate, or
// a value above U+10FFFF. Requires pos < text.size().
[[nodiscard]] std::optional<char32_t> decode_utf8(std::string_view text, std::size_t& pos);

// True when the whole of `text` is well-formed UTF-8.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

// True for the characters Unicode treats as white space: the ASCII ones
// (tab, line feed, vertical tab, form feed, carriage return, space), U+0085,
// and the separators of categories Zs, Zl and Zp.
[[nodiscard]] bool is_unicode_space(char32_t code_point);

}  // namespace th::audit
