#include "server/hub/signal_message.h"

#include <optional>

#include "realtime/json_string_writer.h"

namespace th::server {
namespace {

using realtime::JsonSpan;
using realtime::JsonType;

// Ids are at most this long, as everywhere in the visit protocol.
constexpr std::size_t kMaxIdBytes = 64;

enum Field { kAppointmentId, kTo, kKind, kData, kFieldCount };

Error bad_payload(std::string_view detail) {
  return Error(ErrorCode::kInvalidArgument, "invalid_payload: " + std::string(detail));
}

int field_of(const JsonSpan& name) {
  static constexpr std::string_view kNames[kFieldCount] = {"appointment_id", "to", "kind", "data"};
  for (int i = 0; i < kFieldCount; ++i) {
    if (name.string_equals(kNames[i])) {
      return i;
    }
  }
  return -1;
}

Result<std::string> id_field(const std::optional<JsonSpan>& value, std::string_view name) {
  if (value && value->is_string()) {
    std::string id = value->decoded_string();
    if (!id.empty() && id.size() <= kMaxIdBytes) {
      return id;
    }
  }
  return bad_payload(std::string(name) + " must be an id");
}

bool is_signal_kind(const std::optional<JsonSpan>& kind) {
  return kind && (kind->string_equals("offer") || kind->string_equals("answer") ||
                  kind->string_equals("candidate"));
}

}  // namespace

Result<SignalMessage> read_signal(const realtime::HubEnvelope& envelope) {
  std::optional<JsonSpan> fields[kFieldCount];
  if (envelope.payload_json) {
    realtime::JsonMemberReader members(*envelope.payload_json);
    while (const auto member = members.next()) {
      const int field = field_of(member->name);
      if (field < 0) {
        continue;
      }
      if (fields[field]) {
        return bad_payload("a member of the signal is given twice");
      }
      fields[field] = member->value;
    }
  }

  SignalMessage signal;
  auto appointment_id = id_field(fields[kAppointmentId], "appointment_id");
  auto to = id_field(fields[kTo], "to");
  if (!appointment_id.ok() || !to.ok()) {
    return appointment_id.ok() ? to.error() : appointment_id.error();
  }
  if (!is_signal_kind(fields[kKind])) {
    return bad_payload("kind must be offer, answer or candidate");
  }
  const auto& data = fields[kData];
  if (!data || (data->type() != JsonType::kObject && data->type() != JsonType::kNull)) {
    return bad_payload("data must be an object or null");
  }
  signal.appointment_id = std::move(*appointment_id);
  signal.to = std::move(*to);
  signal.kind = fields[kKind]->decoded_string();
  signal.data = data->text();
  return signal;
}

std::string signal_frame(const SignalMessage& signal, std::string_view from) {
  std::string frame;
  frame.reserve(128 + signal.appointment_id.size() + from.size() + signal.data.size());
  frame += R"({"type":"signal","id":"","payload":{"appointment_id":)";
  realtime::append_json_string(frame, signal.appointment_id);
  frame += R"(,"from":)";
  realtime::append_json_string(frame, from);
  frame += R"(,"kind":)";
  realtime::append_json_string(frame, signal.kind);
  frame += R"(,"data":)";
  frame += signal.data;
  frame += "}}";
  return frame;
}

}  // namespace th::server
