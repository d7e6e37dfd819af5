#include "http/request_head.h"

#include <gtest/gtest.h>

namespace th::http {
namespace {

constexpr std::size_t kLimit = 1024;

ParsedHead parse_complete(std::string_view input) {
  auto parsed = parse_request_head(input, kLimit);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message());
  EXPECT_TRUE(parsed.ok() && parsed->has_value());
  return parsed.ok() && parsed->has_value() ? **parsed : ParsedHead{};
}

Error parse_failure(std::string_view input) {
  auto parsed = parse_request_head(input, kLimit);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? Error(ErrorCode::kInternal, "parsed") : parsed.error();
}

TEST(RequestHeadTest, ReadsTheRequestLineAndFields) {
  const std::string input = "GET /api/v1/me?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  b c \r\n\r\n";

  const ParsedHead parsed = parse_complete(input);

  EXPECT_EQ(parsed.length, input.size());
  EXPECT_EQ(parsed.head.method, "GET");
  EXPECT_EQ(parsed.head.target, "/api/v1/me?x=1");
  EXPECT_EQ(parsed.head.minor_version, 1);
  ASSERT_NE(parsed.head.field("x-thing"), nullptr);
  EXPECT_EQ(*parsed.head.field("x-thing"), "b c");
  EXPECT_TRUE(parsed.head.keep_alive);
  EXPECT_FALSE(parsed.head.has_body());
}

TEST(RequestHeadTest, WaitsForTheBlankLine) {
  auto parsed = parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n", kLimit);

  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->has_value());
}

TEST(RequestHeadTest, LeavesAPipelinedRequestInTheInput) {
  const std::string first = "GET /a HTTP/1.1\r\n\r\n";

  const ParsedHead parsed = parse_complete(first + "GET /b HTTP/1.1\r\n\r\n");

  EXPECT_EQ(parsed.length, first.size());
  EXPECT_EQ(parsed.head.target, "/a");
}

TEST(RequestHeadTest, SkipsBlankLinesBeforeTheRequestLine) {
  const ParsedHead parsed = parse_complete("\r\n\r\nGET / HTTP/1.1\r\n\r\n");

  EXPECT_EQ(parsed.head.method, "GET");
  EXPECT_EQ(parsed.length, 22U);
}

TEST(RequestHeadTest, ConnectionCloseAndHttp10DecideKeepAlive) {
  EXPECT_FALSE(parse_complete("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").head.keep_alive);
  EXPECT_FALSE(parse_complete("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  EXPECT_TRUE(parse_complete("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").head.keep_alive);
}

TEST(RequestHeadTest, ReadsTheBodyFraming) {
  const RequestHead sized = parse_complete("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n").head;
  const RequestHead chunked =
      parse_complete("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").head;

  EXPECT_EQ(sized.content_length, 12U);
  EXPECT_TRUE(sized.has_body());
  EXPECT_TRUE(chunked.chunked);
  EXPECT_TRUE(chunked.has_body());
}

TEST(RequestHeadTest, NotesExpectContinue) {
  EXPECT_TRUE(parse_complete("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
                  .head.expect_continue);
}

TEST(RequestHeadTest, RefusesAMalformedRequestLine) {
  for (const char* line : {"GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
                           "G(T / HTTP/1.1\r\n\r\n", "GET  HTTP/1.1\r\n\r\n"}) {
    const Error error = parse_failure(line);

    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument) << line;
    EXPECT_TRUE(error.message().starts_with("malformed request: ")) << error.message();
  }
}

TEST(RequestHeadTest, RefusesAmbiguousFraming) {
  EXPECT_EQ(parse_failure("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n")
                .message(),
            "malformed request: both Content-Length and Transfer-Encoding");
  EXPECT_EQ(
      parse_failure("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").message(),
      "malformed request: two different Content-Length fields");
  parse_failure("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
  parse_failure("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n");
  parse_failure("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
}

TEST(RequestHeadTest, RefusesFoldedLinesBareLineFeedsAndControlCharacters) {
  parse_failure("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
  parse_failure("GET / HTTP/1.1\nA: b\r\n\r\n");
  parse_failure(std::string_view("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27));
  parse_failure("GET / HTTP/1.1\r\nNo colon here\r\n\r\n");
}

TEST(RequestHeadTest, RefusesAHeadOverTheLimit) {
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(kLimit, 'a');

  const Error incomplete = parse_failure(big);
  const Error complete = parse_failure(big + "\r\n\r\n");

  EXPECT_EQ(incomplete.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(complete.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(complete.message(), "request header fields exceed the limit of 1024 bytes");
}

}  // namespace
}  // namespace th::http
