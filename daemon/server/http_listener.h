// HttpListener: one accepting socket and its connections, served by a pool
// of threads over one epoll set, speaking HTTP/1.1 with keep-alive.
//
// Every thread waits on the shared epoll set; each connection is armed once
// (EPOLLONESHOT), so the thread that gets its event owns it alone: it reads
// the request without waiting, runs the pipeline (RequestDispatcher), writes
// the answer itself and arms the connection again. There is no hand-over
// from an I/O loop to a worker: under load a thread goes from one ready
// connection to the next without sleeping, so a request costs no context
// switch, and the threads are as many as handlers may block at once on the
// database. A connection that is not sending costs no thread: a slow client
// holds one only while its request's body is read or its answer written,
// each wait bounded by the I/O timeout. A separate thread closes
// connections past their deadline: the TLS handshake and each request's
// head must arrive within the header deadline (so a client trickling bytes
// is cut off), an idle kept-alive one within the keep-alive timeout.
//
// Two kinds:
//   - TLS on a TCP address: each accepted connection is wrapped in TLS with
//     the context current at that moment (see TlsContextHolder), so the
//     certificate can be replaced without dropping open connections. There
//     is no plain-HTTP TCP listener.
//   - plain HTTP on the Unix admin socket, whose file mode and group decide
//     who may connect, and whose peer credentials decide who is served. It
//     shares this server rather than keeping a second one: the same
//     pipeline, limits and drain.
//
// Connections beyond max_connections are closed at accept. drain() stops
// accepting, lets requests under way finish (their answers close their
// connections), closes idle kept-alive connections, and waits up to a
// timeout.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/http_connection.h"
#include "server/request_dispatcher.h"
#include "server/tls_context_holder.h"
#include "util/result.h"

namespace th::server {

struct ListenerLimits {
  int worker_threads = 32;
  int max_connections = 512;
  ConnectionLimits connection;
};

class HttpListener {
 public:
  // Binds "ADDR:PORT" (port 0 picks a free one). Fails with kUnavailable
  // naming the address when it is in use or cannot be bound, with kInternal
  // when epoll cannot be set up.
  static Result<std::unique_ptr<HttpListener>> open_tls(
      const std::string& address, const ListenerLimits& limits, TlsContextHolder& tls,
      std::shared_ptr<RequestDispatcher> dispatcher);

  // Binds a Unix socket at path (replacing a stale socket file), then applies
  // mode and group to it.
  static Result<std::unique_ptr<HttpListener>> open_unix(
      const std::string& path, unsigned mode, unsigned gid, const ListenerLimits& limits,
      std::shared_ptr<RequestDispatcher> dispatcher);

  // Stops the threads (waiting for requests under way) and closes every
  // connection.
  ~HttpListener();

  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  void start();
  // Stops accepting and closes connections once their current request is
  // answered; returns true when all finished within the timeout.
  bool drain(std::chrono::seconds timeout);

  // "127.0.0.1:8443" or the socket path.
  std::string bound_address() const;
  int open_connections() const { return open_.load(); }
  std::uint64_t refused_connections() const { return refused_.load(); }

 private:
  HttpListener(Poco::Net::ServerSocket socket, int epoll_fd, int stop_fd,
               const ListenerLimits& limits, std::shared_ptr<RequestDispatcher> dispatcher,
               TlsContextHolder* tls, std::string unix_path);
  static Result<std::unique_ptr<HttpListener>> create(Poco::Net::ServerSocket socket,
                                                      const ListenerLimits& limits,
                                                      std::shared_ptr<RequestDispatcher> dispatcher,
                                                      TlsContextHolder* tls, std::string unix_path);

  void run_worker();
  void accept_connections();
  void rearm_accepts();
  void adopt(int fd, const sockaddr_storage& peer, socklen_t peer_length);
  void serve(const std::shared_ptr<HttpConnection>& connection);
  void forget(const std::shared_ptr<HttpConnection>& connection);
  std::shared_ptr<HttpConnection> find(std::uint64_t id);
  void run_sweeper();
  void sweep();
  void stop();

  Poco::Net::ServerSocket socket_;
  const int epoll_fd_;
  const int stop_fd_;  // an eventfd, readable once the threads must stop
  const ListenerLimits limits_;
  const std::shared_ptr<RequestDispatcher> dispatcher_;
  TlsContextHolder* const tls_;  // null on the admin socket
  const std::string unix_path_;
  const std::string bound_address_;

  std::vector<std::thread> workers_;
  std::thread sweeper_;
  std::atomic<bool> draining_{false};
  // Accepting failed for want of descriptors; the sweeper resumes it.
  std::atomic<bool> accept_paused_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> next_id_;

  std::mutex mutex_;  // guards connections_
  std::unordered_map<std::uint64_t, std::shared_ptr<HttpConnection>> connections_;

  std::mutex sweep_mutex_;  // with sweep_wake_, lets stop() and drain() wake the sweeper
  std::condition_variable sweep_wake_;
};

}  // namespace th::server
