// CalendarTokenStore: the secret tokens of practitioners' calendar feeds
// (the calendar_feed_tokens table). A feed URL carries its token, and the
// token is the only credential a calendar client can present, so:
//   - tokens are 256 random bits, shown once when issued and stored only as
//     their SHA-256 (a stolen table lets nobody read a feed);
//   - a practitioner has at most one token in force (a partial unique
//     index); rotate() revokes it and issues the next in one transaction,
//     revoke() ends it without a successor;
//   - lookups compare the stored hash with the presented token's in
//     constant time.
// Methods run on the caller's session (rotate and revoke inside a write
// transaction) and throw what SOCI throws; thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::notify {

struct IssuedFeedToken {
  std::string id;
  std::string practitioner_id;
  std::string token;  // the secret itself: shown once, never stored
  UnixMicros created_at = 0;
};

struct FeedTokenOwner {
  std::string token_id;
  std::string practitioner_id;
  UnixMicros last_used_at = 0;
};

class CalendarTokenStore {
 public:
  // kNotFound when `practitioner_id` is not a practitioner.
  [[nodiscard]] Result<IssuedFeedToken> rotate(soci::session& session,
                                               const std::string& practitioner_id,
                                               const std::string& created_by, UnixMicros now);

  // Ends the practitioner's token in force; false when there was none.
  [[nodiscard]] bool revoke(soci::session& session, const std::string& practitioner_id,
                            UnixMicros now);

  // The owner of `token` while it is in force; nullopt for a malformed,
  // unknown or revoked token.
  [[nodiscard]] std::optional<FeedTokenOwner> find(soci::session& session, std::string_view token);

  // Records a use, at most once an hour per token (a feed is polled often).
  void touch(soci::session& session, const FeedTokenOwner& owner, UnixMicros now);

  [[nodiscard]] bool practitioner_exists(soci::session& session,
                                         const std::string& practitioner_id);
};

}  // namespace th::notify
