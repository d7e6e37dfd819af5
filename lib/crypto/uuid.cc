#include "crypto/uuid.h"

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {

std::string new_uuid_v4() {
  std::string bytes = random_bytes(16);

  // Byte 6 carries the version in its high nibble, byte 8 the variant in its
  // two high bits (RFC 9562 section 4).
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);

  const std::string hex = hex_encode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace th::crypto
