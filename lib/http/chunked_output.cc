#include "http/chunked_output.h"

#include <cstdio>

namespace th::http {
namespace {

// Room for the size line before the data, so a chunk goes out in one write:
// up to 16 hexadecimal digits and CR LF.
constexpr std::size_t kSizeLineRoom = 18;

}  // namespace

ChunkedOutput::ChunkedOutput(Sink sink, std::size_t chunk_bytes)
    : sink_(std::move(sink)), buffer_(kSizeLineRoom + chunk_bytes + 2, '\0') {
  char* data = buffer_.data() + kSizeLineRoom;
  setp(data, data + chunk_bytes);
}

std::streambuf::int_type ChunkedOutput::overflow(int_type c) {
  if (!write_chunk()) {
    return traits_type::eof();
  }
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int ChunkedOutput::sync() {
  return write_chunk() ? 0 : -1;
}

bool ChunkedOutput::finish() {
  return write_chunk() && sink_("0\r\n\r\n");
}

// The size line is written just before the data, into the room kept for it.
bool ChunkedOutput::write_chunk() {
  if (failed_) {
    return false;
  }
  const std::size_t size = static_cast<std::size_t>(pptr() - pbase());
  if (size == 0) {
    return true;
  }
  char line[kSizeLineRoom + 1];
  const int length = std::snprintf(line, sizeof line, "%zx\r\n", size);
  char* start = pbase() - length;
  std::copy(line, line + length, start);
  pptr()[0] = '\r';
  pptr()[1] = '\n';
  failed_ = !sink_(std::string_view(start, static_cast<std::size_t>(length) + size + 2));
  setp(pbase(), epptr());
  return !failed_;
}

}  // namespace th::http
