// SignalMessage: a `signal` as a client sends it (lib/realtime/PROTOCOL.md,
// "Visits"), read from a scanned envelope without building objects, and
// the frame its recipient gets, written with string appends. The `data`
// object (an SDP description or an ICE candidate) is validated by the
// envelope's scan and relayed as the exact bytes it came in.
//
// Pure functions; thread-safe. A SignalMessage points into the message it
// was read from.
#pragma once

#include <string>
#include <string_view>

#include "realtime/hub_envelope.h"
#include "util/result.h"

namespace th::server {

struct SignalMessage {
  std::string appointment_id;
  std::string to;         // the recipient's participant id
  std::string kind;       // offer, answer or candidate
  std::string_view data;  // a JSON object or null, as it came
};

// Reads the payload of a scanned envelope (HubPayload::kScanned).
// kInvalidArgument "invalid_payload: ..." naming the first member that is
// missing or wrong, in the order appointment_id, to, kind, data; or a
// member of those given twice (the payload would be ambiguous).
[[nodiscard]] Result<SignalMessage> read_signal(const realtime::HubEnvelope& envelope);

// {"type":"signal","id":"","payload":{"appointment_id","from","kind","data"}}.
[[nodiscard]] std::string signal_frame(const SignalMessage& signal, std::string_view from);

}  // namespace th::server
