#include "crypto/key_ring.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <system_error>

#include "crypto/aes_gcm.h"
#include "crypto/atomic_file.h"
#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/openssl_handle.h"
#include "crypto/random.h"
#include "util/clock.h"

namespace th::crypto {
namespace {

constexpr std::size_t kKekIdDigits = 16;
constexpr std::size_t kLegacyKekIdDigits = 8;
// Hashed before the key, so the id is not SHA-256 of the key itself.
using std::string_view_literals::operator""sv;
constexpr std::string_view kKekIdLabel = "telehealthd key-encryption key id v1\0"sv;
constexpr std::size_t kKeyIdBytes = 8;  // 16 hex digits
// A KEK file is 45 characters; anything much larger is not one.
constexpr std::size_t kMaxKekFileSize = 1024;
constexpr std::size_t kPurposeCount = 3;

using PkeyCtxHandle = OpenSslHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

// Bytes of a key, wiped when released. Move-only, so no stray copy of the
// key outlives its owner.
class SecretKey {
 public:
  explicit SecretKey(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretKey(SecretKey&&) noexcept = default;
  SecretKey& operator=(SecretKey&&) noexcept = default;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  std::string_view view() const { return bytes_; }

 private:
  std::string bytes_;
};

struct Kek {
  std::string id;
  std::string legacy_id;  // how records written before kek_id_of's label name it
  SecretKey key;
};

// The loaded keys of one purpose and which of them is current.
struct Slot {
  std::map<std::string, SecretKey, std::less<>> keys;
  std::string current_id;
  std::int64_t current_created_at = 0;
};

std::size_t slot_index(KeyPurpose purpose) {
  return static_cast<std::size_t>(purpose);
}

// How errors name a key of each purpose: "load data key '...'".
std::string_view purpose_label(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kData:
      return "data key";
    case KeyPurpose::kBlindIndex:
      return "blind index key";
    case KeyPurpose::kIntegrity:
      return "integrity key";
  }
  return "key";
}

// Binds purpose and id into the wrapping, so a record cannot be relabelled
// as another key or another purpose. The data-key form is "dek:<id>".
std::string wrap_associated_data(KeyPurpose purpose, std::string_view id) {
  std::string_view prefix = "dek:";
  if (purpose == KeyPurpose::kBlindIndex) {
    prefix = "blind_index_key:";
  } else if (purpose == KeyPurpose::kIntegrity) {
    prefix = "integrity_key:";
  }
  return std::string(prefix) + std::string(id);
}

bool is_lower_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) {
    return false;
  }
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_known_purpose(KeyPurpose purpose) {
  return slot_index(purpose) < kPurposeCount;
}

std::string action_for(std::string_view verb, const WrappedDataKey& wrapped) {
  return std::string(verb) + " " + std::string(purpose_label(wrapped.purpose)) + " '" +
         wrapped.dek_id + "'";
}

bool is_newer(const Slot& slot, std::int64_t created_at, std::string_view id) {
  if (slot.current_id.empty() || created_at > slot.current_created_at) {
    return true;
  }
  return created_at == slot.current_created_at && id > slot.current_id;
}

Error file_error(std::string_view action, const std::filesystem::path& path, ErrorCode code,
                 std::string_view reason) {
  return Error(code, std::string(action) + " '" + path.string() + "': " + std::string(reason));
}

Error system_file_error(std::string_view action, const std::filesystem::path& path,
                        int error_number) {
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
  return file_error(action, path, code, reason);
}

// Closes the descriptor on every path out of read_private_file.
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

// Reads a whole small file after checking, on the open descriptor, that it
// is a regular file only its owner can access. The caller wipes the result.
Result<std::string> read_private_file(const std::filesystem::path& path) {
  constexpr std::string_view kAction = "load key-encryption key";
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const int fd = file.get();
  if (fd < 0) {
    return system_file_error(kAction, path, errno);
  }

  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return system_file_error(kAction, path, errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return file_error(kAction, path, ErrorCode::kInvalidArgument, "not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return file_error(kAction, path, ErrorCode::kFailedPrecondition,
                      std::string("mode ") + mode + " lets group or others read it; use 0600");
  }

  // One byte more than the limit is read, to tell a large file from a full one.
  std::string contents(kMaxKekFileSize + 1, '\0');
  std::size_t filled = 0;
  while (filled < contents.size()) {
    const ssize_t got = ::read(fd, contents.data() + filled, contents.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      OPENSSL_cleanse(contents.data(), contents.size());
      return system_file_error(kAction, path, errno);
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  if (filled > kMaxKekFileSize) {
    OPENSSL_cleanse(contents.data(), contents.size());
    return file_error(kAction, path, ErrorCode::kInvalidArgument, "file too large for a key");
  }
  // Shrinking never reallocates, so no copy of the key is left behind.
  contents.resize(filled);
  return contents;
}

const Kek* find_kek(const std::vector<Kek>& keks, std::string_view id) {
  for (const Kek& kek : keks) {
    if (kek.id == id || kek.legacy_id == id) {
      return &kek;
    }
  }
  return nullptr;
}

std::string legacy_kek_id_of(std::string_view kek) {
  return hex_encode(sha256(kek)).substr(0, kLegacyKekIdDigits);
}

// Wipes the keys left in a list when it goes out of scope; those moved out
// are empty by then. So a list refused halfway leaves no key behind.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::vector<std::string>& keys) : keys_(keys) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() {
    for (std::string& key : keys_) {
      OPENSSL_cleanse(key.data(), key.size());
    }
  }

 private:
  std::vector<std::string>& keys_;
};

// The KEKs of a list of raw keys, checked as create() documents.
Result<std::vector<Kek>> make_keks(std::vector<std::string> kek_bytes, std::string_view action) {
  const WipeOnExit wipe(kek_bytes);
  std::vector<Kek> keks;
  for (std::size_t i = 0; i < kek_bytes.size(); ++i) {
    SecretKey key(std::move(kek_bytes[i]));
    if (key.view().size() != kKeyRingKeySize) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(action) + ": key-encryption key " + std::to_string(i + 1) + " is " +
                       std::to_string(key.view().size()) + " bytes, expected 32");
    }
    std::string id = kek_id_of(key.view());
    std::string legacy_id = legacy_kek_id_of(key.view());
    if (find_kek(keks, id) != nullptr || find_kek(keks, legacy_id) != nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(action) + ": two key-encryption keys have the id '" + id + "'");
    }
    keks.push_back(Kek{std::move(id), std::move(legacy_id), std::move(key)});
  }
  if (keks.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(action) + ": no key-encryption key given");
  }
  return keks;
}

// Unwraps a record under the KEK of `keks` it names; `verb` begins error
// messages. The caller holds whatever lock guards `keks`.
Result<SecretKey> unwrap_under(const std::vector<Kek>& keks, std::string_view verb,
                               const WrappedDataKey& wrapped) {
  if (!is_known_purpose(wrapped.purpose) || !is_lower_hex(wrapped.dek_id, 2 * kKeyIdBytes) ||
      !is_kek_id(wrapped.kek_id)) {
    return Error(ErrorCode::kInvalidArgument, std::string(verb) + " key: malformed key record");
  }
  const std::string action = action_for(verb, wrapped);
  const Kek* kek = find_kek(keks, wrapped.kek_id);
  if (kek == nullptr) {
    return Error(ErrorCode::kFailedPrecondition, action + ": key-encryption key '" +
                                                     wrapped.kek_id +
                                                     "' is not loaded (wrong or missing key file)");
  }

  auto key = aes256_gcm_open(kek->key.view(), wrapped.wrapped,
                             wrap_associated_data(wrapped.purpose, wrapped.dek_id));
  if (!key.ok() || key->size() != kKeyRingKeySize) {
    if (key.ok()) {
      OPENSSL_cleanse(key->data(), key->size());
    }
    return Error(ErrorCode::kDataLoss, action + ": does not unwrap under key-encryption key '" +
                                           wrapped.kek_id + "' (wrong key or altered record)");
  }
  return SecretKey(std::move(key).value());
}

// Seals key under `kek` into a record.
Result<WrappedDataKey> wrap_under(const Kek& kek, KeyPurpose purpose, std::string id,
                                  std::string_view key, std::int64_t created_at) {
  auto sealed = aes256_gcm_seal(kek.key.view(), key, wrap_associated_data(purpose, id));
  if (!sealed.ok()) {
    return sealed.error();
  }
  return WrappedDataKey{std::move(id), kek.id, std::move(sealed).value(), created_at, purpose};
}

}  // namespace

struct KeyRing::State {
  mutable std::shared_mutex mutex;
  std::vector<Kek> keks;                  // guarded by mutex; the last one is current
  std::array<Slot, kPurposeCount> slots;  // guarded by mutex

  Result<SecretKey> unwrap(std::string_view verb, const WrappedDataKey& wrapped) const {
    const std::shared_lock lock(mutex);
    return unwrap_under(keks, verb, wrapped);
  }

  // Seals key under the current KEK into a record.
  Result<WrappedDataKey> wrap(KeyPurpose purpose, std::string id, std::string_view key,
                              std::int64_t created_at) const {
    const std::shared_lock lock(mutex);
    return wrap_under(keks.back(), purpose, std::move(id), key, created_at);
  }

  // Unwraps a record under `under` (the ring's KEKs or ones about to
  // replace them) and checks that it holds the key loaded under its id, if
  // one is: a rotation or a reload must never put another key in its place.
  // The caller holds the lock.
  Result<SecretKey> unwrap_as_loaded(const std::vector<Kek>& under, std::string_view verb,
                                     const WrappedDataKey& wrapped) const {
    auto key = unwrap_under(under, verb, wrapped);
    if (!key.ok()) {
      return key.error();
    }
    const Slot& slot = slots[slot_index(wrapped.purpose)];
    const auto loaded = slot.keys.find(wrapped.dek_id);
    if (loaded != slot.keys.end() && !constant_time_equal(loaded->second.view(), key->view())) {
      return Error(ErrorCode::kDataLoss,
                   action_for(verb, wrapped) + ": unwraps to another key than the one in use");
    }
    return key;
  }
};

std::string_view key_purpose_name(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kData:
      return "data";
    case KeyPurpose::kBlindIndex:
      return "blind_index";
    case KeyPurpose::kIntegrity:
      return "integrity";
  }
  return "unknown";
}

Result<KeyPurpose> parse_key_purpose(std::string_view name) {
  for (const KeyPurpose purpose :
       {KeyPurpose::kData, KeyPurpose::kBlindIndex, KeyPurpose::kIntegrity}) {
    if (name == key_purpose_name(purpose)) {
      return purpose;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "parse key purpose: unknown purpose");
}

Status generate_kek_file(const std::filesystem::path& path) {
  // write_file_atomically replaces, so refuse here to overwrite a key.
  std::error_code ignored;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ignored))) {
    return file_error("generate key-encryption key", path, ErrorCode::kAlreadyExists,
                      "file already exists");
  }
  const SecretKey key(random_bytes(kKeyRingKeySize));
  std::string text = base64_encode(key.view()) + "\n";
  const Status written = write_file_atomically(path.string(), text, 0600);
  OPENSSL_cleanse(text.data(), text.size());
  return written;
}

Result<std::string> load_kek_file(const std::filesystem::path& path) {
  auto contents = read_private_file(path);
  if (!contents.ok()) {
    return contents.error();
  }
  const SecretKey text(std::move(contents).value());

  std::string_view line = text.view();
  if (!line.empty() && line.back() == '\n') {
    line.remove_suffix(1);
  }
  auto key = base64_decode(line);
  if (!key.ok() || key->size() != kKeyRingKeySize) {
    if (key.ok()) {
      OPENSSL_cleanse(key->data(), key->size());
    }
    return file_error("load key-encryption key", path, ErrorCode::kInvalidArgument,
                      "expected one line of base64 holding 32 bytes");
  }
  return std::move(key).value();
}

std::string kek_id_of(std::string_view kek) {
  std::string input(kKekIdLabel);
  input.append(kek);
  std::string id = hex_encode(sha256(input)).substr(0, kKekIdDigits);
  OPENSSL_cleanse(input.data(), input.size());
  return id;
}

bool is_kek_id(std::string_view text) {
  return is_lower_hex(text, kKekIdDigits) || is_lower_hex(text, kLegacyKekIdDigits);
}

std::string derive_key(std::string_view secret, std::string_view info) {
  std::string out(kKeyRingKeySize, '\0');
  std::size_t out_size = out.size();
  const PkeyCtxHandle ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  // No salt set: RFC 5869 then uses HashLen zero bytes. Empty info is simply
  // not added, which OpenSSL treats as the empty string.
  const bool derived =
      ctx != nullptr && EVP_PKEY_derive_init(ctx.get()) == 1 &&
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) == 1 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                                 static_cast<int>(secret.size())) == 1 &&
      (info.empty() ||
       EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(info.data()),
                                   static_cast<int>(info.size())) == 1) &&
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_size) == 1;
  if (!derived || out_size != kKeyRingKeySize) {
    // As in crypto/digest.h: only a broken OpenSSL gets here.
    std::fputs("telehealth: fatal: HKDF failed inside OpenSSL\n", stderr);
    std::abort();
  }
  return out;
}

Result<KeyRing> KeyRing::create(std::vector<std::string> kek_bytes) {
  auto keks = make_keks(std::move(kek_bytes), "create key ring");
  if (!keks.ok()) {
    return keks.error();
  }
  auto state = std::make_unique<State>();
  state->keks = std::move(keks).value();
  return KeyRing(std::move(state));
}

KeyRing::KeyRing(std::unique_ptr<State> state) : state_(std::move(state)) {}
KeyRing::KeyRing(KeyRing&&) noexcept = default;
KeyRing& KeyRing::operator=(KeyRing&&) noexcept = default;
KeyRing::~KeyRing() = default;

std::string KeyRing::current_kek_id() const {
  const std::shared_lock lock(state_->mutex);
  return state_->keks.back().id;
}

std::vector<std::string> KeyRing::kek_ids() const {
  const std::shared_lock lock(state_->mutex);
  std::vector<std::string> ids;
  for (const Kek& kek : state_->keks) {
    ids.push_back(kek.id);
  }
  return ids;
}

bool KeyRing::holds_kek(std::string_view kek_id) const {
  const std::shared_lock lock(state_->mutex);
  return find_kek(state_->keks, kek_id) != nullptr;
}

bool KeyRing::is_current_kek(std::string_view kek_id) const {
  const std::shared_lock lock(state_->mutex);
  return state_->keks.back().id == kek_id;
}

Status KeyRing::replace_keks(std::vector<std::string> kek_bytes,
                             const std::vector<WrappedDataKey>& stored) {
  auto keks = make_keks(std::move(kek_bytes), "replace key-encryption keys");
  if (!keks.ok()) {
    return keks.error();
  }
  // Checked and swapped under one lock, so no key can be loaded in between
  // that the new set was not checked against.
  const std::unique_lock lock(state_->mutex);
  for (const WrappedDataKey& record : stored) {
    auto key = state_->unwrap_as_loaded(*keks, "keep", record);
    if (!key.ok()) {
      return key.error();
    }
  }
  // The KEKs replaced are wiped as their SecretKeys are destroyed.
  state_->keks = std::move(keks).value();
  return ok_status();
}

Result<WrappedDataKey> KeyRing::new_key(KeyPurpose purpose) {
  const SecretKey key(random_bytes(kKeyRingKeySize));
  const std::int64_t created_at = SystemClock().now_micros();

  // Ids are 64 random bits; the loop only guards against the impossible.
  while (true) {
    auto wrapped =
        state_->wrap(purpose, hex_encode(random_bytes(kKeyIdBytes)), key.view(), created_at);
    if (!wrapped.ok()) {
      return wrapped.error();
    }
    const std::unique_lock lock(state_->mutex);
    Slot& slot = state_->slots[slot_index(purpose)];
    if (slot.keys.contains(wrapped->dek_id)) {
      continue;
    }
    slot.keys.emplace(wrapped->dek_id, SecretKey(std::string(key.view())));
    slot.current_id = wrapped->dek_id;
    slot.current_created_at = created_at;
    return wrapped;
  }
}

Status KeyRing::load_key(const WrappedDataKey& wrapped) {
  auto key = state_->unwrap("load", wrapped);
  if (!key.ok()) {
    return key.error();
  }

  const std::unique_lock lock(state_->mutex);
  Slot& slot = state_->slots[slot_index(wrapped.purpose)];
  const auto existing = slot.keys.find(wrapped.dek_id);
  if (existing != slot.keys.end() && !constant_time_equal(existing->second.view(), key->view())) {
    return Error(ErrorCode::kConflict,
                 action_for("load", wrapped) + ": a different key with this id is already loaded");
  }
  if (existing == slot.keys.end()) {
    slot.keys.emplace(wrapped.dek_id, std::move(key).value());
  }
  if (is_newer(slot, wrapped.created_at, wrapped.dek_id)) {
    slot.current_id = wrapped.dek_id;
    slot.current_created_at = wrapped.created_at;
  }
  return ok_status();
}

std::string KeyRing::current_key_id(KeyPurpose purpose) const {
  const std::shared_lock lock(state_->mutex);
  return state_->slots[slot_index(purpose)].current_id;
}

Result<std::string_view> KeyRing::key(KeyPurpose purpose, std::string_view id) const {
  const std::shared_lock lock(state_->mutex);
  const Slot& slot = state_->slots[slot_index(purpose)];
  const auto found = slot.keys.find(id);
  if (found == slot.keys.end()) {
    return Error(ErrorCode::kFailedPrecondition, "find " + std::string(purpose_label(purpose)) +
                                                     " '" + std::string(id) + "': not loaded");
  }
  // Entries are never erased or changed, so the view outlives the lock.
  return found->second.view();
}

Result<std::string_view> KeyRing::current_key(KeyPurpose purpose) const {
  const std::string id = current_key_id(purpose);
  if (id.empty()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "find current " + std::string(purpose_label(purpose)) + ": none is loaded");
  }
  return key(purpose, id);
}

Result<WrappedDataKey> KeyRing::rewrap(const WrappedDataKey& wrapped) const {
  const std::shared_lock lock(state_->mutex);
  auto key = state_->unwrap_as_loaded(state_->keks, "rewrap", wrapped);
  if (!key.ok()) {
    return key.error();
  }
  return wrap_under(state_->keks.back(), wrapped.purpose, wrapped.dek_id, key->view(),
                    wrapped.created_at);
}

Status KeyRing::verify_kek_matches(const WrappedDataKey& wrapped) const {
  auto key = state_->unwrap("verify", wrapped);
  if (!key.ok()) {
    return key.error();
  }
  return ok_status();
}

Status KeyRing::load_data_key(const WrappedDataKey& wrapped) {
  return load_key_as(KeyPurpose::kData, wrapped);
}

Status KeyRing::load_index_key(const WrappedDataKey& wrapped) {
  return load_key_as(KeyPurpose::kBlindIndex, wrapped);
}

Status KeyRing::load_integrity_key(const WrappedDataKey& wrapped) {
  return load_key_as(KeyPurpose::kIntegrity, wrapped);
}

Status KeyRing::load_key_as(KeyPurpose expected, const WrappedDataKey& wrapped) {
  if (wrapped.purpose != expected) {
    return Error(ErrorCode::kInvalidArgument, "load " + std::string(purpose_label(expected)) +
                                                  ": the record holds a " +
                                                  std::string(purpose_label(wrapped.purpose)));
  }
  return load_key(wrapped);
}

}  // namespace th::crypto
