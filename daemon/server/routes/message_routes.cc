#include "server/routes/message_routes.h"

#include <Poco/JSON/Array.h>

#include "server/hub/message_delivery.h"
#include "server/json_fields.h"
#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

using messaging::MessagingService;

Result<std::int64_t> query_integer(const ApiRequest& request, const std::string& name,
                                   std::int64_t fallback) {
  const std::string text = request.query_value(name);
  if (text.empty()) {
    return fallback;
  }
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) {
      return static_cast<std::int64_t>(value);
    }
  } catch (const std::exception&) {
    // reported below
  }
  return Error(ErrorCode::kInvalidArgument,
               "invalid_payload: '" + name + "' must be a non-negative integer");
}

ApiResponse messages_response(const std::vector<messaging::Message>& messages) {
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const messaging::Message& message : messages) {
    items->add(message_json(message));
  }
  return items_response(items);
}

Result<ApiResponse> list(MessagingService& messaging, ServiceContext& context,
                         ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(views, messaging.list_own(caller_of(request, context)));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const messaging::ConversationView& view : views) {
    items->add(conversation_json(view));
  }
  return items_response(items);
}

Result<ApiResponse> create(MessagingService& messaging, ServiceContext& context,
                           ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(kind_text, required_string(body, "kind"));
  TH_ASSIGN_OR_RETURN(patient_id, optional_string(body, "patient_id"));
  TH_ASSIGN_OR_RETURN(subject, optional_string(body, "subject"));
  messaging::ConversationDraft draft;
  if (!messaging::parse_conversation_kind(kind_text, draft.kind)) {
    return Error(ErrorCode::kInvalidArgument, "invalid_payload: kind is 'care' or 'staff'");
  }
  draft.patient_id = patient_id;
  draft.subject = subject;
  const Poco::JSON::Array::Ptr members = body->getArray("members");
  if (members.isNull()) {
    return Error(ErrorCode::kInvalidArgument, "invalid_payload: members must be a list of ids");
  }
  for (std::size_t i = 0; i < members->size(); ++i) {
    const Poco::Dynamic::Var member = members->get(static_cast<unsigned>(i));
    if (!member.isString()) {
      return Error(ErrorCode::kInvalidArgument, "invalid_payload: members must be user ids");
    }
    draft.member_ids.push_back(member.extract<std::string>());
  }
  TH_ASSIGN_OR_RETURN(view, messaging.create(draft, caller_of(request, context)));
  return ApiResponse::json(201, conversation_json(view));
}

Result<ApiResponse> history(MessagingService& messaging, ServiceContext& context,
                            ApiRequest& request) {
  messaging::MessageRange range;
  TH_ASSIGN_OR_RETURN(after, query_integer(request, "after", 0));
  TH_ASSIGN_OR_RETURN(before, query_integer(request, "before", 0));
  TH_ASSIGN_OR_RETURN(limit, query_integer(request, "limit", 100));
  range.after = after;
  range.before = before;
  range.limit = static_cast<std::size_t>(limit);
  TH_ASSIGN_OR_RETURN(
      messages, messaging.history(request.path_params["id"], range, caller_of(request, context)));
  return messages_response(messages);
}

Result<ApiResponse> post(MessagingService& messaging, ServiceContext& context,
                         ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(text, required_string(body, "body"));
  TH_ASSIGN_OR_RETURN(client_ref, optional_string(body, "client_ref"));
  TH_ASSIGN_OR_RETURN(attachments, attachment_ids(body));
  TH_ASSIGN_OR_RETURN(posted, messaging.send(request.path_params["id"], text, client_ref,
                                             caller_of(request, context), attachments));
  return ApiResponse::json(posted.duplicate ? 200 : 201, message_json(posted.message));
}

Result<ApiResponse> mark_read(MessagingService& messaging, ServiceContext& context,
                              ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(seq, optional_integer(body, "seq", 0));
  TH_ASSIGN_OR_RETURN(
      moved, messaging.mark_read(request.path_params["id"], seq, caller_of(request, context)));
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("moved", moved);
  return ApiResponse::json(200, reply);
}

Result<ApiResponse> search(MessagingService& messaging, ServiceContext& context,
                           ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(limit, query_integer(request, "limit", 50));
  TH_ASSIGN_OR_RETURN(found,
                      messaging.search(request.query_value("q"), static_cast<std::size_t>(limit),
                                       caller_of(request, context)));
  return messages_response(found);
}

}  // namespace

Poco::JSON::Object::Ptr conversation_json(const messaging::ConversationView& view) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  const messaging::Conversation& conversation = view.conversation;
  json->set("id", conversation.id);
  json->set("kind", std::string(messaging::conversation_kind_name(conversation.kind)));
  json->set("patient_id", conversation.patient_id);
  json->set("subject", conversation.subject);
  json->set("created_by", conversation.created_by);
  json->set("created_at", conversation.created_at);
  json->set("last_seq", conversation.last_seq);
  Poco::JSON::Array::Ptr members = new Poco::JSON::Array;
  for (const messaging::ConversationMember& member : view.members) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("user_id", member.user_id);
    entry->set("read_seq", member.read_seq);
    members->add(entry);
  }
  json->set("members", members);
  return json;
}

void add_message_routes(Router& router, MessagingService& messaging, ServiceContext& context) {
  const auto bind = [&](auto handler) {
    return [&messaging, &context, handler](ApiRequest& request) {
      return handler(messaging, context, request);
    };
  };
  router.add("GET", "/api/v1/conversations", Access::permission("message.read"), bind(list));
  router.add("POST", "/api/v1/conversations", Access::permission("message.send"), bind(create));
  router.add("GET", "/api/v1/conversations/{id}/messages", Access::permission("message.read"),
             bind(history));
  router.add("POST", "/api/v1/conversations/{id}/messages", Access::permission("message.send"),
             bind(post));
  router.add("POST", "/api/v1/conversations/{id}/read", Access::permission("message.read"),
             bind(mark_read));
  router.add("GET", "/api/v1/messages/search", Access::permission("message.read"), bind(search));
}

}  // namespace th::server
