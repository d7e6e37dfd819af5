#include "http/chunked_decoder.h"

#include <gtest/gtest.h>

namespace th::http {
namespace {

TEST(ChunkedDecoderTest, DecodesChunksAndStopsAtTheEnd) {
  ChunkedDecoder decoder;
  std::string body;
  const std::string input = "5\r\nhello\r\n6;name=x\r\n world\r\n0\r\nTrailer: y\r\n\r\nGET";

  auto used = decoder.feed(input, body);

  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, input.size() - 3);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(body, "hello world");
}

TEST(ChunkedDecoderTest, AcceptsInputOneByteAtATime) {
  ChunkedDecoder decoder;
  std::string body;
  const std::string input = "a\r\n0123456789\r\n0\r\n\r\n";

  for (const char c : input) {
    ASSERT_TRUE(decoder.feed(std::string_view(&c, 1), body).ok());
  }

  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(body, "0123456789");
}

TEST(ChunkedDecoderTest, RefusesMalformedChunks) {
  for (const char* input : {"zz\r\n", "5\r\nhello!\r\n", "5\nhello\r\n", "\r\n"}) {
    ChunkedDecoder decoder;
    std::string body;

    auto used = decoder.feed(input, body);

    ASSERT_FALSE(used.ok()) << input;
    EXPECT_EQ(used.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(used.error().message().starts_with("malformed chunked body: "));
  }
}

TEST(ChunkedDecoderTest, BoundsTheLengthOfASizeLine) {
  ChunkedDecoder decoder;
  std::string body;

  auto used = decoder.feed("1" + std::string(2000, ';'), body);

  ASSERT_FALSE(used.ok());
}

}  // namespace
}  // namespace th::http
