#include "server/session_authenticator.h"

#include <Poco/Net/NameValueCollection.h>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace th::server {
namespace {

std::string cookie_value(const ApiRequest& request, const std::string& name) {
  const std::string header = request.header("Cookie");
  std::size_t start = 0;
  while (start < header.size()) {
    const auto end = header.find(';', start);
    std::string part =
        header.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const auto first = part.find_first_not_of(' ');
    if (first != std::string::npos) {
      part = part.substr(first);
    }
    if (part.starts_with(name + "=")) {
      return part.substr(name.size() + 1);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

std::string csrf_token_for(std::string_view session_secret) {
  return crypto::hex_encode(crypto::sha256("csrf:" + std::string(session_secret)));
}

std::string session_cookie(std::string_view session_secret, std::int64_t max_age_seconds) {
  return std::string(kSessionCookie) + "=" + std::string(session_secret) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
}

std::string presented_credential(const ApiRequest& request) {
  const std::string authorization = request.header("Authorization");
  if (authorization.starts_with("Bearer ")) {
    return authorization.substr(7);
  }
  return authorization.empty() ? cookie_value(request, kSessionCookie) : "";
}

Result<access::Principal> SessionAuthenticator::authenticate(const ApiRequest& request) {
  const bool interactive = request.header("X-Background") != "1";
  const std::string authorization = request.header("Authorization");
  if (authorization.starts_with("Bearer ")) {
    return authenticate_secret(authorization.substr(7), interactive);
  }
  if (!authorization.empty()) {
    return Error(ErrorCode::kUnauthenticated, "invalid_token: use Authorization: Bearer");
  }
  const std::string cookie = cookie_value(request, kSessionCookie);
  if (cookie.empty()) {
    return access::Principal{};
  }
  if (request.method != "GET" && request.method != "HEAD" &&
      !crypto::constant_time_equal(request.header("X-CSRF-Token"), csrf_token_for(cookie))) {
    return Error(ErrorCode::kPermissionDenied,
                 "csrf_failed: this request needs the X-CSRF-Token header");
  }
  return authenticate_secret(cookie, interactive);
}

Result<access::Principal> SessionAuthenticator::authenticate_secret(const std::string& secret,
                                                                    bool interactive) {
  if (secret.starts_with(access::kGuestSessionPrefix)) {
    if (guests_ == nullptr) {
      return Error(ErrorCode::kUnauthenticated, "invalid_token: guest sessions are not served");
    }
    return guests_->authenticate_guest(secret);
  }
  return cache_.authenticate(secret, interactive);
}

}  // namespace th::server
