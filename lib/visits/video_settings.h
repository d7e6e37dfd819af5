// VideoSettings: the [video] configuration as the visit rooms use it. The
// TURN secret is the file's content, read at start-up; it never appears in
// a log line or a reply. A plain value.
#pragma once

#include <string>
#include <vector>

namespace th::visits {

struct VideoSettings {
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;  // empty: no TURN server offered
  int turn_credential_ttl_seconds = 3600;
  int rejoin_grace_seconds = 60;
  int max_participants = 6;
};

}  // namespace th::visits
