// ApiRequest and ApiResponse: what route handlers see and return, kept apart
// from Poco's classes so handlers read as plain functions and can be called
// from tests without a socket.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "access/principal.h"
#include "util/result.h"

namespace th::server {

enum class ListenerKind { kTls, kAdminSocket };

struct ApiRequest {
  std::string method;
  std::string path;   // without the query string
  std::string route;  // the matched pattern, e.g. /api/v1/users/{id}
  std::map<std::string, std::string> path_params;
  std::map<std::string, std::string> query;
  Poco::Net::NameValueCollection headers;
  std::string body;
  std::string request_id;
  std::string peer_address;  // the client IP on TLS (no port: throttling and audit key on
                             // the address), "local" on the admin socket
  ListenerKind listener = ListenerKind::kTls;
  access::Principal principal;

  std::string header(const std::string& name) const { return headers.get(name, ""); }
  std::string query_value(const std::string& name, const std::string& fallback = "") const;

  // Parses the body as a JSON object; kInvalidArgument names the problem.
  Result<Poco::JSON::Object::Ptr> json_object() const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is not `body` but what stream writes to the
  // connection after the headers have gone out (chunked transfer encoding),
  // so an export of any size never sits in memory. A failure it returns
  // ends the connection before the final chunk: the client sees the body as
  // cut short, never as complete.
  std::function<Status(std::ostream&)> stream = nullptr;
  // When set on a 101 answer, the connection leaves HTTP: the listener
  // sends the headers, lets go of the TLS socket and hands it over, with
  // any bytes the client sent after the upgrade request. Runs on the
  // listener's thread; must not block.
  std::function<void(Poco::Net::SecureStreamSocket tls, std::string early_input)> take_over =
      nullptr;

  static ApiResponse json(int status, const Poco::JSON::Object::Ptr& object);
  static ApiResponse text(int status, std::string content_type, std::string body);
  // {"error": {"code": "...", "message": "..."}} with the status the code maps to.
  static ApiResponse error(const Error& error);
  static ApiResponse error(int status, std::string_view code, std::string_view message);
};

// The HTTP status an error category maps to.
int http_status_for(ErrorCode code);

using Handler = std::function<Result<ApiResponse>(ApiRequest&)>;

}  // namespace th::server
