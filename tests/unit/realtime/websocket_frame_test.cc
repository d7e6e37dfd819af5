#include "realtime/websocket_frame.h"

#include <gtest/gtest.h>

namespace th::realtime {
namespace {

constexpr std::array<std::uint8_t, 4> kMask = {0x37, 0xfa, 0x21, 0x3d};

std::string client_frame(WebSocketOpcode opcode, std::string_view payload, bool final = true) {
  return encode_websocket_frame(opcode, payload, final, kMask);
}

WebSocketFrameReader server_reader(std::size_t limit = 1024) {
  return WebSocketFrameReader(WebSocketRole::kServer, limit);
}

TEST(WebSocketFrameTest, MatchesTheMaskedHelloOfTheRfc) {
  // RFC 6455 section 5.7: a single-frame masked text message "Hello".
  const std::string expected = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";

  EXPECT_EQ(client_frame(WebSocketOpcode::kText, "Hello"), expected);
}

TEST(WebSocketFrameTest, ServerFramesAreUnmaskedWithTheShortestLength) {
  EXPECT_EQ(encode_websocket_frame(WebSocketOpcode::kText, "Hello"), "\x81\x05Hello");
  const std::string medium =
      encode_websocket_frame(WebSocketOpcode::kBinary, std::string(300, 'x'));
  const std::string large =
      encode_websocket_frame(WebSocketOpcode::kBinary, std::string(70000, 'x'));

  EXPECT_EQ(medium.substr(0, 4), std::string("\x82\x7e\x01\x2c", 4));
  EXPECT_EQ(large.substr(0, 10), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  EXPECT_EQ(large.size(), 70010U);
}

TEST(WebSocketFrameTest, AssemblesAFrameDeliveredOneByteAtATime) {
  auto reader = server_reader();
  const std::string frame = client_frame(WebSocketOpcode::kText, "{\"type\":\"ping\"}");

  for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
    reader.feed(frame.substr(i, 1));
    auto partial = reader.next();
    ASSERT_TRUE(partial.ok());
    EXPECT_FALSE(partial->has_value()) << "after byte " << i;
  }
  reader.feed(frame.substr(frame.size() - 1));
  auto whole = reader.next();

  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE(whole->has_value());
  EXPECT_EQ((*whole)->opcode, WebSocketOpcode::kText);
  EXPECT_EQ((*whole)->payload, "{\"type\":\"ping\"}");
  EXPECT_EQ(reader.buffered_bytes(), 0U);
}

TEST(WebSocketFrameTest, UnmasksPayloadsOfEveryLength) {
  // Lengths around the unmasking's eight-byte steps, and one of 3 KiB.
  for (const std::size_t length : {1U, 7U, 8U, 9U, 15U, 16U, 17U, 3075U}) {
    std::string payload(length, ' ');
    for (std::size_t i = 0; i < length; ++i) {
      payload[i] = static_cast<char>('a' + i % 26);
    }
    auto reader = server_reader(4096);

    reader.feed(client_frame(WebSocketOpcode::kBinary, payload));
    auto message = reader.next();

    ASSERT_TRUE(message.ok() && message->has_value()) << length;
    EXPECT_EQ((*message)->payload, payload) << length;
  }
}

TEST(WebSocketFrameTest, ReturnsSeveralFramesFromOneRead) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kText, "one") +
              client_frame(WebSocketOpcode::kText, "two"));

  auto first = reader.next();
  auto second = reader.next();
  auto third = reader.next();

  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*first)->payload, "one");
  EXPECT_EQ((*second)->payload, "two");
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());
}

TEST(WebSocketFrameTest, RefusesUnmaskedFramesFromClients) {
  auto reader = server_reader();
  reader.feed(encode_websocket_frame(WebSocketOpcode::kText, "hi"));

  auto read = reader.next();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(reader.close_code(), kCloseProtocolError);
}

TEST(WebSocketFrameTest, ClientReaderRefusesMaskedFrames) {
  WebSocketFrameReader reader(WebSocketRole::kClient, 1024);
  reader.feed(client_frame(WebSocketOpcode::kText, "hi"));

  EXPECT_FALSE(reader.next().ok());
}

TEST(WebSocketFrameTest, RefusesAnOversizedFrameFromItsHeaderAlone) {
  auto reader = server_reader(100);
  const std::string frame = client_frame(WebSocketOpcode::kText, std::string(101, 'a'));
  reader.feed(frame.substr(0, 4));

  auto read = reader.next();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(reader.close_code(), kCloseMessageTooBig);
}

TEST(WebSocketFrameTest, AcceptsAFrameOfExactlyTheLimit) {
  auto reader = server_reader(100);
  reader.feed(client_frame(WebSocketOpcode::kBinary, std::string(100, 'a')));

  auto read = reader.next();

  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->payload.size(), 100U);
}

TEST(WebSocketFrameTest, JoinsFragmentsWithPingsBetweenThem) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kText, "Hel", false) +
              client_frame(WebSocketOpcode::kPing, "beat") +
              client_frame(WebSocketOpcode::kContinuation, "lo", true));

  auto ping = reader.next();
  auto message = reader.next();

  ASSERT_TRUE(ping.ok() && ping->has_value());
  EXPECT_EQ((*ping)->opcode, WebSocketOpcode::kPing);
  EXPECT_EQ((*ping)->payload, "beat");
  ASSERT_TRUE(message.ok() && message->has_value());
  EXPECT_EQ((*message)->opcode, WebSocketOpcode::kText);
  EXPECT_EQ((*message)->payload, "Hello");
}

TEST(WebSocketFrameTest, CountsEveryFragmentAgainstTheLimit) {
  auto reader = server_reader(10);
  reader.feed(client_frame(WebSocketOpcode::kText, "123456", false) +
              client_frame(WebSocketOpcode::kContinuation, "789012", true));

  auto read = reader.next();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(reader.close_code(), kCloseMessageTooBig);
}

TEST(WebSocketFrameTest, RefusesAContinuationOutsideAMessage) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kContinuation, "lo"));

  EXPECT_FALSE(reader.next().ok());
  EXPECT_EQ(reader.close_code(), kCloseProtocolError);
}

TEST(WebSocketFrameTest, RefusesANewMessageInsideAFragmentedOne) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kText, "a", false) +
              client_frame(WebSocketOpcode::kText, "b"));

  EXPECT_FALSE(reader.next().ok());
}

TEST(WebSocketFrameTest, RefusesFragmentedOrLongControlFrames) {
  auto fragmented = server_reader();
  auto long_ping = server_reader();
  fragmented.feed(client_frame(WebSocketOpcode::kPing, "x", false));
  long_ping.feed(client_frame(WebSocketOpcode::kPing, std::string(126, 'x')));

  EXPECT_FALSE(fragmented.next().ok());
  EXPECT_FALSE(long_ping.next().ok());
}

TEST(WebSocketFrameTest, RefusesReservedBitsAndUnknownOpcodes) {
  auto reserved = server_reader();
  auto unknown = server_reader();
  std::string with_rsv1 = client_frame(WebSocketOpcode::kText, "x");
  with_rsv1[0] = static_cast<char>(with_rsv1[0] | 0x40);
  std::string opcode_3 = client_frame(WebSocketOpcode::kText, "x");
  opcode_3[0] = static_cast<char>(0x83);
  reserved.feed(with_rsv1);
  unknown.feed(opcode_3);

  EXPECT_FALSE(reserved.next().ok());
  EXPECT_FALSE(unknown.next().ok());
}

TEST(WebSocketFrameTest, RefusesTextThatIsNotUtf8) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kText, "\xc3\x28"));

  EXPECT_FALSE(reader.next().ok());
  EXPECT_EQ(reader.close_code(), kCloseInvalidPayload);
}

TEST(WebSocketFrameTest, CloseFramesCarryTheirCode) {
  auto reader = server_reader();
  reader.feed(client_frame(WebSocketOpcode::kClose, encode_close_payload(kCloseNormal, "bye")));

  auto read = reader.next();

  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->opcode, WebSocketOpcode::kClose);
  EXPECT_EQ(*decode_close_code((*read)->payload), kCloseNormal);
  EXPECT_EQ((*read)->payload.substr(2), "bye");
}

TEST(WebSocketFrameTest, RefusesCloseFramesWithReservedCodesOrOneByte) {
  auto reserved = server_reader();
  auto one_byte = server_reader();
  reserved.feed(client_frame(WebSocketOpcode::kClose, encode_close_payload(1005, "")));
  one_byte.feed(client_frame(WebSocketOpcode::kClose, "\x03"));

  EXPECT_FALSE(reserved.next().ok());
  EXPECT_FALSE(one_byte.next().ok());
  EXPECT_EQ(*decode_close_code(""), kCloseNoStatus);
}

TEST(WebSocketFrameTest, CloseReasonIsCutAtACharacterBoundary) {
  std::string reason;
  for (int i = 0; i < 100; ++i) {
    reason += "\xc3\xa9";  // two bytes each
  }

  const std::string payload = encode_close_payload(kCloseSessionEnded, reason);

  EXPECT_LE(payload.size(), 125U);
  EXPECT_EQ(payload.size() % 2, 0U);
  EXPECT_TRUE(decode_close_code(payload).ok());
}

}  // namespace
}  // namespace th::realtime
