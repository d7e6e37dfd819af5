#include "server/http_listener.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace th::server {
namespace {

thread_local Poco::Net::StreamSocket* tls_serving_tcp = nullptr;

// Counts a connection for as long as Poco keeps its handler alive, so
// open_connections() and the connection cap see exactly the live ones.
class CountedConnection final : public Poco::Net::HTTPServerConnection {
 public:
  CountedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::StreamSocket tcp,
                    Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                    std::shared_ptr<std::atomic<int>> live)
      : HTTPServerConnection(socket, params, factory),
        tcp_(std::move(tcp)),
        live_(std::move(live)) {}
  ~CountedConnection() override { --*live_; }

  void run() override {
    struct Serving {
      explicit Serving(Poco::Net::StreamSocket* tcp) { tls_serving_tcp = tcp; }
      ~Serving() { tls_serving_tcp = nullptr; }
    } serving(&tcp_);
    HTTPServerConnection::run();
  }

 private:
  Poco::Net::StreamSocket tcp_;
  std::shared_ptr<std::atomic<int>> live_;
};

// Accepted over the cap: closed at once without being served.
class RefusedConnection final : public Poco::Net::TCPServerConnection {
 public:
  explicit RefusedConnection(const Poco::Net::StreamSocket& socket) : TCPServerConnection(socket) {}
  void run() override { socket().close(); }
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::SharedPtr<RequestDispatcher> dispatcher, TlsContextHolder* tls,
                    int max_connections, int read_timeout_seconds,
                    std::shared_ptr<std::atomic<int>> live)
      : params_(std::move(params)),
        dispatcher_(std::move(dispatcher)),
        tls_(tls),
        max_connections_(max_connections),
        read_timeout_(Poco::Timespan(read_timeout_seconds, 0)),
        live_(std::move(live)) {}

  // Poco owns the connection objects it asks for, hence the raw new.
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    if (live_->load() >= max_connections_) {
      return new RefusedConnection(socket);
    }
    try {
      Poco::Net::StreamSocket plain(socket);
      // The read timeout also bounds the TLS handshake, which runs on the
      // first read: a client that connects and says nothing cannot hold a
      // worker for longer than this.
      plain.setReceiveTimeout(read_timeout_);
      plain.setSendTimeout(read_timeout_);
      if (tls_ == nullptr) {
        ++*live_;
        return new CountedConnection(plain, plain, params_, dispatcher_, live_);
      }
      Poco::Net::SecureStreamSocket secure =
          Poco::Net::SecureStreamSocket::attach(plain, tls_->get());
      ++*live_;
      return new CountedConnection(secure, plain, params_, dispatcher_, live_);
    } catch (const Poco::Exception& failure) {
      spdlog::debug("connection setup failed: {}", failure.displayText());
      return new RefusedConnection(socket);
    }
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::SharedPtr<RequestDispatcher> dispatcher_;
  TlsContextHolder* tls_;
  int max_connections_;
  Poco::Timespan read_timeout_;
  std::shared_ptr<std::atomic<int>> live_;
};

Poco::Net::HTTPServerParams::Ptr make_params(const ListenerLimits& limits) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(limits.worker_threads);
  params->setMaxQueued(limits.max_queued);
  params->setTimeout(Poco::Timespan(limits.read_timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(limits.keep_alive_timeout_seconds, 0));
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("telehealthd");
  params->setSoftwareVersion("telehealthd");
  return params;
}

}  // namespace

Poco::Net::StreamSocket serving_tcp_socket() {
  return tls_serving_tcp != nullptr ? *tls_serving_tcp : Poco::Net::StreamSocket();
}

HttpListener::HttpListener(Poco::Net::ServerSocket socket, const ListenerLimits& limits,
                           Poco::SharedPtr<RequestDispatcher> dispatcher, TlsContextHolder* tls,
                           std::string unix_path)
    : socket_(std::move(socket)),
      dispatcher_(std::move(dispatcher)),
      pool_(1, limits.worker_threads),
      unix_path_(std::move(unix_path)) {
  auto params = make_params(limits);
  Poco::Net::TCPServerConnectionFactory::Ptr factory =
      new ConnectionFactory(params, dispatcher_, tls, limits.max_connections,
                            limits.read_timeout_seconds, live_connections_);
  server_ = std::make_unique<Poco::Net::TCPServer>(factory, pool_, socket_, params);
}

HttpListener::~HttpListener() {
  server_.reset();
  if (!unix_path_.empty()) {
    ::unlink(unix_path_.c_str());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::open_tls(
    const std::string& address, const ListenerLimits& limits, TlsContextHolder& tls,
    Poco::SharedPtr<RequestDispatcher> dispatcher) {
  try {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR so a restart can rebind at once, but not SO_REUSEPORT:
    // a second daemon on the same port must fail, not share the traffic.
    socket.bind(Poco::Net::SocketAddress(address), /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(256);
    return std::unique_ptr<HttpListener>(
        new HttpListener(std::move(socket), limits, std::move(dispatcher), &tls, ""));
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kUnavailable, "listen on '" + address + "': " + failure.displayText());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::open_unix(
    const std::string& path, unsigned mode, unsigned gid, const ListenerLimits& limits,
    Poco::SharedPtr<RequestDispatcher> dispatcher) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return Error(ErrorCode::kFailedPrecondition,
                   "listen on '" + path + "': a file that is not a socket is in the way");
    }
    ::unlink(path.c_str());
  }
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path));
    socket.listen(64);
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0 ||
        ::chown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(gid)) != 0) {
      const std::string reason = std::strerror(errno);
      ::unlink(path.c_str());
      return Error(ErrorCode::kFailedPrecondition,
                   "set mode and group of '" + path + "': " + reason);
    }
    return std::unique_ptr<HttpListener>(
        new HttpListener(std::move(socket), limits, std::move(dispatcher), nullptr, path));
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kUnavailable, "listen on '" + path + "': " + failure.displayText());
  }
}

void HttpListener::start() {
  server_->start();
}

bool HttpListener::drain(std::chrono::seconds timeout) {
  server_->stop();
  // Poco's connections close after their current request once the factory
  // reports the server stopped; idle kept-alive ones close at once. The event
  // blocks on busy connections, so it is raised on a thread of its own and
  // the wait below is what the timeout bounds.
  std::thread notifier(
      [dispatcher = dispatcher_, this]() mutable { dispatcher->announce_stopped(this); });
  notifier.detach();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return open_connections() == 0;
}

std::string HttpListener::bound_address() const {
  return unix_path_.empty() ? socket_.address().toString() : unix_path_;
}

int HttpListener::open_connections() const {
  return live_connections_->load();
}

std::uint64_t HttpListener::refused_connections() const {
  return static_cast<std::uint64_t>(server_->refusedConnections());
}

}  // namespace th::server
