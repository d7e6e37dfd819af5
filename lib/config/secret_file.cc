#include "config/secret_file.h"

#include <sys/stat.h>

#include <cstdlib>

#include "config/small_file.h"

namespace th {

bool is_credential_reference(std::string_view path_or_credential) {
  return path_or_credential.starts_with(kCredentialPrefix);
}

bool is_valid_credential_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

Result<std::string> resolve_secret_path(const std::string& path_or_credential) {
  if (!is_credential_reference(path_or_credential)) {
    return path_or_credential;
  }
  const std::string_view name =
      std::string_view(path_or_credential).substr(kCredentialPrefix.size());
  if (!is_valid_credential_name(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "resolve secret '" + path_or_credential + "': invalid credential name");
  }
  const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
  if (directory == nullptr || *directory == '\0') {
    return Error(ErrorCode::kFailedPrecondition,
                 "resolve secret '" + path_or_credential +
                     "': CREDENTIALS_DIRECTORY is not set (is LoadCredential= in the unit?)");
  }
  std::string path(directory);
  if (!path.ends_with('/')) {
    path += '/';
  }
  path += name;
  return path;
}

Result<std::string> read_secret_file(const std::string& path_or_credential) {
  auto path = resolve_secret_path(path_or_credential);
  if (!path.ok()) {
    return path.error();
  }
  auto content = read_small_file(*path, kMaxSecretFileBytes, "secret file");
  if (!content.ok()) {
    return content.error();
  }
  // Files written by `echo` or an editor end in a newline that is not part
  // of the password; only one is removed so a secret may still end in
  // whitespace on purpose.
  if (content->ends_with('\n')) {
    content->pop_back();
  }
  return content;
}

bool secret_file_is_private(const std::string& path_or_credential) {
  const auto path = resolve_secret_path(path_or_credential);
  struct stat info {};
  if (!path.ok() || ::stat(path->c_str(), &info) != 0) {
    return false;
  }
  return (info.st_mode & 077) == 0;
}

}  // namespace th
