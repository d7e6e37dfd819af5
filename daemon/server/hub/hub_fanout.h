// HubFanout: how a part of the daemon that is not the hub (a REST route, a
// service reacting to a change) reaches the connected devices of users.
//
// Messages are the protocol's complete text envelopes. The in-process
// implementation is the Hub itself (single node, and each node's own
// sockets). A relay between daemons wraps it: it announces the ids of what
// changed through the database and each daemon reads the change and hands
// it to its own hub. Visit rooms reach connections rather than users (a
// person's place is held through one connection) and keep their own
// registry (VisitRooms). Implementations are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace th::server {

class HubFanout {
 public:
  virtual ~HubFanout() = default;

  // Queues text to every open connection of each user; returns how many
  // connections it was queued on (a connection whose queue was full is
  // closed instead and not counted).
  virtual std::size_t send_to_users(const std::vector<std::string>& user_ids,
                                    std::string_view text) = 0;
};

}  // namespace th::server
