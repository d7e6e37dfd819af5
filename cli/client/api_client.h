// ApiClient: thctl's connection to telehealthd, over the admin socket (plain
// HTTP; the kernel vouches for who we are) or over HTTPS with a bearer token
// (for remote use). Both speak the same JSON API.
//
// Failures come back as Errors that carry the daemon's own error message and
// a category that decides thctl's exit code: the daemon unreachable is
// kUnavailable, 401/403 are kUnauthenticated/kPermissionDenied, and so on.
// Not thread-safe; thctl uses one client per run.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>

#include <iosfwd>
#include <memory>
#include <string>

#include "cli_context.h"
#include "util/result.h"

namespace th::cli {

class ApiClient {
 public:
  explicit ApiClient(const GlobalOptions& options) : options_(options) {}

  // Sends a request and returns the response's JSON (an object, or an array
  // wrapped as {"items": [...]}) for a 2xx status.
  Result<Poco::Dynamic::Var> call(const std::string& method, const std::string& path,
                                  const Poco::JSON::Object::Ptr& body = nullptr);

  Result<Poco::JSON::Object::Ptr> get_object(const std::string& path);

  // Like call(), for a body that is not JSON (a CSV file to import). When the
  // daemon refuses the request and `error_detail` is given, it receives the
  // reply's "error" object, for the fields beyond the message.
  Result<Poco::Dynamic::Var> call_text(const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& content_type,
                                       Poco::JSON::Object::Ptr* error_detail = nullptr);

  // Sends a GET and copies a 2xx reply's body to `out` as it arrives, so a
  // body of any size (an audit export) passes through in constant memory.
  // Returns the reply's headers; a refusal comes back as for call().
  Result<Poco::Net::NameValueCollection> download(const std::string& path, std::ostream& out);

 private:
  struct RawReply {
    int status = 0;
    std::string body;
    Poco::Net::NameValueCollection headers;
  };
  // With `sink`, a 2xx body goes there instead of into the reply.
  Result<RawReply> send(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& content_type, std::ostream* sink = nullptr);
  Result<std::string> bearer_token() const;

  const GlobalOptions& options_;
};

}  // namespace th::cli
