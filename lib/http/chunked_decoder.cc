#include "http/chunked_decoder.h"

#include <algorithm>
#include <charconv>

namespace th::http {
namespace {

constexpr std::size_t kMaxLineBytes = 1024;
constexpr std::size_t kMaxTrailerBytes = 8192;

Error malformed(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "malformed chunked body: " + std::move(what));
}

}  // namespace

Result<std::size_t> ChunkedDecoder::feed(std::string_view input, std::string& body) {
  std::size_t used = 0;
  while (used < input.size() && state_ != State::kDone) {
    if (state_ == State::kData) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - used));
      body.append(input.substr(used, take));
      used += take;
      remaining_ -= take;
      if (remaining_ == 0) {
        state_ = State::kDataEnd;
      }
      continue;
    }
    // Size lines, the CRLF after each chunk's data and trailer lines are
    // collected whole before they are interpreted.
    const char c = input[used++];
    if (c != '\n') {
      line_.push_back(c);
      if (line_.size() > kMaxLineBytes) {
        return malformed("a line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
      }
      continue;
    }
    if (line_.empty() || line_.back() != '\r') {
      return malformed("a line ends without CR LF");
    }
    line_.pop_back();
    const std::string line = std::move(line_);
    line_.clear();
    TH_RETURN_IF_ERROR(end_of_line(line));
  }
  return used;
}

Status ChunkedDecoder::end_of_line(std::string_view line) {
  switch (state_) {
    case State::kSize:
      return take_size(line);
    case State::kDataEnd:
      if (!line.empty()) {
        return malformed("a chunk is longer than its size says");
      }
      state_ = State::kSize;
      return ok_status();
    case State::kTrailer:
      trailer_bytes_ += line.size() + 2;
      if (trailer_bytes_ > kMaxTrailerBytes) {
        return malformed("the trailer is longer than " + std::to_string(kMaxTrailerBytes) +
                         " bytes");
      }
      if (line.empty()) {
        state_ = State::kDone;
      }
      return ok_status();
    case State::kData:
    case State::kDone:
      break;
  }
  return ok_status();
}

Status ChunkedDecoder::take_size(std::string_view line) {
  const std::string_view digits = line.substr(0, line.find_first_of("; \t"));
  std::uint64_t size = 0;
  const auto [end, failure] =
      std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (digits.empty() || failure != std::errc() || end != digits.data() + digits.size()) {
    return malformed("a chunk size is not a hexadecimal number");
  }
  remaining_ = size;
  state_ = size == 0 ? State::kTrailer : State::kData;
  return ok_status();
}

}  // namespace th::http
