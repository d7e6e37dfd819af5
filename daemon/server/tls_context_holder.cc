#include "server/tls_context_holder.h"

#include <Poco/Net/SSLException.h>
#include <openssl/ssl.h>

#include "config/secret_file.h"
#include "server/tls_handles.h"

namespace th::server {

Result<Poco::Net::Context::Ptr> build_server_tls_context(const TlsConfig& tls) {
  auto key_path = resolve_secret_path(tls.key_file);
  if (!key_path.ok()) {
    return key_path.error();
  }
  Poco::Net::Context::Params params;
  params.certificateFile = tls.certificate_file;
  params.privateKeyFile = *key_path;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = false;
  params.cipherList = tls.cipher_list;
  params.ecdhCurve = "prime256v1";
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(tls.min_version == "1.3" ? Poco::Net::Context::PROTO_TLSV1_3
                                                             : Poco::Net::Context::PROTO_TLSV1_2);
    context->preferServerCiphers();
    SSL_CTX* raw = context->sslContext();
    SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION);
    // An idle connection gives its read and write buffers (about 34 KiB)
    // back until it has traffic again: with thousands of WebSockets open,
    // most of them idle, that is most of their memory. nginx does the same.
    SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
    track_tls_handles(raw);
    return context;
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kInvalidArgument, "load TLS certificate '" + tls.certificate_file +
                                                  "' and key: " + failure.displayText());
  }
}

void TlsContextHolder::set(Poco::Net::Context::Ptr context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

Poco::Net::Context::Ptr TlsContextHolder::get() const {
  std::lock_guard lock(mutex_);
  return context_;
}

}  // namespace th::server
