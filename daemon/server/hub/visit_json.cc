#include "server/hub/visit_json.h"

#include "visits/room_rules.h"

namespace th::server {
namespace {

Poco::JSON::Object::Ptr object() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

}  // namespace

Poco::JSON::Object::Ptr participant_json(const visits::Participant& participant) {
  Poco::JSON::Object::Ptr json = object();
  json->set("participant_id", participant.id);
  json->set("role", std::string(visits::participant_role_name(participant.role)));
  json->set("display_name", participant.display_name);
  json->set("state", std::string(visits::participant_state_name(participant.state)));
  json->set("screen_sharing", participant.screen_sharing);
  return json;
}

Poco::JSON::Array::Ptr participants_json(const visits::Room& room,
                                         const visits::Participant& viewer) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const visits::Participant& participant : room.participants) {
    if (participant.id == viewer.id || visits::sees(viewer, participant)) {
      list->add(participant_json(participant));
    }
  }
  return list;
}

Poco::JSON::Object::Ptr ice_json(const visits::IceConfig& ice) {
  Poco::JSON::Array::Ptr servers = new Poco::JSON::Array;
  for (const visits::IceServer& server : ice.servers) {
    Poco::JSON::Object::Ptr entry = object();
    Poco::JSON::Array::Ptr urls = new Poco::JSON::Array;
    for (const std::string& url : server.urls) {
      urls->add(url);
    }
    entry->set("urls", urls);
    if (!server.username.empty()) {
      entry->set("username", server.username);
      entry->set("credential", server.credential);
    }
    servers->add(entry);
  }
  Poco::JSON::Object::Ptr json = object();
  json->set("ice_servers", servers);
  json->set("expires_at", ice.expires_at);
  return json;
}

void add_position(Poco::JSON::Object& payload, const visits::QueuePosition& position) {
  payload.set("position", position.position);
  payload.set("estimated_wait_seconds", position.estimated_wait_seconds);
}

}  // namespace th::server
