#include "messaging/message_store.h"

#include <algorithm>

#include "storage/row_values.h"

namespace th::messaging {
namespace {

constexpr const char* kTable = "messages";
constexpr const char* kColumns =
    "id, conversation_id, seq, sender_id, sent_at, client_ref, body_enc, version, integrity_tag";
// Messages are never edited; the row version says what the tag covers.
// Version 1 rows (written before it took them in) have a tag without the
// sequence number and the time; version 2 rows have both, so a message
// cannot be moved to another place in its conversation or back in time.
constexpr std::int64_t kVersion = 2;
constexpr std::int64_t kPlaceTaggedSince = 2;

storage::StoredFields tagged_fields(const std::string& body_enc, const Message& message,
                                    std::int64_t version) {
  storage::StoredFields fields = {{"body", body_enc},
                                  {"conversation_id", message.conversation_id},
                                  {"sender_id", message.sender_id},
                                  {"client_ref", message.client_ref}};
  if (version >= kPlaceTaggedSince) {
    fields.emplace_back("seq", std::to_string(message.seq));
    fields.emplace_back("sent_at", std::to_string(message.sent_at));
  }
  return fields;
}

}  // namespace

const storage::SealedTableLayout& MessageStore::layout() {
  static const storage::SealedTableLayout layout{kTable,
                                                 "id",
                                                 {{"body", "body_enc"}},
                                                 {"conversation_id", "sender_id", "client_ref"},
                                                 {"seq", "sent_at"},
                                                 true,
                                                 kPlaceTaggedSince};
  return layout;
}

Status MessageStore::insert(soci::session& session, const Message& message) {
  auto body = protection_.seal(message.body, {kTable, "body", message.id});
  if (!body.ok()) {
    return body.error();
  }
  const std::string tag = protection_.integrity_tag(kTable, message.id, kVersion,
                                                    tagged_fields(*body, message, kVersion));
  const std::int64_t version = kVersion;
  session << "INSERT INTO messages (id, conversation_id, seq, sender_id, sent_at, client_ref, "
             "body_enc, version, integrity_tag) VALUES (:id, :conversation, :seq, :sender, :at, "
             ":ref, :body, :version, :tag)",
      soci::use(message.id), soci::use(message.conversation_id), soci::use(message.seq),
      soci::use(message.sender_id), soci::use(message.sent_at), soci::use(message.client_ref),
      soci::use(*body), soci::use(version), soci::use(tag);
  return ok_status();
}

Result<std::vector<Message>> MessageStore::decode_all(soci::rowset<soci::row>& rows) {
  std::vector<Message> messages;
  for (const soci::row& row : rows) {
    Message message;
    message.id = storage::column_text(row, 0);
    message.conversation_id = storage::column_text(row, 1);
    message.seq = storage::column_int64(row, 2);
    message.sender_id = storage::column_text(row, 3);
    message.sent_at = storage::column_int64(row, 4);
    message.client_ref = storage::column_text(row, 5);
    const std::string body_enc = storage::column_text(row, 6);
    const std::int64_t version = storage::column_int64(row, 7);
    if (!protection_.verify_integrity(kTable, message.id, version,
                                      tagged_fields(body_enc, message, version),
                                      storage::column_text(row, 8))) {
      return Error(ErrorCode::kDataLoss, "message " + message.id + " failed its integrity check");
    }
    auto body = protection_.open(body_enc, {kTable, "body", message.id});
    if (!body.ok()) {
      return body.error();
    }
    message.body = std::move(*body);
    messages.push_back(std::move(message));
  }
  return messages;
}

Result<std::optional<Message>> MessageStore::find_by_client_ref(soci::session& session,
                                                                const std::string& conversation_id,
                                                                const std::string& sender_id,
                                                                const std::string& client_ref) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM messages WHERE conversation_id = :conversation AND "
                              "sender_id = :sender AND client_ref = :ref",
       soci::use(conversation_id), soci::use(sender_id), soci::use(client_ref));
  auto found = decode_all(rows);
  if (!found.ok()) {
    return found.error();
  }
  if (found->empty()) {
    return std::optional<Message>();
  }
  return std::optional<Message>(std::move(found->front()));
}

Result<std::vector<Message>> MessageStore::range(soci::session& session,
                                                 const std::string& conversation_id,
                                                 const MessageRange& range) {
  // With only an upper bound the newest messages below it are wanted: read
  // them newest first, then put them back in order.
  const bool newest = range.after == 0 && range.before > 0;
  const std::int64_t before = range.before > 0 ? range.before : INT64_MAX;
  const long long limit = static_cast<long long>(range.limit);
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM messages WHERE conversation_id = :conversation AND "
                              "seq > :after AND seq < :before ORDER BY seq " +
                              (newest ? "DESC" : "ASC") + " LIMIT :limit",
       soci::use(conversation_id), soci::use(range.after), soci::use(before), soci::use(limit));
  auto messages = decode_all(rows);
  if (messages.ok() && newest) {
    std::reverse(messages->begin(), messages->end());
  }
  return messages;
}

}  // namespace th::messaging
