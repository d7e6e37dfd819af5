// ChunkedOutput: a stream buffer that writes what is put into it as HTTP/1.1
// chunks (RFC 9112 section 7.1) to a sink, a buffer's worth at a time, so a
// response body of any size passes through in constant memory. The sink
// decides how to wait for a slow reader; once it fails, the stream goes bad
// and nothing more is written. One per response; not safe to share between
// threads.
#pragma once

#include <cstddef>
#include <functional>
#include <streambuf>
#include <string>
#include <string_view>

namespace th::http {

class ChunkedOutput final : public std::streambuf {
 public:
  // Writes bytes to the client; false when it cannot (the client left or
  // stopped reading for too long).
  using Sink = std::function<bool(std::string_view)>;

  explicit ChunkedOutput(Sink sink, std::size_t chunk_bytes = 32 * 1024);

  // Writes what is buffered and the final, empty chunk. False when the sink
  // failed, now or earlier: the body must then be treated as cut short.
  bool finish();

 protected:
  int_type overflow(int_type c) override;
  int sync() override;

 private:
  bool write_chunk();

  Sink sink_;
  std::string buffer_;  // the chunk size line's room, then the data
  bool failed_ = false;
};

}  // namespace th::http
