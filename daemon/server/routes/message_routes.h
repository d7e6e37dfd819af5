// Secure messaging over REST: the caller's conversations, creating one,
// history with cursors, posting, read marks and search of one's own
// conversations. The same operations as on the WebSocket
// (lib/realtime/PROTOCOL.md), checked, scoped and audited by
// MessagingService.
//
//   GET  /api/v1/conversations                      message.read
//   POST /api/v1/conversations                      message.send
//   GET  /api/v1/conversations/{id}/messages        message.read  ?after=&before=&limit=
//   POST /api/v1/conversations/{id}/messages        message.send  {body, client_ref,
//                                                                  attachments}
//   POST /api/v1/conversations/{id}/read            message.read  {seq}
//   GET  /api/v1/messages/search                    message.read  ?q=&limit=
#pragma once

#include "messaging/messaging_service.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_message_routes(Router& router, messaging::MessagingService& messaging,
                        ServiceContext& context);

// The JSON of a conversation with its members and their read marks.
Poco::JSON::Object::Ptr conversation_json(const messaging::ConversationView& view);

}  // namespace th::server
