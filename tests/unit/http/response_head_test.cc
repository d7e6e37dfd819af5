#include "http/response_head.h"

#include <gtest/gtest.h>

namespace th::http {
namespace {

TEST(ResponseHeadTest, WritesStatusLineFieldsAndBlankLine) {
  EXPECT_EQ(format_response_head(404, {{"Content-Length", "0"}, {"X-A", "b"}}),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A: b\r\n\r\n");
}

TEST(ResponseHeadTest, NoValueCanEndTheHead) {
  EXPECT_EQ(format_response_head(200, {{"X-A", "b\r\n\r\nHTTP/1.1 200 OK"}}),
            "HTTP/1.1 200 OK\r\nX-A: b    HTTP/1.1 200 OK\r\n\r\n");
}

}  // namespace
}  // namespace th::http
