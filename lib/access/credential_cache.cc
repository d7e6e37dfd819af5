#include "access/credential_cache.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace th::access {
namespace {

Error unauthenticated(std::string_view reason, std::string_view detail) {
  return Error(ErrorCode::kUnauthenticated, std::string(reason) + ": " + std::string(detail));
}

}  // namespace

std::string hash_bearer_secret(std::string_view secret) {
  return crypto::hex_encode(crypto::sha256(secret));
}

CredentialCache::CredentialCache(storage::Database& database, UserStore& users,
                                 SessionStore& sessions, RoleStore& roles, SecurityEventLog& events,
                                 const Clock& clock)
    : database_(database),
      users_(users),
      sessions_(sessions),
      roles_(roles),
      events_(events),
      clock_(clock) {}

Result<Principal> CredentialCache::authenticate(std::string_view secret, bool interactive) {
  if (secret.empty() || secret.size() > 128) {
    return unauthenticated(kReasonInvalidToken, "the credential is not valid");
  }
  return authenticate_token_hash(hash_bearer_secret(secret), interactive);
}

Result<Principal> CredentialCache::authenticate_token_hash(const std::string& token_hash,
                                                           bool interactive) {
  auto entry = checked_entry(token_hash, interactive);
  if (!entry.ok()) {
    return entry.error();
  }
  return (*entry)->principal;
}

Result<std::shared_ptr<const Principal>> CredentialCache::share_token_hash(
    const std::string& token_hash, bool interactive) {
  auto entry = checked_entry(token_hash, interactive);
  if (!entry.ok()) {
    return entry.error();
  }
  return std::shared_ptr<const Principal>(*entry, &(*entry)->principal);
}

Result<std::shared_ptr<const Principal>> CredentialCache::share_token_hash(
    const std::string& token_hash, bool interactive, Held& held) {
  if (held.entry_ == nullptr || !held.entry_->cached.load()) {
    auto entry = checked_entry(token_hash, interactive);
    if (!entry.ok()) {
      held.entry_.reset();
      return entry.error();
    }
    held.entry_ = *entry;
  } else {
    TH_RETURN_IF_ERROR(check(held.entry_, interactive));
  }
  return std::shared_ptr<const Principal>(held.entry_, &held.entry_->principal);
}

Result<std::shared_ptr<CredentialCache::Entry>> CredentialCache::checked_entry(
    const std::string& token_hash, bool interactive) {
  std::shared_ptr<Entry> entry;
  {
    std::shared_lock lock(mutex_);
    if (const auto found = by_token_hash_.find(token_hash); found != by_token_hash_.end()) {
      entry = found->second;
    }
  }
  if (!entry) {
    const std::int64_t events_before = last_event_id_.load();
    auto loaded = load(token_hash);
    if (!loaded.ok()) {
      return loaded.error();
    }
    entry = *loaded;
    // A security event applied while the row was being read may have named
    // this credential before it was cached, and would then never drop it:
    // such an entry serves this request only, and the next one reads the
    // row again. poll_security_events() moves the event id before it drops
    // anything, so whichever order the two take, one of them wins.
    std::unique_lock lock(mutex_);
    if (last_event_id_.load() == events_before) {
      entry->cached = true;
      by_token_hash_[token_hash] = entry;
    }
  }
  TH_RETURN_IF_ERROR(check(entry, interactive));
  return entry;
}

// Where this cache starts reading the security event log, taken once: by
// the first poll, or by the first credential read before it if that comes
// first, and always before that read, so that no revocation committed
// after a cached row was read can fall before the starting point.
void CredentialCache::start_reading_events_at_end(soci::session& session) {
  if (last_event_id_.load() >= 0) {
    return;
  }
  std::int64_t unset = -1;
  last_event_id_.compare_exchange_strong(unset, events_.last_id(session));
}

Result<std::shared_ptr<CredentialCache::Entry>> CredentialCache::load(
    const std::string& token_hash) {
  struct Loaded {
    std::optional<SessionRecord> record;
    std::optional<User> user;
    std::optional<Role> role;
  };
  auto loaded = database_.run([&](soci::session& session) -> Result<Loaded> {
    start_reading_events_at_end(session);
    Loaded result;
    auto record = sessions_.find_by_token_hash(session, token_hash);
    if (!record.ok()) {
      return record.error();
    }
    result.record = std::move(*record);
    if (!result.record) {
      return result;
    }
    auto user = users_.find_by_id(session, result.record->user_id);
    if (!user.ok()) {
      return user.error();
    }
    result.user = std::move(*user);
    auto role = roles_.find(session, result.record->role);
    if (!role.ok()) {
      return role.error();
    }
    result.role = std::move(*role);
    return result;
  });
  if (!loaded.ok()) {
    return loaded.error();
  }
  if (!loaded->record || !loaded->user || !loaded->role) {
    return unauthenticated(kReasonInvalidToken, "the credential is not valid");
  }
  if (loaded->record->revoked()) {
    // An automatic log-off keeps saying so on every later use, on every
    // daemon, so a client can tell its user why they were signed out.
    if (loaded->record->revoked_reason == kReasonIdle) {
      return unauthenticated(kReasonIdle, "signed out after a period of inactivity");
    }
    return unauthenticated(kReasonRevoked, "this session was signed out or revoked");
  }
  if (loaded->user->status != UserStatus::kActive) {
    return unauthenticated(kReasonDisabled, "the account is disabled or locked");
  }

  auto entry = std::make_shared<Entry>();
  entry->record = *loaded->record;
  entry->last_seen = entry->record.last_seen_at;
  entry->flushed_seen = entry->record.last_seen_at;
  Principal& principal = entry->principal;
  principal.kind =
      entry->record.kind == CredentialKind::kToken ? PrincipalKind::kService : PrincipalKind::kUser;
  principal.user_id = loaded->user->id;
  principal.username = loaded->user->username;
  principal.role = loaded->role->name;
  principal.session_id = entry->record.id;
  principal.patient_id = loaded->user->patient_id;
  principal.mfa_enrolment_required = entry->record.kind == CredentialKind::kSession &&
                                     loaded->role->mfa_required && !entry->record.mfa_verified;
  principal.permissions = loaded->role->permissions;
  return entry;
}

Status CredentialCache::check(const std::shared_ptr<Entry>& entry, bool interactive) {
  const UnixMicros now = clock_.now_micros();
  const SessionRecord& record = entry->record;
  if (now >= record.expires_at) {
    forget_session(record.id);
    return unauthenticated(kReasonExpired, "the session reached its maximum lifetime");
  }
  if (record.idle_timeout_seconds > 0 &&
      now - entry->last_seen.load() >
          static_cast<UnixMicros>(record.idle_timeout_seconds) * 1'000'000) {
    auto idle = revoke_for_idle(entry, now);
    if (!idle.ok()) {
      return idle.error();
    }
    if (*idle) {
      return unauthenticated(kReasonIdle, "signed out after a period of inactivity");
    }
  }
  if (interactive) {
    UnixMicros seen = entry->last_seen.load();
    while (seen < now && !entry->last_seen.compare_exchange_weak(seen, now)) {
    }
  }
  return ok_status();
}

// Called when this daemon's view says the session is idle. Another daemon
// may have served it since (its activity reaches the database in batches),
// so the stored time decides; only a session idle there too is revoked.
Result<bool> CredentialCache::revoke_for_idle(const std::shared_ptr<Entry>& entry, UnixMicros now) {
  const std::string id = entry->record.id;
  const UnixMicros limit = static_cast<UnixMicros>(entry->record.idle_timeout_seconds) * 1'000'000;
  auto revoked = database_.run_write_transaction([&](soci::session& session) {
    // A stored row that fails its check is revoked like an idle one.
    const auto found = sessions_.find_by_id(session, id);
    const std::optional<SessionRecord> stored = found.ok() ? *found : std::nullopt;
    if (stored && !stored->revoked() && now - stored->last_seen_at <= limit) {
      UnixMicros seen = entry->last_seen.load();
      while (seen < stored->last_seen_at &&
             !entry->last_seen.compare_exchange_weak(seen, stored->last_seen_at)) {
      }
      return false;
    }
    const bool changed = sessions_.revoke(session, id, std::string(kReasonIdle), now);
    if (changed) {
      events_.append(session, SecurityEventKind::kSessionRevoked, id, now);
    }
    return changed;
  });
  if (!revoked.ok()) {
    return revoked.error();
  }
  if (!*revoked && now - entry->last_seen.load() <= limit) {
    return false;
  }
  forget_session(id);
  if (*revoked) {
    std::lock_guard lock(idle_mutex_);
    idle_logoffs_.push_back({id, entry->record.user_id, entry->record.role});
  }
  return true;
}

std::vector<CredentialCache::IdleLogoff> CredentialCache::take_idle_logoffs() {
  std::lock_guard lock(idle_mutex_);
  return std::exchange(idle_logoffs_, {});
}

Result<int> CredentialCache::poll_security_events() {
  auto events = database_.run([&](soci::session& session) {
    if (last_event_id_.load() < 0) {
      // Nothing is cached yet, so only later events matter.
      start_reading_events_at_end(session);
      return std::vector<SecurityEvent>{};
    }
    return events_.read_after(session, last_event_id_.load());
  });
  if (!events.ok()) {
    return events.error();
  }
  for (const SecurityEvent& event : *events) {
    last_event_id_ = event.id;  // first: see authenticate_token_hash()
    switch (event.kind) {
      case SecurityEventKind::kSessionRevoked:
        forget_session(event.subject_id);
        break;
      case SecurityEventKind::kUserChanged:
        forget_user(event.subject_id);
        break;
      case SecurityEventKind::kRoleChanged:
        forget_everything();
        break;
    }
  }
  return static_cast<int>(events->size());
}

Status CredentialCache::flush_activity() {
  std::vector<std::pair<std::string, UnixMicros>> pending;
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [hash, entry] : by_token_hash_) {
      if (entry->last_seen.load() > entry->flushed_seen.load()) {
        pending.emplace_back(entry->record.id, entry->last_seen.load());
        entries.push_back(entry);
      }
    }
  }
  if (pending.empty()) {
    return ok_status();
  }
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) {
    for (const auto& [id, seen] : pending) {
      sessions_.record_activity(session, id, seen);
    }
  }));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i]->flushed_seen = pending[i].second;
  }
  return ok_status();
}

void CredentialCache::forget_session(const std::string& session_id) {
  forget_where([&](const Entry& entry) { return entry.record.id == session_id; });
}

void CredentialCache::forget_user(const std::string& user_id) {
  forget_where([&](const Entry& entry) { return entry.record.user_id == user_id; });
}

void CredentialCache::forget_everything() {
  forget_where([](const Entry&) { return true; });
}

// A dropped entry is marked as well as removed: a connection holding it
// (Held) must look the credential up again.
void CredentialCache::forget_where(const std::function<bool(const Entry&)>& matches) {
  std::unique_lock lock(mutex_);
  std::erase_if(by_token_hash_, [&](const auto& item) {
    if (!matches(*item.second)) {
      return false;
    }
    item.second->cached = false;
    return true;
  });
}

std::size_t CredentialCache::size() const {
  std::shared_lock lock(mutex_);
  return by_token_hash_.size();
}

}  // namespace th::access
