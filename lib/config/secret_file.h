// Reading secrets (TLS private key, database password) from files.
//
// A secret setting holds either a path or "credential:NAME". The latter names
// a systemd credential: the file NAME in the directory that systemd passes in
// $CREDENTIALS_DIRECTORY (LoadCredential= / LoadCredentialEncrypted= in the
// unit), so the secret never has to sit in a world-readable place.
//
// These functions only read. Deciding what to do about a secret file that
// group or others can read (warn, refuse) is the caller's policy; it asks
// secret_file_is_private(). Error messages name the file and never quote its
// content. Thread-safe as long as nobody changes the environment meanwhile.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th {

inline constexpr std::string_view kCredentialPrefix = "credential:";
inline constexpr std::size_t kMaxSecretFileBytes = 1 << 20;

// True for "credential:..." references, valid or not.
[[nodiscard]] bool is_credential_reference(std::string_view path_or_credential);

// A systemd credential name: not empty, no '/', not "." or "..".
[[nodiscard]] bool is_valid_credential_name(std::string_view name);

// The file a secret setting refers to: a path unchanged, or
// $CREDENTIALS_DIRECTORY/NAME. Fails with kFailedPrecondition when a
// credential is named but CREDENTIALS_DIRECTORY is unset or empty, and with
// kInvalidArgument for an invalid credential name.
[[nodiscard]] Result<std::string> resolve_secret_path(const std::string& path_or_credential);

// Reads the secret, without one trailing newline if present. Fails as
// resolve_secret_path() does, or with "read secret file '<path>': <reason>"
// (kNotFound, kPermissionDenied, kInvalidArgument for a non-regular file or
// one above kMaxSecretFileBytes, kInternal otherwise).
[[nodiscard]] Result<std::string> read_secret_file(const std::string& path_or_credential);

// True when the file exists and neither group nor others have any
// permission on it (mode & 077 == 0). False when it cannot be examined.
[[nodiscard]] bool secret_file_is_private(const std::string& path_or_credential);

}  // namespace th
