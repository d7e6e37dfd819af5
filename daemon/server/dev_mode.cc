#include "server/dev_mode.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "crypto/ed25519_key.h"
#include "crypto/key_ring.h"
#include "crypto/tls_certificate.h"

namespace th::server {
namespace {

constexpr int kDevCertificateDays = 90;

Status make_private_directory(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return Error(ErrorCode::kFailedPrecondition,
                 "create directory '" + path.string() + "': " + error.message());
  }
  if (::chmod(path.c_str(), 0700) != 0) {
    return Error(ErrorCode::kFailedPrecondition,
                 "set mode of '" + path.string() + "': " + std::strerror(errno));
  }
  return ok_status();
}

std::string primary_group_name() {
  const group* entry = ::getgrgid(::getgid());
  return entry != nullptr ? entry->gr_name : "root";
}

}  // namespace

Status apply_dev_mode(Config& config, const std::string& state_dir) {
  std::error_code error;
  const std::filesystem::path root = std::filesystem::absolute(state_dir, error);
  if (error) {
    return Error(ErrorCode::kInvalidArgument,
                 "state directory '" + state_dir + "': " + error.message());
  }
  TH_RETURN_IF_ERROR(make_private_directory(root));
  TH_RETURN_IF_ERROR(make_private_directory(root / "tls"));

  config.storage.url = "sqlite://" + (root / "telehealth.db").string();
  config.tls.certificate_file = (root / "tls" / "cert.pem").string();
  config.tls.key_file = (root / "tls" / "key.pem").string();
  config.admin.socket_path = (root / "admin.sock").string();
  config.admin.group = primary_group_name();
  config.admin.socket_mode = "0660";
  TH_RETURN_IF_ERROR(make_private_directory(root / "keys"));
  config.keys.kek_file = (root / "keys" / "kek").string();
  config.keys.previous_kek_files.clear();
  config.audit.signing_key_file = (root / "keys" / "audit-signing.pem").string();
  return ok_status();
}

Status ensure_dev_kek(const Config& config) {
  if (std::filesystem::exists(config.keys.kek_file)) {
    return ok_status();
  }
  return crypto::generate_kek_file(config.keys.kek_file);
}

Status ensure_dev_audit_key(const Config& config) {
  if (std::filesystem::exists(config.audit.signing_key_file)) {
    return ok_status();
  }
  return crypto::Ed25519Key::generate_pem_file(config.audit.signing_key_file);
}

Result<bool> ensure_dev_certificate(const Config& config) {
  if (std::filesystem::exists(config.tls.certificate_file) &&
      std::filesystem::exists(config.tls.key_file)) {
    return false;
  }
  TH_RETURN_IF_ERROR(crypto::generate_self_signed_certificate(
      config.tls.certificate_file, config.tls.key_file, {"localhost"}, {"127.0.0.1", "::1"},
      kDevCertificateDays));
  return true;
}

}  // namespace th::server
