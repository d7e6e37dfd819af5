// TURN credentials in coturn's shared-secret scheme (use-auth-secret, the
// "TURN REST API" of draft-uberti-behave-turn-rest): the username is
// "EXPIRY:PARTICIPANT_ID" (Unix seconds, no personal data) and the password
// base64(HMAC-SHA1(secret, username)), which the TURN server recomputes
// from the same secret and accepts until EXPIRY. IceConfig is the ice
// object of lib/realtime/PROTOCOL.md. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "visits/video_settings.h"

namespace th::visits {

struct IceServer {
  std::vector<std::string> urls;
  std::string username;    // TURN only
  std::string credential;  // TURN only
};

struct IceConfig {
  std::vector<IceServer> servers;
  std::int64_t expires_at = 0;  // Unix seconds; 0 when no TURN server is offered
};

// The TURN password for `username` under `secret`.
std::string turn_password(std::string_view secret, std::string_view username);

// The STUN and TURN servers of `settings` for `participant_id` at `now`,
// with TURN credentials valid for the configured lifetime. Without TURN
// URLs or secret only the STUN servers are offered.
IceConfig ice_config_for(const VideoSettings& settings, std::string_view participant_id,
                         UnixMicros now);

}  // namespace th::visits
