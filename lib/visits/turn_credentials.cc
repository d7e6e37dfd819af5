#include "visits/turn_credentials.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace th::visits {

std::string turn_password(std::string_view secret, std::string_view username) {
  return crypto::base64_encode(crypto::hmac_sha1(secret, username));
}

IceConfig ice_config_for(const VideoSettings& settings, std::string_view participant_id,
                         UnixMicros now) {
  IceConfig config;
  if (!settings.stun_urls.empty()) {
    config.servers.push_back(IceServer{settings.stun_urls, "", ""});
  }
  if (settings.turn_urls.empty() || settings.turn_secret.empty()) {
    return config;
  }
  config.expires_at = now / 1'000'000 + settings.turn_credential_ttl_seconds;
  const std::string username =
      std::to_string(config.expires_at) + ":" + std::string(participant_id);
  config.servers.push_back(
      IceServer{settings.turn_urls, username, turn_password(settings.turn_secret, username)});
  return config;
}

}  // namespace th::visits
