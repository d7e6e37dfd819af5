#include "messaging/message_store.h"

#include <algorithm>

#include "storage/row_values.h"

namespace th::messaging {
namespace {

constexpr const char* kTable = "messages";
constexpr const char* kColumns =
    "id, conversation_id, seq, sender_id, sent_at, client_ref, body_enc, version, integrity_tag, "
    "attachments_enc";
// Messages are never edited; the row version says what the tag covers.
// Version 1 rows (written before it took them in) have a tag without the
// sequence number and the time; version 2 rows have both, so a message
// cannot be moved to another place in its conversation or back in time.
// Version 3 rows also carry their attachments, sealed (empty when there
// are none) and tagged; older rows have none.
constexpr std::int64_t kVersion = 3;
constexpr std::int64_t kPlaceTaggedSince = 2;
constexpr std::int64_t kAttachmentsSince = 3;

storage::StoredFields tagged_fields(const std::string& body_enc, const std::string& attachments_enc,
                                    const Message& message, std::int64_t version) {
  storage::StoredFields fields = {{"body", body_enc}};
  if (version >= kAttachmentsSince) {
    fields.emplace_back("attachments", attachments_enc);
  }
  fields.emplace_back("conversation_id", message.conversation_id);
  fields.emplace_back("sender_id", message.sender_id);
  fields.emplace_back("client_ref", message.client_ref);
  if (version >= kPlaceTaggedSince) {
    fields.emplace_back("seq", std::to_string(message.seq));
    fields.emplace_back("sent_at", std::to_string(message.sent_at));
  }
  return fields;
}

// Attachment ids are UUIDs: joined by commas, they split back unchanged.
std::string joined(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) {
    text += (text.empty() ? "" : ",") + id;
  }
  return text;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    ids.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return ids;
}

}  // namespace

const storage::SealedTableLayout& MessageStore::layout() {
  static const storage::SealedTableLayout layout{
      kTable,
      "id",
      {{"body", "body_enc"}, {"attachments", "attachments_enc", true, kAttachmentsSince}},
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
  std::string attachments;
  if (!message.attachments.empty()) {
    auto sealed =
        protection_.seal(joined(message.attachments), {kTable, "attachments", message.id});
    if (!sealed.ok()) {
      return sealed.error();
    }
    attachments = std::move(*sealed);
  }
  const std::string tag = protection_.integrity_tag(
      kTable, message.id, kVersion, tagged_fields(*body, attachments, message, kVersion));
  const std::int64_t version = kVersion;
  session << "INSERT INTO messages (id, conversation_id, seq, sender_id, sent_at, client_ref, "
             "body_enc, version, integrity_tag, attachments_enc) VALUES (:id, :conversation, "
             ":seq, :sender, :at, :ref, :body, :version, :tag, :attachments)",
      soci::use(message.id), soci::use(message.conversation_id), soci::use(message.seq),
      soci::use(message.sender_id), soci::use(message.sent_at), soci::use(message.client_ref),
      soci::use(*body), soci::use(version), soci::use(tag), soci::use(attachments);
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
    const std::string attachments_enc = storage::column_text(row, 9);
    const Error altered(ErrorCode::kDataLoss,
                        "message " + message.id + " failed its integrity check");
    if (!protection_.verify_integrity(kTable, message.id, version,
                                      tagged_fields(body_enc, attachments_enc, message, version),
                                      storage::column_text(row, 8)) ||
        (version < kAttachmentsSince && !attachments_enc.empty())) {
      return altered;
    }
    auto body = protection_.open(body_enc, {kTable, "body", message.id});
    if (!body.ok()) {
      return body.error();
    }
    message.body = std::move(*body);
    if (!attachments_enc.empty()) {
      auto attachments = protection_.open(attachments_enc, {kTable, "attachments", message.id});
      if (!attachments.ok()) {
        return attachments.error();
      }
      message.attachments = split(*attachments);
    }
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
