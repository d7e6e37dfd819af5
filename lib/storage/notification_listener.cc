#include "storage/notification_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include "storage/database_url.h"

namespace th::storage {
namespace {

PGconn* as_connection(void* connection) {
  return static_cast<PGconn*>(connection);
}

}  // namespace

Result<std::unique_ptr<NotificationListener>> NotificationListener::open(
    const DatabaseOptions& options, const std::string& channel) {
  auto url = parse_database_url(options.url);
  if (!url.ok()) {
    return url.error();
  }
  if (url->backend != Backend::kPostgresql) {
    return Error(ErrorCode::kFailedPrecondition, "notifications need PostgreSQL");
  }
  const std::string uri =
      postgresql_connection_uri(*url, options.password, options.connect_timeout_seconds);
  PGconn* connection = PQconnectdb(uri.c_str());
  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
    PQfinish(connection);
    return Error(ErrorCode::kUnavailable, "connect to listen for notifications");
  }
  std::unique_ptr<NotificationListener> listener(new NotificationListener(connection));
  const std::string listen = "LISTEN " + channel;
  PGresult* result = PQexec(connection, listen.c_str());
  const bool listening = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!listening) {
    return Error(ErrorCode::kUnavailable, "listen on channel '" + channel + "'");
  }
  return listener;
}

NotificationListener::~NotificationListener() {
  PQfinish(as_connection(connection_));
}

Result<std::vector<std::string>> NotificationListener::wait(std::chrono::milliseconds timeout) {
  PGconn* connection = as_connection(connection_);
  std::vector<std::string> payloads;
  pollfd watched{};
  watched.fd = PQsocket(connection);
  watched.events = POLLIN;
  if (watched.fd < 0) {
    return Error(ErrorCode::kUnavailable, "the notification connection is closed");
  }
  if (::poll(&watched, 1, static_cast<int>(timeout.count())) > 0) {
    if (PQconsumeInput(connection) == 0) {
      return Error(ErrorCode::kUnavailable, "the notification connection was lost");
    }
  }
  while (PGnotify* notification = PQnotifies(connection)) {
    payloads.emplace_back(notification->extra);
    PQfreemem(notification);
  }
  return payloads;
}

void notify(soci::session& session, const std::string& channel, const std::string& payload) {
  session << "SELECT pg_notify(:channel, :payload)", soci::use(channel), soci::use(payload);
}

}  // namespace th::storage
