// AuditQuery: reading the audit trail back. Searches with filters and keyset
// pagination, the summaries behind the compliance reports, and a streaming
// walk over any number of events for exports.
//
// Every read goes through storage::Database with bound values only. Rows are
// returned in the order they were appended (ascending seq), and a page ends
// with the cursor of its last row, so paging never skips or repeats an event
// even while new events are appended.
//
// The full event is decoded from its stored canonical JSON (the bytes its
// leaf hash covers), so what a query returns is exactly what was recorded.
//
// AuditQuery does not audit its own use: the caller records the search,
// report or export as an event of its own before handing results out.
// Thread-safe: it holds no state beyond the database reference.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_event.h"
#include "storage/database.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::audit {

inline constexpr int kDefaultSearchLimit = 100;
inline constexpr int kMaxSearchLimit = 1000;
inline constexpr int kExportPageSize = 1000;

// Which end of an interval a time names. A date alone (YYYY-MM-DD) covers
// the whole UTC day: as a start it means its first microsecond, as an end
// its last.
enum class TimeBound { kStart, kEnd };

// Parses RFC 3339 (2026-03-01T12:00:00Z, fractions and offsets allowed) or a
// date (2026-03-01). kInvalidArgument for anything else.
Result<UnixMicros> parse_time_bound(std::string_view text, TimeBound bound);

// What a search matches; every field left empty matches everything, and the
// fields that are set must all hold.
struct AuditFilter {
  std::string user_id;             // the actor
  std::string patient_id;          // the event's patient, or one its listing returned
  std::string action;              // read, login, search, ...
  std::string resource_type;       // patient_record, user, session, ...
  std::string outcome;             // success, denied or error
  std::optional<UnixMicros> from;  // occurred at or after
  std::optional<UnixMicros> to;    // occurred at or before
  bool emergency_only = false;     // only accesses under a break-glass grant
  // Only events at or before this position: a snapshot of the log as it was
  // when an export began, however many events arrive while it runs.
  std::optional<std::int64_t> through_seq;

  // "name=value" pairs of the fields that are set, for an audit event's reason.
  std::string describe() const;
};

// kInvalidArgument when the outcome is not one of the three names or the
// interval ends before it starts.
Status validate_filter(const AuditFilter& filter);

// One event as stored: its position in the log and the event itself.
struct StoredEvent {
  std::int64_t seq = 0;
  AuditEvent event;
  std::string body;  // the canonical JSON, byte for byte as hashed
};

struct AuditPage {
  std::vector<StoredEvent> items;
  // The cursor to pass as `after` for the next page; empty on the last page.
  std::optional<std::int64_t> next_after;
};

// How a summary groups events. Fields of ActivitySummary outside the
// grouping stay empty.
enum class SummaryGrouping {
  kByActor,     // actor_user_id, actor_role, action, outcome: who touched it
  kByActivity,  // action, resource_type, outcome: what someone did
};

struct ActivitySummary {
  std::string actor_user_id;
  std::string actor_role;
  std::string action;
  std::string resource_type;
  std::string outcome;
  std::int64_t count = 0;
  UnixMicros first = 0;
  UnixMicros last = 0;
};

// Refused sign-ins from one actor and source address.
struct FailedLoginGroup {
  std::string actor_user_id;  // empty when the username was unknown
  std::string source_address;
  std::int64_t count = 0;
  UnixMicros first = 0;
  UnixMicros last = 0;
  std::vector<std::string> reasons;  // distinct, in order of first appearance
};

class AuditQuery {
 public:
  explicit AuditQuery(storage::Database& database) : database_(database) {}

  // Up to `limit` events matching filter with seq greater than `after`.
  // kInvalidArgument for a limit outside 1..kMaxSearchLimit or a bad filter.
  Result<AuditPage> search(const AuditFilter& filter, std::optional<std::int64_t> after,
                           int limit) const;

  // Counts with first and last times per group, largest groups first.
  Result<std::vector<ActivitySummary>> summarize(const AuditFilter& filter,
                                                 SummaryGrouping grouping) const;

  // How many events match.
  Result<std::int64_t> count(const AuditFilter& filter) const;

  // The position of the newest event; empty for an empty log.
  Result<std::optional<std::int64_t>> last_seq() const;

  // Refused sign-ins within the filter's interval, grouped by actor and
  // source address, most frequent first. Walks the matching events page by
  // page, so memory grows with the number of groups only.
  Result<std::vector<FailedLoginGroup>> failed_logins(const AuditFilter& interval) const;

  // Calls visit for every matching event in seq order, reading pages of
  // kExportPageSize with no database session held while visit runs. Stops
  // at the first failure, from the database or from visit, and returns it.
  Status for_each(const AuditFilter& filter,
                  const std::function<Status(const StoredEvent&)>& visit) const;

 private:
  Result<std::vector<StoredEvent>> read_page(const AuditFilter& filter,
                                             std::optional<std::int64_t> after, int limit) const;

  storage::Database& database_;
};

// ---- exports ----

enum class ExportFormat { kCsv, kNdjson, kFhir };

// "csv", "ndjson" or "fhir"; kInvalidArgument otherwise.
Result<ExportFormat> parse_export_format(std::string_view name);

// The media type an export is served as.
std::string_view export_content_type(ExportFormat format);

// Writes every event matching filter to out: CSV with a header row, NDJSON
// of the stored canonical JSON (each line the exact bytes of the event's
// leaf), or NDJSON of FHIR R4 AuditEvent resources. Memory stays constant
// whatever the number of events. Fails with kUnavailable when out stops
// accepting data (the client went away) and with the database's error.
Status export_events(const AuditQuery& query, const AuditFilter& filter, ExportFormat format,
                     std::ostream& out);

// The CSV columns of an export, in order.
const std::vector<std::string_view>& export_csv_columns();

}  // namespace th::audit
