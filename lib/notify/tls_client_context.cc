#include "notify/tls_client_context.h"

#include <Poco/Exception.h>

namespace th::notify {

Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file) {
  Poco::Net::Context::Params params;
  // STRICT also checks the host name when the peer is on loopback.
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.caLocation = ca_file;
  params.loadDefaultCAs = ca_file.empty();
  params.cipherList = "HIGH:!aNULL:!MD5";
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kInvalidArgument,
                 "load CA file '" + ca_file + "': " + failure.displayText());
  }
}

}  // namespace th::notify
