#include "crypto/constant_time.h"

#include <openssl/crypto.h>

namespace th::crypto {

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  // CRYPTO_memcmp reads every byte whatever it finds; memcmp stops early.
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace th::crypto
