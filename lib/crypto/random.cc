#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "crypto/encoding.h"

namespace th::crypto {
namespace {

constexpr std::size_t kTokenBytes = 32;

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string bytes(n, '\0');
  auto* out = reinterpret_cast<unsigned char*>(bytes.data());

  // RAND_bytes takes an int length, so very large requests go in chunks.
  std::size_t filled = 0;
  while (filled < n) {
    const std::size_t chunk = std::min<std::size_t>(n - filled, INT_MAX);
    if (RAND_bytes(out + filled, static_cast<int>(chunk)) != 1) {
      std::fputs("telehealth: fatal: RAND_bytes failed, no secure randomness available\n", stderr);
      std::abort();
    }
    filled += chunk;
  }
  return bytes;
}

std::string random_token() {
  return base64url_encode(random_bytes(kTokenBytes));
}

}  // namespace th::crypto
