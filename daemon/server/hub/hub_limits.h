// HubLimits: the bounds every hub connection lives within, from the [hub]
// section of the configuration.
#pragma once

#include <chrono>
#include <cstddef>

namespace th::server {

struct HubLimits {
  // Threads running the hub's event loops (the daemon turns the
  // configuration's 0 into one per CPU it may run on).
  int io_threads = 2;
  // Upgraded connections held at once; the endpoint answers 503 beyond.
  int max_connections = 20000;
  // Largest message (all fragments together) a client may send.
  std::size_t max_message_bytes = 65536;
  // Messages waiting to be sent to one connection; one more closes it.
  std::size_t send_queue_messages = 256;
  // A connection silent for this long is pinged; silent for twice this
  // long, it is closed.
  std::chrono::seconds ping_interval{30};
  // Under steady traffic a loop sleeps this long between turns, so that one
  // wake-up serves many messages (HubBatchWindow); zero: never.
  std::chrono::microseconds batch_window{0};
  // How long a closing handshake may take before the socket is dropped.
  std::chrono::milliseconds close_timeout{2000};
  // Protocol errors (error frames) one connection may cause before it is
  // closed: each is audited, so a client cannot make the audit log grow
  // without bound.
  int max_protocol_errors = 20;
};

}  // namespace th::server
