#include "audit/audit_query.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/migration.h"

namespace th::audit {
namespace {

constexpr UnixMicros kStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr UnixMicros kMinute = 60'000'000;

// An SQLite database in a fresh file with the project's schema, removed
// afterwards. Events are inserted the way the audit log stores them, so the
// tests exercise the query side only.
class AuditQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("th-audit-query-" + crypto::hex_encode(crypto::random_bytes(8)));
    std::filesystem::create_directory(directory_);
    storage::DatabaseOptions options;
    options.url = "sqlite://" + (directory_ / "audit.db").string();
    options.pool_size = 2;
    auto opened = storage::Database::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    const ManualClock clock(kStart);
    auto migrated = storage::migrate(*database_, storage::schema_migrations(), clock);
    ASSERT_TRUE(migrated.ok()) << migrated.error().message();
  }

  void TearDown() override {
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  static AuditEvent event(std::string user, std::string action, UnixMicros at,
                          AuditOutcome outcome = AuditOutcome::kSuccess) {
    AuditEvent made;
    made.id = "event-" + std::to_string(at) + "-" + action + "-" + user;
    made.occurred_at = at;
    made.actor_user_id = std::move(user);
    made.actor_kind = "user";
    made.actor_role = "clinician";
    made.action = std::move(action);
    made.resource_type = "patient_record";
    made.outcome = outcome;
    made.node = "node-a";
    return made;
  }

  void append(const AuditEvent& made) { append_all({made}); }

  // One transaction for many events: SQLite syncs once, not once per row.
  void append_all(const std::vector<AuditEvent>& events) {
    const Status stored = database_->run_write_transaction([&](soci::session& session) {
      for (const AuditEvent& made : events) {
        insert(session, made);
      }
    });
    ASSERT_TRUE(stored.ok()) << stored.error().message();
  }

  void insert(soci::session& session, const AuditEvent& made) {
    const std::string body = canonical_event_json(made).value();
    const std::string outcome(audit_outcome_name(made.outcome));
    const int emergency = made.emergency ? 1 : 0;
    const long long seq = next_seq_++;
    session << "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, "
               "action, resource_type, resource_id, patient_id, outcome, emergency, "
               "request_id, node, body, leaf_hash) VALUES (:seq, :id, :at, :actor, :role, "
               ":action, :rtype, :rid, :patient, :outcome, :emergency, :request, :node, "
               ":body, 'unused')",
        soci::use(seq), soci::use(made.id), soci::use(made.occurred_at),
        soci::use(made.actor_user_id), soci::use(made.actor_role), soci::use(made.action),
        soci::use(made.resource_type), soci::use(made.resource_id), soci::use(made.patient_id),
        soci::use(outcome), soci::use(emergency), soci::use(made.request_id), soci::use(made.node),
        soci::use(body);
    for (const std::string& patient : made.patient_ids) {
      session << "INSERT INTO audit_event_patients (seq, patient_id) VALUES (:seq, :p)",
          soci::use(seq), soci::use(patient);
    }
  }

  // Appends `count` reads by alice, `step` microseconds apart from kStart.
  void append_reads(int count, UnixMicros step = kMinute) {
    std::vector<AuditEvent> events;
    for (int i = 0; i < count; ++i) {
      events.push_back(event("alice", "read", kStart + i * step));
    }
    append_all(events);
  }

  std::vector<std::int64_t> seqs(const AuditFilter& filter) {
    auto page = query().search(filter, std::nullopt, kMaxSearchLimit);
    EXPECT_TRUE(page.ok()) << page.error().message();
    std::vector<std::int64_t> found;
    for (const StoredEvent& stored : page->items) {
      found.push_back(stored.seq);
    }
    return found;
  }

  AuditQuery query() { return AuditQuery(*database_); }

  std::filesystem::path directory_;
  std::unique_ptr<storage::Database> database_;
  long long next_seq_ = 0;
};

using Seqs = std::vector<std::int64_t>;

// ---- time bounds ----

TEST(ParseTimeBoundTest, ReadsRfc3339InUtc) {
  const auto parsed = parse_time_bound("2026-01-01T00:01:00Z", TimeBound::kStart);

  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, kStart + kMinute);
}

TEST(ParseTimeBoundTest, AppliesOffsetAndFraction) {
  const auto parsed = parse_time_bound("2026-01-01T01:00:00.25+01:00", TimeBound::kStart);

  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, kStart + 250'000);
}

TEST(ParseTimeBoundTest, DateCoversTheWholeDay) {
  const auto start = parse_time_bound("2026-01-01", TimeBound::kStart);
  const auto end = parse_time_bound("2026-01-01", TimeBound::kEnd);

  ASSERT_TRUE(start.ok() && end.ok());
  EXPECT_EQ(*start, kStart);
  EXPECT_EQ(*end, kStart + 24 * 60 * kMinute - 1);
}

TEST(ParseTimeBoundTest, RefusesImpossibleDatesAndOtherText) {
  for (const char* text : {"2026-02-29", "2026-13-01", "2026-01-01T24:00:00Z",
                           "2026-01-01T10:00:00", "yesterday", "2026-01-01T10:00:00+0100", ""}) {
    const auto parsed = parse_time_bound(text, TimeBound::kStart);

    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.ok() ? ErrorCode::kInternal : parsed.error().code(),
              ErrorCode::kInvalidArgument);
  }
}

TEST(ParseTimeBoundTest, AcceptsLeapDay) {
  EXPECT_TRUE(parse_time_bound("2028-02-29", TimeBound::kStart).ok());
}

// ---- filters ----

TEST_F(AuditQueryTest, FiltersCombineAsConjunction) {
  append(event("alice", "read", kStart));                                       // 0
  append(event("alice", "update", kStart + kMinute));                           // 1
  append(event("bob", "read", kStart + 2 * kMinute));                           // 2
  append(event("alice", "read", kStart + 3 * kMinute, AuditOutcome::kDenied));  // 3

  AuditFilter filter;
  filter.user_id = "alice";
  filter.action = "read";
  const Seqs both = seqs(filter);
  filter.outcome = "denied";
  const Seqs all_three = seqs(filter);

  EXPECT_EQ(both, (Seqs{0, 3}));
  EXPECT_EQ(all_three, (Seqs{3}));
}

TEST_F(AuditQueryTest, EmptyFilterMatchesEverything) {
  append_reads(3);

  EXPECT_EQ(seqs(AuditFilter{}), (Seqs{0, 1, 2}));
}

TEST_F(AuditQueryTest, PatientMatchesOwnEventsAndListingsNamingThem) {
  AuditEvent own = event("alice", "read", kStart);
  own.patient_id = "p1";
  AuditEvent listing = event("bob", "search", kStart + kMinute);
  listing.patient_ids = {"p2", "p1"};
  AuditEvent other = event("carol", "read", kStart + 2 * kMinute);
  other.patient_id = "p2";
  append(own);
  append(listing);
  append(other);

  AuditFilter filter;
  filter.patient_id = "p1";

  EXPECT_EQ(seqs(filter), (Seqs{0, 1}));
}

TEST_F(AuditQueryTest, PatientAndUserFiltersCombine) {
  AuditEvent mine = event("alice", "read", kStart);
  mine.patient_id = "p1";
  AuditEvent theirs = event("bob", "search", kStart + kMinute);
  theirs.patient_ids = {"p1"};
  append(mine);
  append(theirs);

  AuditFilter filter;
  filter.patient_id = "p1";
  filter.user_id = "bob";

  EXPECT_EQ(seqs(filter), (Seqs{1}));
}

TEST_F(AuditQueryTest, IntervalIncludesBothEnds) {
  append_reads(5);

  AuditFilter filter;
  filter.from = kStart + kMinute;
  filter.to = kStart + 3 * kMinute;

  EXPECT_EQ(seqs(filter), (Seqs{1, 2, 3}));
}

TEST_F(AuditQueryTest, EmergencyOnlyKeepsBreakGlassAccess) {
  append(event("alice", "read", kStart));
  AuditEvent emergency = event("alice", "read", kStart + kMinute);
  emergency.emergency = true;
  append(emergency);

  AuditFilter filter;
  filter.emergency_only = true;

  EXPECT_EQ(seqs(filter), (Seqs{1}));
}

TEST_F(AuditQueryTest, ValuesWithQuotesAreBoundNotSpliced) {
  append(event("o'brien", "read", kStart));
  append(event("alice", "read", kStart + kMinute));

  AuditFilter filter;
  filter.user_id = "o'brien";
  const Seqs quoted = seqs(filter);
  filter.user_id = "x' OR '1'='1";
  const Seqs injected = seqs(filter);

  EXPECT_EQ(quoted, (Seqs{0}));
  EXPECT_TRUE(injected.empty());
}

TEST_F(AuditQueryTest, RefusesUnknownOutcomeAndReversedInterval) {
  AuditFilter outcome;
  outcome.outcome = "maybe";
  AuditFilter reversed;
  reversed.from = kStart + kMinute;
  reversed.to = kStart;

  EXPECT_FALSE(query().search(outcome, std::nullopt, 10).ok());
  EXPECT_FALSE(query().search(reversed, std::nullopt, 10).ok());
}

TEST_F(AuditQueryTest, RefusesLimitOutsideTheRange) {
  EXPECT_FALSE(query().search(AuditFilter{}, std::nullopt, 0).ok());
  EXPECT_FALSE(query().search(AuditFilter{}, std::nullopt, kMaxSearchLimit + 1).ok());
  EXPECT_TRUE(query().search(AuditFilter{}, std::nullopt, kMaxSearchLimit).ok());
}

TEST_F(AuditQueryTest, DecodesEveryRecordedField) {
  AuditEvent full = event("alice", "read", kStart + 123);
  full.session_id = "session-1";
  full.source_address = "203.0.113.7:5000";
  full.user_agent = "thctl/0.1";
  full.resource_id = "p1";
  full.patient_id = "p1";
  full.patient_ids = {"p1", "p2"};
  full.outcome = AuditOutcome::kDenied;
  full.reason = "not on the care team";
  full.emergency = true;
  full.request_id = "request-9";
  append(full);

  auto page = query().search(AuditFilter{}, std::nullopt, 10);

  ASSERT_TRUE(page.ok()) << page.error().message();
  ASSERT_EQ(page->items.size(), 1u);
  const AuditEvent& read = page->items[0].event;
  EXPECT_EQ(read.id, full.id);
  EXPECT_EQ(read.occurred_at, full.occurred_at);
  EXPECT_EQ(read.session_id, full.session_id);
  EXPECT_EQ(read.source_address, full.source_address);
  EXPECT_EQ(read.user_agent, full.user_agent);
  EXPECT_EQ(read.patient_ids, full.patient_ids);
  EXPECT_EQ(read.outcome, AuditOutcome::kDenied);
  EXPECT_EQ(read.reason, full.reason);
  EXPECT_TRUE(read.emergency);
  EXPECT_EQ(read.request_id, full.request_id);
  EXPECT_EQ(page->items[0].body, canonical_event_json(full).value());
}

// ---- pagination ----

TEST_F(AuditQueryTest, PagesCoverEveryEventOnceInOrder) {
  append_reads(25);

  Seqs seen;
  std::optional<std::int64_t> after;
  int pages = 0;
  do {
    auto page = query().search(AuditFilter{}, after, 7);
    ASSERT_TRUE(page.ok()) << page.error().message();
    for (const StoredEvent& stored : page->items) {
      seen.push_back(stored.seq);
    }
    after = page->next_after;
    ++pages;
  } while (after);

  Seqs expected(25);
  for (std::int64_t i = 0; i < 25; ++i) {
    expected[static_cast<std::size_t>(i)] = i;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 4);
}

TEST_F(AuditQueryTest, FullLastPageHasNoCursor) {
  append_reads(14);

  auto first = query().search(AuditFilter{}, std::nullopt, 7);
  ASSERT_TRUE(first.ok() && first->next_after);
  auto second = query().search(AuditFilter{}, first->next_after, 7);

  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items.size(), 7u);
  EXPECT_FALSE(second->next_after.has_value());
}

TEST_F(AuditQueryTest, EventsAppendedBetweenPagesAreNeitherSkippedNorRepeated) {
  append_reads(5);
  auto first = query().search(AuditFilter{}, std::nullopt, 3);
  ASSERT_TRUE(first.ok() && first->next_after);

  append(event("alice", "read", kStart + 100 * kMinute));
  auto second = query().search(AuditFilter{}, first->next_after, 3);

  ASSERT_TRUE(second.ok());
  Seqs rest;
  for (const StoredEvent& stored : second->items) {
    rest.push_back(stored.seq);
  }
  EXPECT_EQ(rest, (Seqs{3, 4, 5}));
}

TEST_F(AuditQueryTest, PagesOfAFilteredSearchSkipNonMatchingEvents) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 10; ++i) {
    events.push_back(event(i % 2 == 0 ? "alice" : "bob", "read", kStart + i * kMinute));
  }
  append_all(events);
  AuditFilter filter;
  filter.user_id = "bob";

  auto first = query().search(filter, std::nullopt, 3);
  ASSERT_TRUE(first.ok() && first->next_after);
  auto second = query().search(filter, first->next_after, 3);

  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first->next_after, 5);
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[0].seq, 7);
  EXPECT_EQ(second->items[1].seq, 9);
  EXPECT_FALSE(second->next_after.has_value());
}

TEST_F(AuditQueryTest, ForEachWalksPastOneExportPage) {
  append_reads(kExportPageSize + 5, 1);

  std::int64_t visited = 0;
  std::int64_t expected_seq = 0;
  bool in_order = true;
  const Status walked = query().for_each(AuditFilter{}, [&](const StoredEvent& stored) {
    in_order = in_order && stored.seq == expected_seq++;
    ++visited;
    return ok_status();
  });

  ASSERT_TRUE(walked.ok()) << walked.error().message();
  EXPECT_EQ(visited, kExportPageSize + 5);
  EXPECT_TRUE(in_order);
}

TEST_F(AuditQueryTest, ForEachStopsAtTheVisitorsFailure) {
  append_reads(5);

  int visited = 0;
  const Status walked = query().for_each(AuditFilter{}, [&](const StoredEvent&) -> Status {
    return ++visited == 2 ? Status(Error(ErrorCode::kUnavailable, "stop")) : ok_status();
  });

  EXPECT_FALSE(walked.ok());
  EXPECT_EQ(visited, 2);
}

TEST_F(AuditQueryTest, ThroughSeqFreezesASnapshot) {
  append_reads(4);
  AuditFilter filter;
  filter.through_seq = 2;

  append(event("bob", "read", kStart + 50 * kMinute));
  append(event("bob", "read", kStart + 51 * kMinute));

  EXPECT_EQ(seqs(filter), (Seqs{0, 1, 2}));
}

TEST_F(AuditQueryTest, CountsMatchingEvents) {
  append(event("alice", "read", kStart));
  append(event("bob", "read", kStart + kMinute));
  append(event("alice", "update", kStart + 2 * kMinute));
  AuditFilter filter;
  filter.user_id = "alice";

  auto counted = query().count(filter);

  ASSERT_TRUE(counted.ok()) << counted.error().message();
  EXPECT_EQ(*counted, 2);
}

TEST_F(AuditQueryTest, LastSeqIsEmptyForAnEmptyLogThenTheNewest) {
  auto empty = query().last_seq();
  append_reads(3);
  auto filled = query().last_seq();

  ASSERT_TRUE(empty.ok() && filled.ok());
  EXPECT_FALSE(empty->has_value());
  EXPECT_EQ(*filled, std::optional<std::int64_t>(2));
}

// ---- reports ----

TEST_F(AuditQueryTest, SummaryByActorCountsEachActorsActions) {
  for (int i = 0; i < 3; ++i) {
    AuditEvent read = event("alice", "read", kStart + i * kMinute);
    read.patient_id = "p1";
    append(read);
  }
  AuditEvent denied = event("bob", "read", kStart + 10 * kMinute, AuditOutcome::kDenied);
  denied.patient_id = "p1";
  append(denied);
  AuditFilter filter;
  filter.patient_id = "p1";

  auto summary = query().summarize(filter, SummaryGrouping::kByActor);

  ASSERT_TRUE(summary.ok()) << summary.error().message();
  ASSERT_EQ(summary->size(), 2u);
  EXPECT_EQ((*summary)[0].actor_user_id, "alice");
  EXPECT_EQ((*summary)[0].count, 3);
  EXPECT_EQ((*summary)[0].first, kStart);
  EXPECT_EQ((*summary)[0].last, kStart + 2 * kMinute);
  EXPECT_EQ((*summary)[1].actor_user_id, "bob");
  EXPECT_EQ((*summary)[1].outcome, "denied");
}

TEST_F(AuditQueryTest, SummaryByActivityGroupsOnePersonsWork) {
  append(event("alice", "read", kStart));
  append(event("alice", "read", kStart + kMinute));
  append(event("alice", "update", kStart + 2 * kMinute));
  append(event("bob", "update", kStart + 3 * kMinute));
  AuditFilter filter;
  filter.user_id = "alice";

  auto summary = query().summarize(filter, SummaryGrouping::kByActivity);

  ASSERT_TRUE(summary.ok()) << summary.error().message();
  ASSERT_EQ(summary->size(), 2u);
  EXPECT_EQ((*summary)[0].action, "read");
  EXPECT_EQ((*summary)[0].resource_type, "patient_record");
  EXPECT_EQ((*summary)[0].count, 2);
  EXPECT_TRUE((*summary)[0].actor_user_id.empty());
  EXPECT_EQ((*summary)[1].action, "update");
}

TEST_F(AuditQueryTest, FailedLoginsGroupByActorAndSource) {
  auto failure = [&](const std::string& user, const std::string& source, UnixMicros at,
                     const std::string& reason) {
    AuditEvent login = event(user, "login", at, AuditOutcome::kDenied);
    login.resource_type = "user";
    login.source_address = source;
    login.reason = reason;
    append(login);
  };
  failure("alice", "10.0.0.1:1", kStart, "wrong password");
  failure("alice", "10.0.0.1:1", kStart + kMinute, "wrong second factor");
  failure("alice", "10.0.0.1:1", kStart + 2 * kMinute, "wrong password");
  failure("", "10.0.0.2:2", kStart + 3 * kMinute, "unknown username");
  append(event("alice", "login", kStart + 4 * kMinute));  // a success, not counted

  auto groups = query().failed_logins(AuditFilter{});

  ASSERT_TRUE(groups.ok()) << groups.error().message();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].actor_user_id, "alice");
  EXPECT_EQ((*groups)[0].count, 3);
  EXPECT_EQ((*groups)[0].last, kStart + 2 * kMinute);
  EXPECT_EQ((*groups)[0].reasons,
            (std::vector<std::string>{"wrong password", "wrong second factor"}));
  EXPECT_EQ((*groups)[1].source_address, "10.0.0.2:2");
  EXPECT_EQ((*groups)[1].count, 1);
}

TEST_F(AuditQueryTest, FailedLoginsHonourTheInterval) {
  AuditEvent early = event("alice", "login", kStart, AuditOutcome::kDenied);
  AuditEvent late = event("alice", "login", kStart + 10 * kMinute, AuditOutcome::kDenied);
  append(early);
  append(late);
  AuditFilter interval;
  interval.from = kStart + kMinute;

  auto groups = query().failed_logins(interval);

  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].first, kStart + 10 * kMinute);
}

// ---- exports ----

TEST_F(AuditQueryTest, NdjsonExportWritesTheStoredBytesOnePerLine) {
  append_reads(3);

  std::ostringstream out;
  const Status exported = export_events(query(), AuditFilter{}, ExportFormat::kNdjson, out);

  ASSERT_TRUE(exported.ok()) << exported.error().message();
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line, canonical_event_json(event("alice", "read", kStart + count * kMinute)).value());
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST_F(AuditQueryTest, CsvExportQuotesFieldsAndDefusesFormulas) {
  AuditEvent odd = event("alice", "read", kStart);
  odd.user_agent = "=HYPERLINK(\"x\")";
  odd.reason = "one, two";
  append(odd);

  std::ostringstream out;
  const Status exported = export_events(query(), AuditFilter{}, ExportFormat::kCsv, out);

  ASSERT_TRUE(exported.ok());
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with("seq,id,occurred_at,actor_user_id,"));
  EXPECT_NE(text.find(",\"'=HYPERLINK(\"\"x\"\")\","), std::string::npos) << text;
  EXPECT_NE(text.find(",\"one, two\","), std::string::npos) << text;
  EXPECT_NE(text.find("2026-01-01T00:00:00.000000Z"), std::string::npos);
}

TEST_F(AuditQueryTest, FhirExportWritesOneAuditEventPerLine) {
  append_reads(2);

  std::ostringstream out;
  const Status exported = export_events(query(), AuditFilter{}, ExportFormat::kFhir, out);

  ASSERT_TRUE(exported.ok());
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.starts_with("{")) << line;
    EXPECT_NE(line.find("\"resourceType\":\"AuditEvent\""), std::string::npos) << line;
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_F(AuditQueryTest, ExportFailsWhenTheReceiverStops) {
  append_reads(3);
  std::ostringstream out;
  out.setstate(std::ios::badbit);

  const Status exported = export_events(query(), AuditFilter{}, ExportFormat::kNdjson, out);

  ASSERT_FALSE(exported.ok());
  EXPECT_EQ(exported.error().code(), ErrorCode::kUnavailable);
}

TEST(ExportFormatTest, ParsesTheThreeNames) {
  EXPECT_EQ(parse_export_format("csv").value(), ExportFormat::kCsv);
  EXPECT_EQ(parse_export_format("ndjson").value(), ExportFormat::kNdjson);
  EXPECT_EQ(parse_export_format("fhir").value(), ExportFormat::kFhir);
  EXPECT_FALSE(parse_export_format("xml").ok());
}

TEST(AuditFilterTest, DescribesOnlyTheFieldsThatAreSet) {
  AuditFilter filter;
  filter.user_id = "u1";
  filter.from = kStart;
  filter.emergency_only = true;

  EXPECT_EQ(filter.describe(), "user=u1 from=2026-01-01T00:00:00.000000Z emergency=true");
}

}  // namespace
}  // namespace th::audit
