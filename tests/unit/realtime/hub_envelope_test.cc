#include "realtime/hub_envelope.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace th::realtime {
namespace {

Poco::JSON::Object::Ptr parse_object(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string error_code_of(const Result<HubEnvelope>& parsed) {
  const std::string& message = parsed.error().message();
  return message.substr(0, message.find(':'));
}

TEST(HubEnvelopeTest, ParsesTypeIdAndPayload) {
  auto parsed = parse_hub_envelope(R"({"type":"ping","id":"c-1","payload":{"n":3}})");

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, "ping");
  EXPECT_EQ(parsed->id, "c-1");
  EXPECT_EQ(parsed->payload->getValue<int>("n"), 3);
}

TEST(HubEnvelopeTest, AbsentIdAndPayloadAreEmpty) {
  auto parsed = parse_hub_envelope(R"({"type":"ping"})");

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->id, "");
  ASSERT_FALSE(parsed->payload.isNull());
  EXPECT_EQ(parsed->payload->size(), 0U);
}

TEST(HubEnvelopeTest, MalformedJsonIsNamedSo) {
  EXPECT_EQ(error_code_of(parse_hub_envelope("{\"type\":")), "malformed_json");
  EXPECT_EQ(error_code_of(parse_hub_envelope("[1,2]")), "malformed_json");
  EXPECT_EQ(error_code_of(parse_hub_envelope("")), "malformed_json");
}

TEST(HubEnvelopeTest, RefusesEnvelopesWithoutAStringType) {
  EXPECT_EQ(error_code_of(parse_hub_envelope(R"({"id":"x"})")), "invalid_envelope");
  EXPECT_EQ(error_code_of(parse_hub_envelope(R"({"type":7})")), "invalid_envelope");
  EXPECT_EQ(error_code_of(parse_hub_envelope(R"({"type":""})")), "invalid_envelope");
}

TEST(HubEnvelopeTest, RefusesIdsThatAreLongOrNotPlain) {
  const std::string long_id = std::string(65, 'a');

  EXPECT_FALSE(parse_hub_envelope(R"({"type":"ping","id":")" + long_id + "\"}").ok());
  EXPECT_FALSE(parse_hub_envelope(R"({"type":"ping","id":"a b"})").ok());
  EXPECT_FALSE(parse_hub_envelope(R"({"type":"ping","id":5})").ok());
}

TEST(HubEnvelopeTest, RefusesAPayloadThatIsNotAnObject) {
  EXPECT_EQ(error_code_of(parse_hub_envelope(R"({"type":"ping","payload":[1]})")),
            "invalid_envelope");
}

// The outcome of a parse as one line: the error's message, or type and id.
std::string outcome(const Result<HubEnvelope>& parsed) {
  return parsed.ok() ? parsed->type + "/" + parsed->id : parsed.error().message();
}

TEST(HubEnvelopeTest, ScanAgreesWithParseOnEveryEnvelopeRule) {
  const std::string long_id = std::string(65, 'a');
  const std::vector<std::string> texts = {
      R"({"type":"ping","id":"c-1","payload":{"n":3}})",
      R"({"type":"ping"})",
      R"({"type":"ping","id":null,"payload":null,"other":[1]})",
      R"({"type":"sig\u006eal","id":"a\u002db"})",
      "{\"type\":",
      "[1,2]",
      "",
      "\"ping\"",
      "5",
      "null",
      "[]",
      R"({"id":"x"})",
      R"({"type":7})",
      R"({"type":""})",
      R"({"type":"ping","id":")" + long_id + "\"}",
      R"({"type":"ping","id":"a b"})",
      R"({"type":"ping","id":5})",
      R"({"type":"ping","payload":[1]})",
      R"({"type":"ping","payload":"x"})",
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(outcome(scan_hub_envelope(text)), outcome(parse_hub_envelope(text))) << text;
  }
}

TEST(HubEnvelopeTest, ScanPointsAtThePayloadAsItCame) {
  const std::string text = R"({"type":"signal","payload":{ "b":1, "a":[2] }})";

  auto scanned = scan_hub_envelope(text);

  ASSERT_TRUE(scanned.ok());
  EXPECT_TRUE(scanned->payload.isNull());
  ASSERT_TRUE(scanned->payload_json.has_value());
  EXPECT_EQ(scanned->payload_json->text(), R"({ "b":1, "a":[2] })");
  EXPECT_FALSE(scan_hub_envelope(R"({"type":"ping","payload":null})")->payload_json);
}

TEST(HubEnvelopeTest, ScanRefusesAnEnvelopeMemberGivenTwice) {
  EXPECT_EQ(outcome(scan_hub_envelope(R"({"type":"ping","type":"signal"})")),
            "invalid_envelope: a member of the envelope is given twice");
  EXPECT_EQ(outcome(scan_hub_envelope(R"({"type":"ping","payload":{},"payload":{}})")),
            "invalid_envelope: a member of the envelope is given twice");
  EXPECT_TRUE(scan_hub_envelope(R"({"type":"ping","x":1,"x":2})").ok());
}

TEST(HubEnvelopeTest, ScanRefusesWhatTheStrictScannerRefusesAsMalformed) {
  const std::string deep = std::string(80, '[') + std::string(80, ']');

  EXPECT_EQ(outcome(scan_hub_envelope(R"({"type":"ping","payload":{"d":)" + deep + "}}")),
            "malformed_json: the message is not valid JSON");
  EXPECT_EQ(outcome(scan_hub_envelope(R"({"type":"ping","payload":{"s":"\ud800"}})")),
            "malformed_json: the message is not valid JSON");
  EXPECT_EQ(outcome(scan_hub_envelope(R"({"type":"ping","payload":{"s":"\q"}})")),
            "malformed_json: the message is not valid JSON");
}

TEST(HubEnvelopeTest, EncodedEnvelopeParsesBack) {
  Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
  payload->set("protocol", kHubProtocolVersion);

  auto parsed = parse_hub_envelope(encode_hub_envelope("hello", "s-1", payload));

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, "hello");
  EXPECT_EQ(parsed->id, "s-1");
  EXPECT_EQ(parsed->payload->getValue<int>("protocol"), 1);
}

TEST(HubEnvelopeTest, ErrorFrameCarriesCodeMessageAndRef) {
  const auto frame = parse_object(encode_hub_error("unknown_type", "no such type", "c-9"));

  EXPECT_EQ(frame->getValue<std::string>("type"), "error");
  const auto payload = frame->getObject("payload");
  EXPECT_EQ(payload->getValue<std::string>("code"), "unknown_type");
  EXPECT_EQ(payload->getValue<std::string>("message"), "no such type");
  EXPECT_EQ(payload->getValue<std::string>("ref"), "c-9");
}

TEST(HubEnvelopeTest, ErrorFrameTakesTheCodeFromAnErrorMessage) {
  const Error coded(ErrorCode::kInvalidArgument, "invalid_payload: body is required");
  const Error plain(ErrorCode::kUnavailable, "database is down");

  const auto first = parse_object(encode_hub_error(coded, "r", "internal"))->getObject("payload");
  const auto second =
      parse_object(encode_hub_error(plain, "r", "unavailable"))->getObject("payload");

  EXPECT_EQ(first->getValue<std::string>("code"), "invalid_payload");
  EXPECT_EQ(first->getValue<std::string>("message"), "body is required");
  EXPECT_EQ(second->getValue<std::string>("code"), "unavailable");
  EXPECT_EQ(second->getValue<std::string>("message"), "database is down");
}

}  // namespace
}  // namespace th::realtime
