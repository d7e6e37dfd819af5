// The record of a patient's uploaded document, and the rules its fields
// keep: which media types are accepted and what a file name may hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace th::documents {

inline constexpr std::size_t kMaxFileNameBytes = 200;
inline constexpr std::int64_t kDefaultMaxBytes = 10 * 1024 * 1024;

// The media types a document may have; anything else is refused, so the
// daemon never stores (and later serves) active content such as HTML.
inline constexpr std::string_view kAllowedMediaTypes[] = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
};

// The metadata of a document; its content is read separately
// (DocumentStore::read_content), so listings never load it.
struct Document {
  std::string id;
  std::string patient_id;
  std::string uploaded_by;  // user id
  UnixMicros created_at = 0;
  std::string media_type;
  std::string file_name;  // sanitised; personal data, stored sealed
  std::int64_t size_bytes = 0;
  std::string sha256_hex;  // of the plaintext content, lower-case hex
};

// The media type of a Content-Type value ("text/plain; charset=utf-8" ->
// "text/plain", lower case) when it is on the allow-list; empty otherwise.
std::string allowed_media_type(std::string_view content_type);

// A file name safe to store and to send back in Content-Disposition: the
// last path component, control characters, quotes, backslashes and
// semicolons replaced by '_', leading dots removed, cut to
// kMaxFileNameBytes on a UTF-8 boundary. "document" when nothing is left.
// Invalid UTF-8 bytes are replaced too.
std::string sanitize_file_name(std::string_view name);

}  // namespace th::documents
