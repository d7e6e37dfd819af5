#include "client/api_client.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <sstream>

#include "config/small_file.h"

namespace th::cli {
namespace {

constexpr int kTimeoutSeconds = 60;

ErrorCode code_for_status(int status) {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 503:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

// The daemon's error message when the body is its JSON error shape, else the
// HTTP status.
Error error_from_reply(int status, const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    const auto detail = object->getObject("error");
    if (detail) {
      // Altered stored data is told apart from other server errors.
      const bool data_loss = detail->optValue<std::string>("code", "") ==
                             std::string(error_code_name(ErrorCode::kDataLoss));
      return Error(data_loss ? ErrorCode::kDataLoss : code_for_status(status),
                   detail->getValue<std::string>("message"));
    }
  } catch (const Poco::Exception&) {
    // Not our JSON: fall through to the status line.
  }
  return Error(code_for_status(status), "the daemon answered HTTP " + std::to_string(status));
}

// The reply's "error" object, or null when the body is not our JSON error shape.
Poco::JSON::Object::Ptr error_object_of(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getObject("error");
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Poco::Net::Context::Ptr client_context(const std::string& ca_file) {
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.caLocation = ca_file;
  params.loadDefaultCAs = ca_file.empty();
  params.cipherList = "HIGH:!aNULL:!MD5";
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  return context;
}

}  // namespace

Result<std::string> ApiClient::bearer_token() const {
  if (options_.token_file.empty()) {
    return std::string();
  }
  auto token = read_small_file(options_.token_file, 4096, "token file");
  if (!token.ok()) {
    return token.error();
  }
  std::string value = std::move(*token);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) {
    value.pop_back();
  }
  return value;
}

Result<ApiClient::RawReply> ApiClient::send(const std::string& method, const std::string& path,
                                            const std::string& body,
                                            const std::string& content_type, std::ostream* sink) {
  const bool remote = !options_.url.empty();
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (remote) {
      const Poco::URI uri(options_.url);
      if (uri.getScheme() != "https") {
        return Error(ErrorCode::kInvalidArgument, "--url must start with https://");
      }
      Poco::Net::Context::Ptr context = client_context(options_.ca_file);
      Poco::Net::SSLManager::instance().initializeClient(
          nullptr, new Poco::Net::RejectCertificateHandler(false), context);
      session =
          std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    } else {
      Poco::Net::StreamSocket socket;
      socket.connect(
          Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, options_.socket_path));
      session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
    }
    session->setTimeout(Poco::Timespan(kTimeoutSeconds, 0));

    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(remote ? Poco::URI(options_.url).getHost() : "localhost");
    if (remote) {
      auto token = bearer_token();
      if (!token.ok()) {
        return token.error();
      }
      if (!token->empty()) {
        request.set("Authorization", "Bearer " + *token);
      }
    }
    if (!body.empty()) {
      request.setContentType(content_type);
      request.setContentLength64(static_cast<std::int64_t>(body.size()));
    }
    session->sendRequest(request) << body;

    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    RawReply reply;
    reply.status = static_cast<int>(response.getStatus());
    reply.headers = response;
    if (sink != nullptr && reply.status >= 200 && reply.status < 300) {
      Poco::StreamCopier::copyStream(in, *sink);
    } else {
      Poco::StreamCopier::copyToString(in, reply.body);
    }
    return reply;
  } catch (const Poco::Net::SSLException& failure) {
    return Error(ErrorCode::kUnavailable,
                 "TLS connection to '" + options_.url + "': " + failure.displayText());
  } catch (const Poco::Exception& failure) {
    const std::string where = remote ? options_.url : options_.socket_path;
    return Error(ErrorCode::kUnavailable,
                 "connect to telehealthd at '" + where + "': " + failure.displayText());
  }
}

Result<Poco::Dynamic::Var> ApiClient::call(const std::string& method, const std::string& path,
                                           const Poco::JSON::Object::Ptr& body) {
  std::string text;
  if (body) {
    std::ostringstream out;
    body->stringify(out);
    text = out.str();
  }
  return call_text(method, path, text, "application/json");
}

Result<Poco::Dynamic::Var> ApiClient::call_text(const std::string& method, const std::string& path,
                                                const std::string& body,
                                                const std::string& content_type,
                                                Poco::JSON::Object::Ptr* error_detail) {
  auto reply = send(method, path, body, content_type);
  if (!reply.ok()) {
    return reply.error();
  }
  if (reply->status < 200 || reply->status >= 300) {
    if (error_detail != nullptr) {
      *error_detail = error_object_of(reply->body);
    }
    return error_from_reply(reply->status, reply->body);
  }
  if (reply->body.empty()) {
    return Poco::Dynamic::Var(Poco::JSON::Object::Ptr(new Poco::JSON::Object));
  }
  try {
    Poco::JSON::Parser parser;
    return parser.parse(reply->body);
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kInternal, "the daemon's reply is not JSON: " + failure.message());
  }
}

Result<Poco::Net::NameValueCollection> ApiClient::download(const std::string& path,
                                                           std::ostream& out) {
  auto reply = send("GET", path, "", "", &out);
  if (!reply.ok()) {
    return reply.error();
  }
  if (reply->status < 200 || reply->status >= 300) {
    return error_from_reply(reply->status, reply->body);
  }
  return reply->headers;
}

Result<Poco::JSON::Object::Ptr> ApiClient::get_object(const std::string& path) {
  auto value = call("GET", path);
  if (!value.ok()) {
    return value.error();
  }
  if (value->type() != typeid(Poco::JSON::Object::Ptr)) {
    return Error(ErrorCode::kInternal, "the daemon's reply is not a JSON object");
  }
  return value->extract<Poco::JSON::Object::Ptr>();
}

}  // namespace th::cli
