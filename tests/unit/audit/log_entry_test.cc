#include "audit/log_entry.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "audit/canonical_json.h"

namespace th::audit {
namespace {

AuditEvent sample_event() {
  AuditEvent event;
  event.id = "4f0c7a52-3c51-4c8b-9d7e-0f1e2d3c4b5a";
  event.occurred_at = 1'767'225'600'123'456;
  event.actor_user_id = "u-1";
  event.actor_kind = "user";
  event.actor_role = "clinician";
  event.action = "search";
  event.resource_type = "patient";
  event.patient_ids = {"p-1", "p-2"};
  event.outcome = AuditOutcome::kDenied;
  event.emergency = true;
  event.node = "node-a";
  return event;
}

TEST(LogEntryTest, AddsSeqInItsSortedPlace) {
  const std::string event = canonical_event_json(sample_event()).value();

  const auto entry = format_log_entry(event, 41);

  ASSERT_TRUE(entry.ok()) << entry.error().message();
  EXPECT_NE(entry->find(R"("resource_type":"patient","seq":41,"session_id":"")"), std::string::npos)
      << *entry;
}

TEST(LogEntryTest, ResultIsCanonicalJson) {
  const std::string event = canonical_event_json(sample_event()).value();
  const auto entry = format_log_entry(event, 7).value();
  Poco::JSON::Parser parser;

  const auto again = canonical_json(parser.parse(entry));

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, entry);
}

TEST(LogEntryTest, PlacesSeqFirstLastOrAlone) {
  EXPECT_EQ(format_log_entry(R"({"z":1})", 3).value(), R"({"seq":3,"z":1})");
  EXPECT_EQ(format_log_entry(R"({"a":"}","b":[1,{"c":2}]})", 3).value(),
            R"({"a":"}","b":[1,{"c":2}],"seq":3})");
  EXPECT_EQ(format_log_entry("{}", 0).value(), R"({"seq":0})");
}

TEST(LogEntryTest, KeysWithEscapesAreOrderedAsTheirCharacters) {
  EXPECT_EQ(format_log_entry(R"({"s\"x":1,"sz":2})", 5).value(), R"({"s\"x":1,"seq":5,"sz":2})");
}

TEST(LogEntryTest, RefusesWhatIsNotAnObjectOrAlreadyHasSeq) {
  EXPECT_FALSE(format_log_entry("[1]", 0).ok());
  EXPECT_FALSE(format_log_entry(R"({"a":1)", 0).ok());
  EXPECT_FALSE(format_log_entry(R"({"seq":1})", 0).ok());
  EXPECT_FALSE(format_log_entry(R"({"a")", 0).ok());
}

TEST(LogEntryTest, ParsesWhatItFormats) {
  const AuditEvent event = sample_event();
  const std::string body = format_log_entry(canonical_event_json(event).value(), 12).value();

  const auto entry = parse_log_entry(body);

  ASSERT_TRUE(entry.ok()) << entry.error().message();
  EXPECT_EQ(entry->seq, 12u);
  EXPECT_EQ(entry->event.id, event.id);
  EXPECT_EQ(entry->event.occurred_at, event.occurred_at);
  EXPECT_EQ(entry->event.patient_ids, event.patient_ids);
  EXPECT_EQ(entry->event.outcome, AuditOutcome::kDenied);
  EXPECT_TRUE(entry->event.emergency);
  EXPECT_EQ(canonical_event_json(entry->event).value(), canonical_event_json(event).value());
}

TEST(LogEntryTest, ParseNamesAMissingOrMistypedField) {
  const std::string body =
      format_log_entry(canonical_event_json(sample_event()).value(), 1).value();
  std::string mistyped = body;
  mistyped.replace(mistyped.find("\"emergency\":true"), 16, "\"emergency\":1");

  const auto without_seq = parse_log_entry(canonical_event_json(sample_event()).value());
  const auto bad_type = parse_log_entry(mistyped);
  const auto not_json = parse_log_entry("{oops");

  ASSERT_FALSE(without_seq.ok());
  EXPECT_EQ(without_seq.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(without_seq.error().message().find("'seq'"), std::string::npos);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.error().message().find("'emergency'"), std::string::npos);
  EXPECT_FALSE(not_json.ok());
}

TEST(LogEntryTest, ParsesTimesExactlyAsTheyAreFormatted) {
  EXPECT_EQ(parse_rfc3339_micros("2026-01-01T00:00:00.123456Z").value(), 1'767'225'600'123'456);
  EXPECT_EQ(parse_rfc3339_micros("1970-01-01T00:00:00.000000Z").value(), 0);
  EXPECT_EQ(parse_rfc3339_micros("2024-02-29T23:59:59.999999Z").value(), 1'709'251'199'999'999);
  EXPECT_FALSE(parse_rfc3339_micros("2026-02-30T00:00:00.000000Z").ok());
  EXPECT_FALSE(parse_rfc3339_micros("2026-01-01T00:00:00Z").ok());
  EXPECT_FALSE(parse_rfc3339_micros("2026-01-01 00:00:00.000000Z").ok());
}

}  // namespace
}  // namespace th::audit
