// The JSON of the visit protocol's objects (lib/realtime/PROTOCOL.md,
// "Visits"): participants as a given viewer is shown them, the ice object,
// and the waiting room's position. Pure functions; thread-safe.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "visits/turn_credentials.h"
#include "visits/visit_room_service.h"

namespace th::server {

// {"participant_id", "role", "display_name", "state", "screen_sharing"}.
Poco::JSON::Object::Ptr participant_json(const visits::Participant& participant);

// The participants of `room` that `viewer` sees, themselves included.
Poco::JSON::Array::Ptr participants_json(const visits::Room& room,
                                         const visits::Participant& viewer);

// {"ice_servers": [{"urls", "username", "credential"}...], "expires_at"}.
Poco::JSON::Object::Ptr ice_json(const visits::IceConfig& ice);

// Adds "position" and "estimated_wait_seconds" to `payload`.
void add_position(Poco::JSON::Object& payload, const visits::QueuePosition& position);

}  // namespace th::server
