#include "crypto/ed25519_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "crypto/atomic_file.h"
#include "crypto/openssl_handle.h"

namespace th::crypto {
namespace {

// Private keys are a few hundred bytes; anything far larger is not one.
constexpr std::size_t kMaxPemFileSize = 64 * 1024;

using MdCtxHandle = OpenSslHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

// For OpenSSL failures that only a broken library or exhausted memory can
// cause, as in crypto/digest.h: no caller could recover, so stop.
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "telehealth: fatal: %s failed inside OpenSSL\n", what);
  std::abort();
}

// Closes the descriptor on every path out of read_key_file.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  int get() const { return fd_; }

 private:
  int fd_;
};

// Bytes that held a private key, wiped before their memory is released. The
// buffer is sized once and never shrunk, so no copy is left behind.
class SecretBuffer {
 public:
  explicit SecretBuffer(std::size_t size) : bytes_(size, '\0') {}
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  ~SecretBuffer() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  char* data() { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

Error key_error(const std::filesystem::path& path, ErrorCode code, std::string_view reason) {
  ERR_clear_error();  // leave no stale OpenSSL errors for the next caller on this thread
  return Error(code, "load signing key '" + path.string() + "': " + std::string(reason));
}

Error open_error(const std::filesystem::path& path, int error_number) {
  ErrorCode code = ErrorCode::kUnavailable;
  if (error_number == ENOENT || error_number == ENOTDIR) {
    code = ErrorCode::kNotFound;
  } else if (error_number == EACCES || error_number == EPERM) {
    code = ErrorCode::kPermissionDenied;
  }
  std::string reason = std::generic_category().message(error_number);
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  return key_error(path, code, reason);
}

// Refuses to prompt on the terminal for the passphrase of an encrypted key,
// which is what OpenSSL would do without a callback.
int refuse_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return -1;
}

// Checks the file's type, size and mode on the open descriptor (so the file
// checked is the file read), then reads it into `contents`.
Result<std::size_t> read_key_file(const FileDescriptor& fd, const std::filesystem::path& path,
                                  std::unique_ptr<SecretBuffer>& contents) {
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return open_error(path, errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return key_error(path, ErrorCode::kInvalidArgument, "not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return key_error(path, ErrorCode::kFailedPrecondition,
                     std::string("mode ") + mode + " lets group or others read it; use 0600");
  }
  if (info.st_size > static_cast<off_t>(kMaxPemFileSize)) {
    return key_error(path, ErrorCode::kInvalidArgument, "file too large for a key");
  }

  contents = std::make_unique<SecretBuffer>(static_cast<std::size_t>(info.st_size));
  std::size_t filled = 0;
  while (filled < contents->size()) {
    const ssize_t got = ::read(fd.get(), contents->data() + filled, contents->size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return open_error(path, errno);
    }
    if (got == 0) {
      break;  // the file shrank while being read; parsing what arrived will tell
    }
    filled += static_cast<std::size_t>(got);
  }
  return filled;
}

}  // namespace

void Ed25519Key::PkeyDeleter::operator()(EVP_PKEY* pkey) const {
  EVP_PKEY_free(pkey);
}

Result<Ed25519Key> Ed25519Key::load_pem_file(const std::filesystem::path& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return open_error(path, errno);
  }
  std::unique_ptr<SecretBuffer> contents;
  auto length = read_key_file(fd, path, contents);
  if (!length.ok()) {
    return length.error();
  }

  const BioHandle bio(BIO_new_mem_buf(contents->data(), static_cast<int>(*length)));
  if (bio == nullptr) {
    die("BIO_new_mem_buf");
  }
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr));
  if (pkey == nullptr) {
    return key_error(path, ErrorCode::kInvalidArgument, "no unencrypted PKCS#8 private key");
  }
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return key_error(path, ErrorCode::kInvalidArgument, "key is not Ed25519");
  }
  return Ed25519Key(std::move(pkey));
}

Status Ed25519Key::generate_pem_file(const std::filesystem::path& path) {
  // write_file_atomically replaces, so refuse here to overwrite a key. Two
  // generators racing for the same new path could still both pass this
  // check; the last one to finish wins, and each file is complete.
  std::error_code ignored;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ignored))) {
    return Error(ErrorCode::kAlreadyExists,
                 "generate signing key '" + path.string() + "': file already exists");
  }

  auto key = generate();
  if (!key.ok()) {
    return key.error();
  }
  // A secure-memory BIO wipes the PEM text when it is freed.
  const BioHandle bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), key->pkey_.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    die("PEM_write_bio_PrivateKey");
  }
  char* pem = nullptr;
  const long pem_length = BIO_get_mem_data(bio.get(), &pem);
  return write_file_atomically(path.string(),
                               std::string_view(pem, static_cast<std::size_t>(pem_length)), 0600);
}

Result<Ed25519Key> Ed25519Key::generate() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) {
    ERR_clear_error();
    return Error(ErrorCode::kInternal, "generate signing key: key generation failed");
  }
  return Ed25519Key(std::move(pkey));
}

Result<Ed25519Key> Ed25519Key::from_raw_private(std::string_view seed) {
  if (seed.size() != kSeedSize) {
    return Error(ErrorCode::kInvalidArgument, "load signing key: private key is " +
                                                  std::to_string(seed.size()) + " bytes, not 32");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (pkey == nullptr) {
    die("EVP_PKEY_new_raw_private_key");  // any 32 bytes are a valid Ed25519 seed
  }
  return Ed25519Key(std::move(pkey));
}

std::string Ed25519Key::public_key_raw() const {
  std::string raw(kPublicKeySize, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey_.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                  &length) != 1 ||
      length != kPublicKeySize) {
    die("EVP_PKEY_get_raw_public_key");
  }
  return raw;
}

std::string Ed25519Key::public_key_pem() const {
  const BioHandle bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    die("PEM_write_bio_PUBKEY");
  }
  char* pem = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &pem);
  return std::string(pem, static_cast<std::size_t>(length));
}

std::string Ed25519Key::sign(std::string_view message) const {
  // Pure Ed25519 hashes the message itself, so no digest is named (null md),
  // which is also what the signed-note format specifies.
  const MdCtxHandle ctx(EVP_MD_CTX_new());
  std::string signature(kSignatureSize, '\0');
  std::size_t length = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kSignatureSize) {
    die("Ed25519 signing");
  }
  return signature;
}

bool Ed25519Key::verify(std::string_view public_key_raw, std::string_view message,
                        std::string_view signature) {
  if (public_key_raw.size() != kPublicKeySize || signature.size() != kSignatureSize) {
    return false;
  }
  const PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key_raw.data()),
      public_key_raw.size()));
  const MdCtxHandle ctx(EVP_MD_CTX_new());
  const bool valid =
      pkey != nullptr && ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  if (!valid) {
    ERR_clear_error();
  }
  return valid;
}

}  // namespace th::crypto
