#include "http/response_head.h"

#include <Poco/Net/HTTPResponse.h>

#include <algorithm>

namespace th::http {

std::string_view reason_phrase(int status) {
  const std::string& reason = Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return reason;
}

std::string format_response_head(int status, const HeaderFields& fields) {
  std::string head;
  head.reserve(512);
  head += "HTTP/1.1 ";
  head += std::to_string(status);
  head += ' ';
  head += reason_phrase(status);
  head += "\r\n";
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    const std::size_t start = head.size();
    head += value;
    std::replace_if(
        head.begin() + static_cast<std::ptrdiff_t>(start), head.end(),
        [](char c) { return c == '\r' || c == '\n'; }, ' ');
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace th::http
