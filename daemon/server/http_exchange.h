// HttpExchange: one request and its answer as the request pipeline
// (RequestDispatcher) sees them, apart from the connection that carries
// them. The head has been received; the body is read, and the answer
// written, through these calls, which block the calling thread (within the
// listener's timeouts) but never the connection's other requests' threads.
//
// An exchange belongs to the thread serving its request and is used by that
// thread only.
#pragma once

#include <Poco/Net/SecureStreamSocket.h>

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "http/request_head.h"
#include "util/result.h"

namespace th::server {

// What an upgraded connection's new owner receives: the TLS socket
// (non-blocking) and the bytes the client sent after the upgrade request,
// which were already read from it.
using ConnectionTakeOver =
    std::function<void(Poco::Net::SecureStreamSocket tls, std::string early_input)>;

class HttpExchange {
 public:
  virtual ~HttpExchange() = default;

  virtual const http::RequestHead& head() const = 0;
  // The client's IP address without the port; "local" on the admin socket.
  virtual const std::string& peer_address() const = 0;
  // The connection's socket, for its peer credentials on a Unix socket.
  virtual int socket_fd() const = 0;

  // Reads the whole body into `body`. Fails with kResourceExhausted when it
  // is longer than `limit` (what came of it is dropped, and what is left
  // read and dropped up to a bound, see discard_body), with kInvalidArgument
  // when its chunked framing is malformed and with kUnavailable when the
  // client stops sending; the connection then closes after the answer.
  virtual Status read_body(std::string& body, std::size_t limit) = 0;

  // Reads and drops up to `limit` bytes of the body, so that a client that
  // sends its body before reading gets the answer instead of a reset. The
  // connection closes after the answer.
  virtual void discard_body(std::size_t limit) = 0;

  // The connection ends after this answer (set by the pipeline after a
  // refused body, by the client's Connection field or HTTP/1.0, or by a
  // draining listener).
  virtual void close_after_answer() = 0;
  virtual bool closes_after_answer() const = 0;

  // Writes an answer: `head` as formatted by http::format_response_head,
  // then `body` (omitted for HEAD). False when the client is gone.
  virtual bool send(std::string_view head, std::string_view body) = 0;

  // Writes `head` (which announces chunked transfer coding), then what
  // `produce` writes to its stream, in chunks, waiting while the client
  // reads, so that a body of any size takes constant memory. A failure of
  // the producer or the connection ends the connection before the final
  // chunk, so the client sees the body cut short, never complete.
  virtual Status send_streamed(std::string_view head,
                               const std::function<Status(std::ostream&)>& produce) = 0;

  // Writes `head` (a 101), then hands the connection to `take_over` once the
  // listener has let go of it. Only on a TLS listener.
  virtual void hand_over(std::string_view head, ConnectionTakeOver take_over) = 0;
};

}  // namespace th::server
