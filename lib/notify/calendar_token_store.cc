#include "notify/calendar_token_store.h"

#include <algorithm>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/uuid.h"
#include "storage/row_values.h"

namespace th::notify {
namespace {

constexpr std::size_t kTokenLength = 43;  // crypto::random_token()
constexpr UnixMicros kTouchIntervalMicros = 3600LL * 1'000'000;

bool is_well_formed_token(std::string_view token) {
  return token.size() == kTokenLength && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

std::string token_hash(std::string_view token) {
  return crypto::hex_encode(crypto::sha256(token));
}

}  // namespace

bool CalendarTokenStore::practitioner_exists(soci::session& session,
                                             const std::string& practitioner_id) {
  int count = 0;
  session << "SELECT COUNT(*) FROM practitioners WHERE user_id = :id", soci::use(practitioner_id),
      soci::into(count);
  return count > 0;
}

Result<IssuedFeedToken> CalendarTokenStore::rotate(soci::session& session,
                                                   const std::string& practitioner_id,
                                                   const std::string& created_by, UnixMicros now) {
  if (!practitioner_exists(session, practitioner_id)) {
    return Error(ErrorCode::kNotFound, "no practitioner with that id");
  }
  (void)revoke(session, practitioner_id, now);
  IssuedFeedToken issued;
  issued.id = crypto::new_uuid_v4();
  issued.practitioner_id = practitioner_id;
  issued.token = crypto::random_token();
  issued.created_at = now;
  const std::string hash = token_hash(issued.token);
  session << "INSERT INTO calendar_feed_tokens (id, practitioner_id, token_hash, created_by, "
             "created_at, last_used_at, revoked_at) VALUES (:id, :practitioner, :hash, :by, "
             ":created, 0, 0)",
      soci::use(issued.id), soci::use(practitioner_id), soci::use(hash), soci::use(created_by),
      soci::use(now);
  return issued;
}

bool CalendarTokenStore::revoke(soci::session& session, const std::string& practitioner_id,
                                UnixMicros now) {
  soci::statement revoke =
      (session.prepare << "UPDATE calendar_feed_tokens SET revoked_at = :now "
                          "WHERE practitioner_id = :practitioner AND revoked_at = 0",
       soci::use(now), soci::use(practitioner_id));
  revoke.execute(true);
  return revoke.get_affected_rows() > 0;
}

std::optional<FeedTokenOwner> CalendarTokenStore::find(soci::session& session,
                                                       std::string_view token) {
  if (!is_well_formed_token(token)) {
    return std::nullopt;
  }
  const std::string presented = token_hash(token);
  soci::row row;
  session << "SELECT id, practitioner_id, token_hash, last_used_at FROM calendar_feed_tokens "
             "WHERE token_hash = :hash AND revoked_at = 0",
      soci::use(presented), soci::into(row);
  // The index lookup found a row by its hash; comparing the whole hash in
  // constant time as well keeps the decision itself free of timing.
  if (!session.got_data() ||
      !crypto::constant_time_equal(storage::column_text(row, 2), presented)) {
    return std::nullopt;
  }
  FeedTokenOwner owner;
  owner.token_id = storage::column_text(row, 0);
  owner.practitioner_id = storage::column_text(row, 1);
  owner.last_used_at = storage::column_int64(row, 3);
  return owner;
}

void CalendarTokenStore::touch(soci::session& session, const FeedTokenOwner& owner,
                               UnixMicros now) {
  if (now - owner.last_used_at < kTouchIntervalMicros) {
    return;
  }
  session << "UPDATE calendar_feed_tokens SET last_used_at = :now WHERE id = :id", soci::use(now),
      soci::use(owner.token_id);
}

}  // namespace th::notify
