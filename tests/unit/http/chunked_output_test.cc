#include "http/chunked_output.h"

#include <gtest/gtest.h>

#include <ostream>

namespace th::http {
namespace {

TEST(ChunkedOutputTest, WritesFullChunksThenTheRestAndTheEnd) {
  std::string written;
  ChunkedOutput output(
      [&](std::string_view bytes) {
        written += bytes;
        return true;
      },
      4);
  std::ostream out(&output);

  out << "abcdefghij";
  const bool finished = output.finish();

  EXPECT_TRUE(finished);
  EXPECT_EQ(written, "4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n");
}

TEST(ChunkedOutputTest, AFlushSendsWhatIsBuffered) {
  std::string written;
  ChunkedOutput output([&](std::string_view bytes) {
    written += bytes;
    return true;
  });
  std::ostream out(&output);

  out << "hello" << std::flush;

  EXPECT_EQ(written, "5\r\nhello\r\n");
}

TEST(ChunkedOutputTest, AFailedSinkMakesTheStreamBadAndSendsNoEnd) {
  int writes = 0;
  ChunkedOutput output(
      [&](std::string_view) {
        ++writes;
        return false;
      },
      4);
  std::ostream out(&output);

  out << "abcdefghij";
  const bool finished = output.finish();

  EXPECT_FALSE(out.good());
  EXPECT_FALSE(finished);
  EXPECT_EQ(writes, 1);
}

}  // namespace
}  // namespace th::http
