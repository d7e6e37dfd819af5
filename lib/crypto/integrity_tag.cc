#include "crypto/integrity_tag.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/key_ring.h"

namespace th::crypto {
namespace {

// Names the encoding, so a later format can never collide with this one.
constexpr std::string_view kLabel = "telehealth row integrity v1";

void append_u64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void append_part(std::string& out, std::string_view part) {
  append_u64(out, part.size());
  out.append(part);
}

std::string canonical_encoding(std::string_view table, std::string_view row_id,
                               std::int64_t version, const TaggedFields& fields) {
  // Sort pointers, not the pairs, to avoid copying stored values.
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(fields.size());
  for (const auto& field : fields) {
    sorted.push_back(&field);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });

  std::string out;
  append_part(out, kLabel);
  append_part(out, table);
  append_part(out, row_id);
  append_u64(out, static_cast<std::uint64_t>(version));  // two's complement, so negatives differ
  append_u64(out, sorted.size());
  for (const auto* field : sorted) {
    append_part(out, field->first);
    append_part(out, field->second);
  }
  return out;
}

}  // namespace

IntegrityTagger::IntegrityTagger(std::string key32) : key_(std::move(key32)) {
  if (key_.size() != kKeyRingKeySize) {
    std::fputs("telehealth: fatal: integrity tagger: key must be 32 bytes\n", stderr);
    std::abort();
  }
}

IntegrityTagger::~IntegrityTagger() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string IntegrityTagger::tag(std::string_view table, std::string_view row_id,
                                 std::int64_t version, const TaggedFields& fields) const {
  return hex_encode(hmac_sha256(key_, canonical_encoding(table, row_id, version, fields)));
}

bool IntegrityTagger::verify(std::string_view table, std::string_view row_id, std::int64_t version,
                             const TaggedFields& fields, std::string_view tag) const {
  return constant_time_equal(this->tag(table, row_id, version, fields), tag);
}

}  // namespace th::crypto
