// HttpConnection: one client connection of an HttpListener, plain (the
// admin socket) or TLS, over a non-blocking socket.
//
// At any moment one thread owns the connection: either none does and it is
// parked in the listener's epoll set (armed once, EPOLLONESHOT) with a
// deadline, or the thread that claim()ed it reads its input, serves the
// request it holds and writes the answer itself, then parks it again. The
// ownership calls (claim, park, expired) are thread-safe; every other call
// is for the owner only. While serving, the owner waits on this socket
// alone (poll with the listener's I/O timeout), never on the others.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "http/chunked_decoder.h"
#include "server/http_exchange.h"

namespace th::server {

struct ConnectionLimits {
  std::size_t max_header_bytes = 16 * 1024;
  // From accepting the connection (the TLS handshake included) or from the
  // first byte of a later request, until its head is complete.
  std::chrono::seconds header_deadline{10};
  // The longest wait for the client to send (body) or take (answer) bytes.
  std::chrono::seconds io_timeout{10};
  std::chrono::seconds keep_alive_timeout{30};
};

class HttpConnection final : public HttpExchange {
 public:
  using Clock = std::chrono::steady_clock;

  // What receive() found.
  enum class Input {
    kRequest,    // a complete head: serve it
    kWait,       // nothing complete yet: park until more arrives
    kClosed,     // the client closed or the connection failed
    kMalformed,  // answer malformed() and close
  };

  // `socket` is non-blocking; `tls` when it is a SecureStreamSocket. The
  // connection is watched in `epoll_fd` under its id from the first park().
  // `draining` is the listener's: once set, every answer closes its
  // connection.
  HttpConnection(std::uint64_t id, Poco::Net::StreamSocket socket, bool tls,
                 std::string peer_address, int epoll_fd, const ConnectionLimits& limits,
                 const std::atomic<bool>& draining);

  std::uint64_t id() const { return id_; }
  int fd() const { return fd_; }

  // Any thread. Takes the connection from its parked state; false when
  // another thread has it.
  bool claim();
  // Owner. Leaves the connection parked until its deadline (the header
  // deadline while a request is incomplete, the keep-alive timeout between
  // requests) and arms it in the epoll set for its next input. False when
  // epoll refused it: then close it.
  bool park();
  // Any thread. Past its deadline, or (when `idle_only`) between requests
  // with nothing received, as of its last park(). closable() adds that
  // nobody holds it; a thread that then claims it checks due() again, as
  // the connection may have been served and parked in between, and parks
  // it again (re-arming it) if it is not due after all.
  bool due(Clock::time_point now, bool idle_only) const;
  bool closable(Clock::time_point now, bool idle_only) const;

  // Owner. Reads what arrived without waiting and looks for a complete
  // request head, first in what was read before.
  Input receive();
  // Owner, after kMalformed: what was wrong.
  const Error& malformed() const { return malformed_; }
  // Owner, after serving a request. False when the connection cannot carry
  // another one (it is closing, or the body was not read to its end).
  bool finish_request();
  // Owner. After hand_over() the listener forgets the connection, then
  // calls finish_hand_over(), which takes it out of the epoll set and gives
  // the socket and the input read after the upgrade request to their new
  // owner.
  bool handing_over() const { return static_cast<bool>(take_over_); }
  void finish_hand_over();
  // Owner. Takes the connection out of the epoll set and closes it.
  void close();
  // Owner. Whether input may wait that epoll would not report: bytes
  // received and not yet consumed, or decrypted ones held by TLS.
  bool input_waiting() const;

  // HttpExchange
  const http::RequestHead& head() const override { return head_; }
  const std::string& peer_address() const override { return peer_address_; }
  int socket_fd() const override { return fd_; }
  Status read_body(std::string& body, std::size_t limit) override;
  void discard_body(std::size_t limit) override;
  void close_after_answer() override { close_after_ = true; }
  bool closes_after_answer() const override;
  bool send(std::string_view head, std::string_view body) override;
  Status send_streamed(std::string_view head,
                       const std::function<Status(std::ostream&)>& produce) override;
  void hand_over(std::string_view head, ConnectionTakeOver take_over) override;

 private:
  enum class Io { kDone, kWantRead, kWantWrite, kClosed };
  enum class State { kParked, kBusy };

  void begin_request(http::ParsedHead parsed);
  void unwatch();
  static Io tls_outcome(int count);
  static Io plain_outcome(long count, Io would_block);
  Io read_some(std::size_t& received);
  Io write_some(std::string_view data, std::size_t& sent);
  bool wait_for(Io want);
  bool write_all(std::string_view data);
  bool read_more();
  Status take_body_bytes(std::string& body, std::size_t limit);
  void expect_continue();

  const std::uint64_t id_;
  Poco::Net::StreamSocket socket_;
  const int fd_;
  const bool tls_;
  const std::string peer_address_;
  const ConnectionLimits limits_;
  const int epoll_fd_;
  const std::atomic<bool>& draining_;

  // Arming in epoll and closing exclude each other, so that a connection
  // parked and then closed by another thread is never armed after its
  // descriptor was closed (and perhaps reused).
  std::mutex epoll_mutex_;
  bool watched_ = false;
  bool closed_ = false;

  std::atomic<State> state_{State::kParked};
  std::atomic<Clock::rep> deadline_;
  std::atomic<bool> idle_{false};

  // Owner only.
  std::string input_;  // received and not yet consumed
  http::RequestHead head_;
  Error malformed_{ErrorCode::kInvalidArgument, ""};
  Clock::time_point request_started_;
  bool served_any_ = false;
  bool close_after_ = false;
  // The body of the request being served: bytes left of a Content-Length,
  // or the decoder of a chunked one; body_read_ once it has all been read.
  std::uint64_t body_left_ = 0;
  std::optional<http::ChunkedDecoder> chunked_;
  bool body_read_ = true;
  bool continue_sent_ = false;
  ConnectionTakeOver take_over_;
};

}  // namespace th::server
