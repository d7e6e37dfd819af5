#include "storage/key_ring_protection.h"

#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::storage {
namespace {

constexpr crypto::KeyPurpose kPurposes[] = {
    crypto::KeyPurpose::kData, crypto::KeyPurpose::kBlindIndex, crypto::KeyPurpose::kIntegrity};

Result<std::vector<crypto::WrappedDataKey>> read_keys(soci::session& session) {
  std::vector<crypto::WrappedDataKey> keys;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT id, purpose, kek_id, wrapped, created_at FROM data_keys");
  for (const soci::row& row : rows) {
    crypto::WrappedDataKey key;
    key.dek_id = row.get<std::string>(0);
    auto purpose = crypto::parse_key_purpose(row.get<std::string>(1));
    auto wrapped = crypto::base64_decode(row.get<std::string>(3));
    if (!purpose.ok() || !wrapped.ok()) {
      return Error(ErrorCode::kDataLoss, "stored key " + key.dek_id + " is malformed");
    }
    key.purpose = *purpose;
    key.kek_id = row.get<std::string>(2);
    key.wrapped = std::move(*wrapped);
    key.created_at = column_int64(row, 4);
    keys.push_back(std::move(key));
  }
  return keys;
}

void insert_key(soci::session& session, const crypto::WrappedDataKey& key) {
  const std::string purpose(crypto::key_purpose_name(key.purpose));
  const std::string wrapped = crypto::base64_encode(key.wrapped);
  const long long created_at = key.created_at;
  session << "INSERT INTO data_keys (id, purpose, kek_id, wrapped, created_at) "
             "VALUES (:id, :purpose, :kek, :wrapped, :created)",
      soci::use(key.dek_id), soci::use(purpose), soci::use(key.kek_id), soci::use(wrapped),
      soci::use(created_at);
}

}  // namespace

KeyRingProtection::KeyRingProtection(crypto::KeyRing ring) : ring_(std::move(ring)) {}

Result<std::unique_ptr<KeyRingProtection>> KeyRingProtection::open(
    Database& database, std::vector<std::string> kek_bytes, const Clock& clock) {
  // Two attempts: when another daemon creates the keys between our read and
  // our insert, our insert conflicts, and a fresh ring finds its keys.
  for (int attempt = 0;; ++attempt) {
    auto ring = crypto::KeyRing::create(kek_bytes);
    if (!ring.ok()) {
      return ring.error();
    }
    std::unique_ptr<KeyRingProtection> protection(new KeyRingProtection(std::move(*ring)));
    Status loaded = protection->load_or_create(database, clock);
    if (!loaded.ok()) {
      if (loaded.error().code() == ErrorCode::kConflict && attempt == 0) {
        continue;
      }
      return loaded.error();
    }
    auto index_key = protection->ring_.current_key(crypto::KeyPurpose::kBlindIndex);
    auto integrity_key = protection->ring_.current_key(crypto::KeyPurpose::kIntegrity);
    if (!index_key.ok() || !integrity_key.ok()) {
      return Error(ErrorCode::kFailedPrecondition, "the key table lacks an index or integrity key");
    }
    protection->cipher_ = std::make_unique<crypto::FieldCipher>(protection->ring_);
    protection->indexer_ = std::make_unique<crypto::BlindIndexer>(std::string(*index_key));
    protection->tagger_ = std::make_unique<crypto::IntegrityTagger>(std::string(*integrity_key));
    return protection;
  }
}

Status KeyRingProtection::load_or_create(Database& database, const Clock& clock) {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  for (const crypto::WrappedDataKey& key : *stored) {
    if (Status loaded = ring_.load_key(key); !loaded.ok()) {
      return loaded.error().with_context("unwrap stored key " + key.dek_id +
                                         " (is the right key-encryption key configured?)");
    }
  }
  std::vector<crypto::WrappedDataKey> missing;
  for (const crypto::KeyPurpose purpose : kPurposes) {
    if (ring_.current_key_id(purpose).empty()) {
      auto created = ring_.new_key(purpose);
      if (!created.ok()) {
        return created.error();
      }
      created->created_at = clock.now_micros();
      missing.push_back(*created);
    }
  }
  if (missing.empty()) {
    return ok_status();
  }
  return database.run_write_transaction([&](soci::session& session) {
    for (const auto& key : missing) {
      insert_key(session, key);
    }
  });
}

Result<std::string> KeyRingProtection::seal(std::string_view plaintext, const FieldRef& field) {
  return cipher_->seal(plaintext, {field.table, field.column, field.row_id});
}

Result<std::string> KeyRingProtection::open(std::string_view stored, const FieldRef& field) {
  return cipher_->open(stored, {field.table, field.column, field.row_id});
}

std::string KeyRingProtection::blind_index(std::string_view purpose,
                                           std::string_view normalized) const {
  return indexer_->index(purpose, normalized);
}

std::string KeyRingProtection::integrity_tag(std::string_view table, std::string_view row_id,
                                             std::int64_t version,
                                             const StoredFields& fields) const {
  return tagger_->tag(table, row_id, version, fields);
}

bool KeyRingProtection::verify_integrity(std::string_view table, std::string_view row_id,
                                         std::int64_t version, const StoredFields& fields,
                                         std::string_view tag) const {
  return tagger_->verify(table, row_id, version, fields, tag);
}

Result<std::size_t> KeyRingProtection::rewrap_all(Database& database) {
  return database.run_write_transaction([&](soci::session& session) -> Result<std::size_t> {
    auto stored = read_keys(session);
    if (!stored.ok()) {
      return stored.error();
    }
    std::size_t count = 0;
    const std::string current = ring_.current_kek_id();
    for (const auto& key : *stored) {
      if (key.kek_id == current) {
        continue;
      }
      auto rewrapped = ring_.rewrap(key);
      if (!rewrapped.ok()) {
        return rewrapped.error();
      }
      const std::string wrapped = crypto::base64_encode(rewrapped->wrapped);
      session << "UPDATE data_keys SET kek_id = :kek, wrapped = :wrapped WHERE id = :id",
          soci::use(rewrapped->kek_id), soci::use(wrapped), soci::use(key.dek_id);
      ++count;
    }
    return count;
  });
}

Result<KeyStatus> KeyRingProtection::status(Database& database) const {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  KeyStatus status;
  status.current_kek_id = ring_.current_kek_id();
  status.keys_total = stored->size();
  for (const auto& key : *stored) {
    if (key.kek_id == status.current_kek_id) {
      ++status.keys_under_current_kek;
    }
  }
  return status;
}

}  // namespace th::storage
