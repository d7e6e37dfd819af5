// Random (version 4) UUIDs, used as primary keys and public identifiers so
// that identifiers reveal neither creation order nor record counts.
#pragma once

#include <string>

namespace th::crypto {

// Returns a new RFC 9562 version 4 UUID in canonical lower-case form,
// e.g. "3f0c9a9e-6b1d-4c2e-9a57-0d8f3b2e1c44": 122 random bits, version
// nibble 4, variant bits 10. Safe from any thread; aborts only if the system
// has no secure randomness (see crypto/random.h).
[[nodiscard]] std::string new_uuid_v4();

}  // namespace th::crypto
