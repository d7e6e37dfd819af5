// ChunkedDecoder: turns a request body sent with Transfer-Encoding: chunked
// back into its bytes, a piece of input at a time.
//
// Chunk extensions are skipped, trailer fields read and dropped. Size lines
// and trailers are bounded, so a peer cannot make the decoder hold an
// unbounded line. One decoder per body; not safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::http {

class ChunkedDecoder {
 public:
  // Consumes what it can of `input`, appending decoded bytes to `body`, and
  // returns how many bytes of input it used: all of them unless the body
  // ended inside `input` (the rest belongs to the next request). Fails with
  // kInvalidArgument naming what is malformed.
  [[nodiscard]] Result<std::size_t> feed(std::string_view input, std::string& body);

  // The final chunk and the trailers have been read.
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone };

  Status end_of_line(std::string_view line);
  Status take_size(std::string_view line);

  State state_ = State::kSize;
  std::string line_;  // the part of a size or trailer line received so far
  std::uint64_t remaining_ = 0;
  std::size_t trailer_bytes_ = 0;
};

}  // namespace th::http
