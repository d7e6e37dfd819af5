// HttpListener: one accepting socket served by a pool of worker threads,
// speaking HTTP/1.1 through Poco's HTTPServerConnection.
//
// Two kinds:
//   - TLS on a TCP address: each accepted connection is wrapped in TLS with
//     the context current at that moment (see TlsContextHolder), so the
//     certificate can be replaced without dropping open connections. There is
//     no plain-HTTP TCP listener.
//   - plain HTTP on the Unix admin socket, whose file mode and group decide
//     who may connect, and whose peer credentials decide who is served.
//
// Connections beyond workers + queue are refused at accept. drain() stops
// accepting, lets in-flight requests finish, closes idle kept-alive
// connections, and waits up to a timeout.
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "server/request_dispatcher.h"
#include "server/tls_context_holder.h"
#include "util/result.h"

namespace th::server {

struct ListenerLimits {
  int worker_threads = 32;
  int max_connections = 512;
  int max_queued = 128;
  int read_timeout_seconds = 10;
  int keep_alive_timeout_seconds = 30;
};

// On a worker thread of a listener, while it serves a request: the plain
// TCP socket under the connection (for TLS, the one the TLS socket wraps).
// An upgraded connection needs it to become non-blocking, since Poco 1.11's
// TLS socket does not pass that setting down to it. Elsewhere: an empty
// socket.
Poco::Net::StreamSocket serving_tcp_socket();

class HttpListener {
 public:
  // Binds "ADDR:PORT" (port 0 picks a free one). Fails with kUnavailable
  // naming the address when it is in use or cannot be bound.
  static Result<std::unique_ptr<HttpListener>> open_tls(
      const std::string& address, const ListenerLimits& limits, TlsContextHolder& tls,
      Poco::SharedPtr<RequestDispatcher> dispatcher);

  // Binds a Unix socket at path (replacing a stale socket file), then applies
  // mode and group to it.
  static Result<std::unique_ptr<HttpListener>> open_unix(
      const std::string& path, unsigned mode, unsigned gid, const ListenerLimits& limits,
      Poco::SharedPtr<RequestDispatcher> dispatcher);

  ~HttpListener();

  void start();
  // Stops accepting and closes connections once their current request is
  // answered; returns true when all finished within the timeout.
  bool drain(std::chrono::seconds timeout);

  // "127.0.0.1:8443" or the socket path.
  std::string bound_address() const;
  int open_connections() const;
  std::uint64_t refused_connections() const;

 private:
  HttpListener(Poco::Net::ServerSocket socket, const ListenerLimits& limits,
               Poco::SharedPtr<RequestDispatcher> dispatcher, TlsContextHolder* tls,
               std::string unix_path);

  Poco::Net::ServerSocket socket_;
  Poco::SharedPtr<RequestDispatcher> dispatcher_;
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  std::string unix_path_;
  std::shared_ptr<std::atomic<int>> live_connections_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace th::server
