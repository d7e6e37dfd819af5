// SignalingLoad: the load generator of the signaling benchmark. It holds
// every client on one epoll thread (TlsWebSocketClient), sets the rooms
// up, and runs measured points against one server:
//
//   rate       messages relayed between the two members of each pair at a
//              fixed offered rate, spread evenly over the pairs and both
//              directions (open loop: latency counts from the time a
//              message was due, so a server that falls behind is charged
//              for the wait);
//   saturate   each client keeps `window` messages in flight to its
//              partner, sending the next one as one arrives (closed loop):
//              the highest rate the server sustains;
//   fanout     one member of the room sends a message to each of the
//              others (one message per receiver: neither server has a
//              broadcast), at a fixed rate of rounds;
//   idle       nothing but heartbeats, to charge idle sockets their CPU.
//
// Every client sends a heartbeat every `heartbeat_seconds` (PeerJS closes
// clients that stop), phases spread over the interval. Figures are
// printed by the caller; this class only measures. Not thread-safe: one
// thread drives it from start to end.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "signaling_dialect.h"
#include "tls_websocket_client.h"
#include "util/result.h"

namespace th::bench {

struct LoadPlan {
  sockaddr_in server{};
  // The two members of each pair; in telehealthd, a host and a patient of
  // one visit room.
  std::vector<std::pair<Participant, Participant>> pairs;
  // room[0] sends the fan-out, the others receive it.
  std::vector<Participant> room;
  // What idle clients connect as (telehealthd: one signed-in user's token;
  // PeerJS: ids are made up per client).
  Participant idle;
  double heartbeat_seconds = 5;
};

enum class PointMode { kRate, kSaturate, kFanOut, kIdle };

struct PointOptions {
  std::string name;
  PointMode mode = PointMode::kRate;
  // kRate: messages a second; kFanOut: rounds a second.
  double rate = 0;
  // kSaturate: messages in flight per client.
  int window = 4;
  std::chrono::milliseconds warmup{2000};
  std::chrono::milliseconds measure{10000};
};

struct LatencySummary {
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct PointResult {
  std::string name;
  PointMode mode = PointMode::kRate;
  double offered_rate = 0;
  double seconds = 0;
  int idle_connections = 0;
  // Messages due (or sent) inside the measured window, and of those, how
  // many arrived by the end of the drain that follows it.
  std::int64_t sent = 0;
  std::int64_t received = 0;
  double achieved_rate = 0;
  LatencySummary latency;
  // kFanOut: latency of the last of each round's receivers.
  LatencySummary round_latency;
  std::int64_t heartbeats = 0;
  double server_cpu_seconds = 0;
  double client_cpu_seconds = 0;
  int clients_closed = 0;
  // Error frames the server answered with during the point.
  int error_frames = 0;
};

class SignalingLoad final : private ClientObserver {
 public:
  SignalingLoad(const SignalingDialect& dialect, SSL_CTX* tls, LoadPlan plan, pid_t server_pid);
  ~SignalingLoad() override;

  // Connects the pairs and the room and, for telehealthd, joins every one
  // of them to its visit room and admits the patients. Fails when a
  // client cannot connect or is refused.
  [[nodiscard]] Status connect_active(std::chrono::seconds timeout);

  // Opens `count` more clients that do nothing but send heartbeats.
  [[nodiscard]] Status open_idle(int count, std::chrono::seconds timeout);

  // Closes the idle clients (without a closing handshake).
  void close_idle();

  [[nodiscard]] PointResult run_point(const PointOptions& options);

  int idle_connections() const { return idle_open_; }

 private:
  enum class Role { kPairFirst, kPairSecond, kRoomSender, kRoomReceiver, kIdle };
  struct Client;

  void on_open(TlsWebSocketClient& client) override;
  void on_text(TlsWebSocketClient& client, std::string_view text) override;
  void on_closed(TlsWebSocketClient& client, std::string_view why) override;

  void add_client(Role role, int group, Participant who);
  [[nodiscard]] Status connect_range(std::size_t first, std::size_t last,
                                     std::chrono::seconds timeout);
  [[nodiscard]] Status join_rooms(std::chrono::seconds timeout);
  void take_room_reply(Client& client, std::string_view text);
  void take_stamp(Client& client, const Stamp& stamp, std::int64_t now_ns);

  // Runs the loop until `deadline` (steady-clock nanoseconds) or until
  // `done` returns true.
  template <typename Done>
  void run_until(std::int64_t deadline, Done done);
  void send_due(std::int64_t now_ns);
  std::int64_t next_due() const;
  void send_traffic(std::int64_t index, std::int64_t due_ns);
  void send_heartbeat(std::int64_t index);
  void send_signal(Client& from, const Client& to, std::int64_t sequence, std::int64_t sent_ns);
  Client& partner(const Client& client);

  const SignalingDialect& dialect_;
  SSL_CTX* tls_;
  LoadPlan plan_;
  pid_t server_pid_;
  int epoll_fd_ = -1;
  MaskSource masks_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::size_t active_count_ = 0;
  int idle_open_ = 0;
  int failures_ = 0;
  std::string first_failure_;

  // Heartbeats: the next one's number, spread from heartbeat_start_ns_.
  std::int64_t heartbeat_start_ns_ = 0;
  std::int64_t next_heartbeat_ = 0;
  std::int64_t heartbeats_sent_ = 0;

  // The point being run.
  PointOptions point_;
  bool sending_ = false;
  std::int64_t traffic_start_ns_ = 0;
  std::int64_t next_traffic_ = 0;
  // Every message has a number of its own; those of the running point
  // start at point_base_.
  std::int64_t next_sequence_ = 0;
  std::int64_t point_base_ = 0;
  std::int64_t sent_in_point_ = 0;
  std::int64_t received_in_point_ = 0;
  std::int64_t window_start_ns_ = 0;
  std::int64_t window_end_ns_ = 0;
  std::int64_t sent_in_window_ = 0;
  std::vector<std::int64_t> latencies_ns_;
  // kFanOut: per round in the window, receipts so far and the latest one.
  std::vector<int> round_receipts_;
  std::vector<std::int64_t> round_latest_ns_;
  std::int64_t first_round_in_window_ = -1;
  int closed_during_point_ = 0;
  int errors_during_point_ = 0;
};

}  // namespace th::bench
