// VisitNotice: what one daemon tells the others (and itself) about a visit
// room, so that each can reach its own sockets: a room changed (someone
// joined, was admitted or returned, went away, came back, shared a screen,
// left; the visit moved to another queue or ended), a signaling frame for a
// connection it holds, or a practitioner's queue changed. A notice names
// ids and states only; each daemon reads the room itself from the database,
// the source of truth. Only a signal notice carries content: the relayed
// frame, or the id of the row holding it when it is too large for a
// PostgreSQL notification.
//
// Encoded as one line of JSON for NOTIFY. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/result.h"
#include "visits/participant.h"

namespace th::server {

enum class VisitNoticeKind {
  kRoomChanged,  // a place changed: announce it
  kAdmitted,     // a place was admitted: tell its holder, announce it
  kReturned,     // a place was returned to the waiting room: tell its holder, announce it
  kTransferred,  // the visit moved to another practitioner's queue
  kEnded,        // the room closed; `detail` says why
  kSignal,       // a frame for one connection
  kQueue,        // a practitioner's queue changed
};

struct VisitNotice {
  VisitNoticeKind kind = VisitNoticeKind::kRoomChanged;
  std::string node;  // the daemon that sent it
  std::string appointment_id;
  std::string participant_id;
  visits::ParticipantState before = visits::ParticipantState::kLeft;
  // A connection that lost its place to a rejoin: it is told it was replaced.
  std::optional<visits::Endpoint> replaced;
  // kSignal: the recipient's connection, and the frame or the stored row.
  visits::Endpoint to;
  std::string frame;
  std::string stored_id;
  // kEnded: the reason; kTransferred and kQueue: the practitioner.
  std::string detail;
};

std::string encode_visit_notice(const VisitNotice& notice);
[[nodiscard]] Result<VisitNotice> decode_visit_notice(const std::string& text);

}  // namespace th::server
