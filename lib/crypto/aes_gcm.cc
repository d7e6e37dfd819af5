#include "crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>

#include "crypto/openssl_handle.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

using CipherCtxHandle = OpenSslHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

Error internal_error(std::string_view action) {
  ERR_clear_error();
  return Error(ErrorCode::kInternal, std::string(action) + ": cipher failed inside OpenSSL");
}

// One message for every way opening can fail, so an attacker probing with
// altered ciphertexts learns nothing about which part was rejected.
Error authentication_error() {
  ERR_clear_error();
  return Error(ErrorCode::kDataLoss, "open sealed data: authentication failed");
}

Status check_sizes(std::string_view action, std::string_view key32, std::string_view text,
                   std::string_view associated_data) {
  if (key32.size() != kAes256KeySize) {
    return Error(ErrorCode::kInvalidArgument, std::string(action) + ": key must be 32 bytes");
  }
  // EVP takes int lengths; leave room for the overhead.
  constexpr std::size_t kMaxInput = INT_MAX - kAesGcmOverhead;
  if (text.size() > kMaxInput || associated_data.size() > kMaxInput) {
    return Error(ErrorCode::kInvalidArgument, std::string(action) + ": input too large");
  }
  return ok_status();
}

// Feeds associated data into an initialised context. EVP rejects a null
// buffer for empty input on some paths, and empty data changes nothing.
bool add_associated_data(EVP_CIPHER_CTX* ctx, std::string_view associated_data, bool encrypt) {
  if (associated_data.empty()) {
    return true;
  }
  int ignored = 0;
  const int size = static_cast<int>(associated_data.size());
  return encrypt ? EVP_EncryptUpdate(ctx, nullptr, &ignored, bytes(associated_data), size) == 1
                 : EVP_DecryptUpdate(ctx, nullptr, &ignored, bytes(associated_data), size) == 1;
}

}  // namespace

namespace internal {

Result<std::string> aes256_gcm_seal_with_nonce(std::string_view key32, std::string_view nonce,
                                               std::string_view plaintext,
                                               std::string_view associated_data) {
  constexpr std::string_view kAction = "seal data";
  TH_RETURN_IF_ERROR(check_sizes(kAction, key32, plaintext, associated_data));
  if (nonce.size() != kAesGcmNonceSize) {
    return Error(ErrorCode::kInvalidArgument, "seal data: nonce must be 12 bytes");
  }

  const CipherCtxHandle ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key32), bytes(nonce)) != 1 ||
      !add_associated_data(ctx.get(), associated_data, true)) {
    return internal_error(kAction);
  }

  // Layout: nonce || ciphertext || tag, written in place.
  std::string sealed(kAesGcmOverhead + plaintext.size(), '\0');
  sealed.replace(0, kAesGcmNonceSize, nonce);
  unsigned char* out = bytes(sealed) + kAesGcmNonceSize;
  int written = 0;
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), out, &written, bytes(plaintext),
                                              static_cast<int>(plaintext.size())) != 1) {
    return internal_error(kAction);
  }
  int final_written = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out + written, &final_written) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          out + plaintext.size()) != 1) {
    return internal_error(kAction);
  }
  return sealed;
}

}  // namespace internal

Result<std::string> aes256_gcm_seal(std::string_view key32, std::string_view plaintext,
                                    std::string_view associated_data) {
  return internal::aes256_gcm_seal_with_nonce(key32, random_bytes(kAesGcmNonceSize), plaintext,
                                              associated_data);
}

Result<std::string> aes256_gcm_open(std::string_view key32, std::string_view sealed,
                                    std::string_view associated_data) {
  constexpr std::string_view kAction = "open sealed data";
  TH_RETURN_IF_ERROR(check_sizes(kAction, key32, sealed, associated_data));
  if (sealed.size() < kAesGcmOverhead) {
    return authentication_error();
  }
  const std::string_view nonce = sealed.substr(0, kAesGcmNonceSize);
  const std::string_view ciphertext =
      sealed.substr(kAesGcmNonceSize, sealed.size() - kAesGcmOverhead);
  // EVP wants a writable tag buffer even when it only reads it.
  std::string tag(sealed.substr(sealed.size() - kAesGcmTagSize));

  const CipherCtxHandle ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key32), bytes(nonce)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, bytes(tag)) != 1 ||
      !add_associated_data(ctx.get(), associated_data, false)) {
    return internal_error(kAction);
  }

  std::string plaintext(ciphertext.size(), '\0');
  int written = 0;
  const bool decrypted = ciphertext.empty() ||
                         EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &written, bytes(ciphertext),
                                           static_cast<int>(ciphertext.size())) == 1;
  int final_written = 0;
  // The tag is checked only in Final: until it passes, the buffer holds
  // unauthenticated plaintext, which is wiped rather than returned.
  if (!decrypted ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + written, &final_written) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return authentication_error();
  }
  return plaintext;
}

}  // namespace th::crypto
