// TURN credentials in coturn's shared-secret scheme, against values
// computed independently (Python's hmac and base64 modules):
//   base64(HMAC-SHA1("north-wind-turn-secret",
//                    "1767229200:3f2b6c1e-0000-4000-8000-00000000abcd"))

#include "visits/turn_credentials.h"

#include <gtest/gtest.h>

namespace th::visits {
namespace {

constexpr UnixMicros kNow = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

VideoSettings settings() {
  VideoSettings video;
  video.stun_urls = {"stun:turn.example.org:3478"};
  video.turn_urls = {"turn:turn.example.org:3478?transport=udp",
                     "turns:turn.example.org:5349?transport=tcp"};
  video.turn_secret = "north-wind-turn-secret";
  video.turn_credential_ttl_seconds = 3600;
  return video;
}

TEST(TurnCredentialsTest, PasswordIsBase64OfHmacSha1OfTheUsername) {
  EXPECT_EQ(turn_password("north-wind-turn-secret", "1767225660:p-1"),
            "8V1kBrH0e9enPSeECwURoV5pPSI=");
}

TEST(TurnCredentialsTest, UsernameIsExpiryAndParticipantWithAMatchingPassword) {
  const IceConfig ice = ice_config_for(settings(), "3f2b6c1e-0000-4000-8000-00000000abcd", kNow);

  ASSERT_EQ(ice.servers.size(), 2U);
  EXPECT_EQ(ice.servers[0].urls, std::vector<std::string>{"stun:turn.example.org:3478"});
  EXPECT_TRUE(ice.servers[0].username.empty());
  EXPECT_EQ(ice.servers[1].urls.size(), 2U);
  EXPECT_EQ(ice.expires_at, 1'767'229'200);
  EXPECT_EQ(ice.servers[1].username, "1767229200:3f2b6c1e-0000-4000-8000-00000000abcd");
  EXPECT_EQ(ice.servers[1].credential, "mxPK03N/hs59gYPxUXSoWNx2L1g=");
}

TEST(TurnCredentialsTest, WithoutASecretOnlyStunIsOffered) {
  VideoSettings video = settings();
  video.turn_secret.clear();

  const IceConfig ice = ice_config_for(video, "p-1", kNow);

  ASSERT_EQ(ice.servers.size(), 1U);
  EXPECT_EQ(ice.expires_at, 0);
}

}  // namespace
}  // namespace th::visits
