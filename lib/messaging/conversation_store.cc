#include "messaging/conversation_store.h"

#include "storage/row_values.h"

namespace th::messaging {
namespace {

constexpr const char* kTable = "conversations";
constexpr const char* kColumns =
    "id, kind, patient_id, subject_enc, created_by, created_at, last_seq, version, integrity_tag";
constexpr std::int64_t kVersion = 1;  // rows are never rewritten; last_seq is not tagged

storage::StoredFields tagged_fields(const std::string& subject_enc, const std::string& kind,
                                    const std::string& patient_id, const std::string& created_by) {
  return {{"subject", subject_enc},
          {"kind", kind},
          {"patient_id", patient_id},
          {"created_by", created_by}};
}

}  // namespace

const storage::SealedTableLayout& ConversationStore::layout() {
  static const storage::SealedTableLayout layout{
      kTable, "id", {{"subject", "subject_enc"}}, {"kind", "patient_id", "created_by"}, {}, true};
  return layout;
}

Status ConversationStore::insert(soci::session& session, const Conversation& conversation,
                                 const std::vector<ConversationMember>& members) {
  auto subject = protection_.seal(conversation.subject, {kTable, "subject", conversation.id});
  if (!subject.ok()) {
    return subject.error();
  }
  const std::string kind(conversation_kind_name(conversation.kind));
  const std::string tag = protection_.integrity_tag(
      kTable, conversation.id, kVersion,
      tagged_fields(*subject, kind, conversation.patient_id, conversation.created_by));
  const std::int64_t version = kVersion;
  const std::int64_t last_seq = 0;
  session << "INSERT INTO conversations (id, kind, patient_id, subject_enc, created_by, "
             "created_at, last_seq, version, integrity_tag) VALUES (:id, :kind, :patient, "
             ":subject, :by, :at, :seq, :version, :tag)",
      soci::use(conversation.id), soci::use(kind), soci::use(conversation.patient_id),
      soci::use(*subject), soci::use(conversation.created_by), soci::use(conversation.created_at),
      soci::use(last_seq), soci::use(version), soci::use(tag);
  for (const ConversationMember& member : members) {
    const std::int64_t read_seq = 0;
    session << "INSERT INTO conversation_members (conversation_id, user_id, added_at, read_seq) "
               "VALUES (:id, :user, :at, :seq)",
        soci::use(conversation.id), soci::use(member.user_id), soci::use(member.added_at),
        soci::use(read_seq);
  }
  return ok_status();
}

Result<Conversation> ConversationStore::decode(const soci::row& row) {
  Conversation conversation;
  conversation.id = storage::column_text(row, 0);
  const std::string kind = storage::column_text(row, 1);
  conversation.patient_id = storage::column_text(row, 2);
  const std::string subject_enc = storage::column_text(row, 3);
  conversation.created_by = storage::column_text(row, 4);
  conversation.created_at = storage::column_int64(row, 5);
  conversation.last_seq = storage::column_int64(row, 6);
  const std::int64_t version = storage::column_int64(row, 7);
  const std::string tag = storage::column_text(row, 8);
  const Error tampered(ErrorCode::kDataLoss,
                       "conversation " + conversation.id + " failed its integrity check");
  if (!protection_.verify_integrity(
          kTable, conversation.id, version,
          tagged_fields(subject_enc, kind, conversation.patient_id, conversation.created_by),
          tag) ||
      !parse_conversation_kind(kind, conversation.kind)) {
    return tampered;
  }
  auto subject = protection_.open(subject_enc, {kTable, "subject", conversation.id});
  if (!subject.ok()) {
    return subject.error();
  }
  conversation.subject = std::move(*subject);
  return conversation;
}

Result<std::optional<Conversation>> ConversationStore::find(soci::session& session,
                                                            const std::string& id) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns + " FROM conversations WHERE id = :id",
       soci::use(id));
  for (const soci::row& row : rows) {
    auto conversation = decode(row);
    if (!conversation.ok()) {
      return conversation.error();
    }
    return std::optional<Conversation>(std::move(*conversation));
  }
  return std::optional<Conversation>();
}

Result<std::vector<Conversation>> ConversationStore::for_user(soci::session& session,
                                                              const std::string& user_id) {
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT c.id, c.kind, c.patient_id, c.subject_enc, c.created_by, "
                          "c.created_at, c.last_seq, c.version, c.integrity_tag "
                          "FROM conversations c JOIN conversation_members m "
                          "ON m.conversation_id = c.id WHERE m.user_id = :user "
                          "ORDER BY c.created_at DESC, c.id",
       soci::use(user_id));
  std::vector<Conversation> conversations;
  for (const soci::row& row : rows) {
    auto conversation = decode(row);
    if (!conversation.ok()) {
      return conversation.error();
    }
    conversations.push_back(std::move(*conversation));
  }
  return conversations;
}

std::vector<ConversationMember> ConversationStore::members(soci::session& session,
                                                           const std::string& id) {
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT user_id, added_at, read_seq FROM conversation_members "
                          "WHERE conversation_id = :id ORDER BY user_id",
       soci::use(id));
  std::vector<ConversationMember> members;
  for (const soci::row& row : rows) {
    members.push_back({storage::column_text(row, 0), storage::column_int64(row, 1),
                       storage::column_int64(row, 2)});
  }
  return members;
}

std::optional<ConversationMember> ConversationStore::member(soci::session& session,
                                                            const std::string& id,
                                                            const std::string& user_id) {
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT user_id, added_at, read_seq FROM conversation_members "
                          "WHERE conversation_id = :id AND user_id = :user",
       soci::use(id), soci::use(user_id));
  for (const soci::row& row : rows) {
    return ConversationMember{storage::column_text(row, 0), storage::column_int64(row, 1),
                              storage::column_int64(row, 2)};
  }
  return std::nullopt;
}

std::int64_t ConversationStore::claim_next_seq(soci::session& session, const std::string& id) {
  session << "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = :id", soci::use(id);
  long long seq = 0;
  session << "SELECT last_seq FROM conversations WHERE id = :id", soci::into(seq), soci::use(id);
  return seq;
}

bool ConversationStore::mark_read(soci::session& session, const std::string& id,
                                  const std::string& user_id, std::int64_t seq) {
  soci::statement update =
      (session.prepare << "UPDATE conversation_members SET read_seq = :seq "
                          "WHERE conversation_id = :id AND user_id = :user AND read_seq < :seq2 "
                          "AND :seq3 <= (SELECT last_seq FROM conversations WHERE id = :id2)",
       soci::use(seq), soci::use(id), soci::use(user_id), soci::use(seq), soci::use(seq),
       soci::use(id));
  update.execute(true);
  return update.get_affected_rows() > 0;
}

}  // namespace th::messaging
