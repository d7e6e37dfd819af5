#include "server/hub/visit_relay.h"

#include <spdlog/spdlog.h>

#include "storage/notification_listener.h"

namespace th::server {
namespace {

// Below PostgreSQL's 8000-byte payload limit, with room to spare.
constexpr std::size_t kMaxInlineNotice = 7900;

}  // namespace

VisitRelay::VisitRelay(VisitRooms& local, visits::VisitRoomService& rooms,
                       storage::Database& database, storage::DatabaseOptions options,
                       std::string node)
    : local_(local),
      rooms_(rooms),
      database_(database),
      node_(std::move(node)),
      loop_(std::move(options), kVisitChannel,
            [this](const std::string& payload) { apply(payload); }) {}

VisitRelay::~VisitRelay() {
  stop();
}

void VisitRelay::start() {
  loop_.start();
}

void VisitRelay::stop() {
  loop_.stop();
}

// A failed announcement leaves the other daemons' sockets behind until the
// next change of the room; nothing of the signal is logged.
void VisitRelay::announce(const VisitNotice& notice) {
  std::string text = encode_visit_notice(notice);
  if (text.size() > kMaxInlineNotice) {
    auto stored = rooms_.hold_signal(notice.frame);
    if (!stored.ok()) {
      spdlog::warn("visit relay: a large signaling frame could not be stored: {}",
                   stored.error().message());
      return;
    }
    VisitNotice named = notice;
    named.frame.clear();
    named.stored_id = *stored;
    text = encode_visit_notice(named);
  }
  const Status sent =
      database_.run([&](soci::session& session) { storage::notify(session, kVisitChannel, text); });
  if (!sent.ok()) {
    spdlog::warn("visit relay: could not tell the other daemons: {}", sent.error().message());
  }
}

// Own notices were applied here already.
void VisitRelay::apply(const std::string& payload) {
  auto notice = decode_visit_notice(payload);
  if (!notice.ok()) {
    spdlog::debug("visit relay: {}", notice.error().message());
    return;
  }
  if (notice->node == node_) {
    return;
  }
  local_.receive(std::move(*notice));
}

}  // namespace th::server
