// LogEntry: an audit event at its position in the log, and the bytes that the
// Merkle tree hashes for it.
//
// The leaf bytes of the event at position `seq` are its RFC 8785 canonical
// JSON (canonical_event_json) with one more member, "seq", the position as a
// JSON integer, in its sorted place:
//
//   {"action":"login",...,"resource_type":"session","seq":41,"session_id":...}
//
// stored as audit_events.body. Readers that know only the event's fields can
// decode the body as an event and ignore "seq". Binding the position into
// the hashed bytes is
// what lets a verifier name the exact row where events were reordered or
// inserted: a row stored at one seq whose body records another cannot pass,
// whatever else was rewritten around it.
//
// The functions are pure and safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/audit_event.h"
#include "util/result.h"

namespace th::audit {

struct LogEntry {
  std::uint64_t seq = 0;
  AuditEvent event;
};

// The leaf bytes for an event whose canonical JSON is `canonical_event`; the
// result is canonical JSON too. Fails with kInvalidArgument when the input is
// not a canonical JSON object or already has a "seq" member. Positions up to
// 2^53 - 1 are allowed (the JSON integer limit of canonical_json.h).
[[nodiscard]] Result<std::string> format_log_entry(std::string_view canonical_event,
                                                   std::uint64_t seq);

// Reads leaf bytes back. Fails with kDataLoss, naming the field, when the
// text is not an object of the shape above with every event field present
// and of the right type, or when occurred_at is not RFC 3339 UTC with
// microseconds. Does not check that the text is canonical: the leaf hash
// covers the exact bytes.
[[nodiscard]] Result<LogEntry> parse_log_entry(std::string_view body);

// Inverse of format_rfc3339_micros: "2026-12-03T21:03:57.123456Z" and
// nothing else. kInvalidArgument otherwise.
[[nodiscard]] Result<UnixMicros> parse_rfc3339_micros(std::string_view text);

}  // namespace th::audit
