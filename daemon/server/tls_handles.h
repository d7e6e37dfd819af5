// The OpenSSL connection (SSL*) behind a server TLS socket, found by the
// socket's descriptor.
//
// Poco keeps each socket's SSL* to itself, yet a WebSocket that reads ahead
// (HubConnection) must ask OpenSSL whether whole records already wait in
// its buffer, where epoll cannot see them (SSL_has_pending); no Poco call
// tells. So every server context gets a handshake callback that notes each
// connection's SSL* under its descriptor, and the hub looks its own up
// once it takes the socket over.
//
// A descriptor's entry is replaced by the next handshake on that
// descriptor; an entry is valid only while the socket that completed the
// handshake is open, which is the case for the caller that owns it.
// Thread-safe.
#pragma once

#include <openssl/ssl.h>

namespace th::server {

// Installs the handshake callback on a server context. Once per context,
// before it accepts connections.
void track_tls_handles(SSL_CTX* context);

// The SSL* whose handshake last completed on `fd`, or nullptr if none did
// on a context tracked by track_tls_handles.
SSL* tls_handle_of(int fd);

}  // namespace th::server
