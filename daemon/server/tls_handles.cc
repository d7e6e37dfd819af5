#include "server/tls_handles.h"

#include <mutex>
#include <unordered_map>

namespace th::server {
namespace {

struct Handles {
  std::mutex mutex;
  std::unordered_map<int, SSL*> by_fd;
};

Handles& handles() {
  static Handles instance;
  return instance;
}

// OpenSSL calls this at every state change of every connection on the
// context; only a completed handshake is of interest.
void on_tls_state(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) {
    return;
  }
  const int fd = SSL_get_fd(ssl);
  if (fd < 0) {
    return;
  }
  Handles& all = handles();
  std::lock_guard lock(all.mutex);
  all.by_fd[fd] = const_cast<SSL*>(ssl);
}

}  // namespace

void track_tls_handles(SSL_CTX* context) {
  SSL_CTX_set_info_callback(context, on_tls_state);
}

SSL* tls_handle_of(int fd) {
  Handles& all = handles();
  std::lock_guard lock(all.mutex);
  const auto found = all.by_fd.find(fd);
  return found == all.by_fd.end() ? nullptr : found->second;
}

}  // namespace th::server
