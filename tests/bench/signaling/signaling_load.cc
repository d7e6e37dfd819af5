#include "signaling_load.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>

#include "process_usage.h"

namespace th::bench {
namespace {

constexpr int kMaxConnecting = 64;
constexpr int kEventsPerWait = 256;
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kDrainNanos = 5 * kNanosPerSecond;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// Errors and closes printed before the rest are only counted.
constexpr int kReportedProblems = 10;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t to_ns(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

LatencySummary summarize(std::vector<std::int64_t>& samples_ns) {
  LatencySummary summary;
  if (samples_ns.empty()) {
    return summary;
  }
  std::sort(samples_ns.begin(), samples_ns.end());
  // Nearest rank: the smallest sample at or above the share asked for.
  const auto at = [&](double share) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(share * static_cast<double>(samples_ns.size())));
    return static_cast<double>(samples_ns[std::max<std::size_t>(rank, 1) - 1]) / 1e6;
  };
  summary.p50_ms = at(0.50);
  summary.p99_ms = at(0.99);
  summary.max_ms = static_cast<double>(samples_ns.back()) / 1e6;
  return summary;
}

double server_cpu(pid_t pid) {
  auto usage = read_process_usage(pid);
  return usage.ok() ? usage.value().cpu_seconds : 0;
}

}  // namespace

struct SignalingLoad::Client {
  Role role = Role::kIdle;
  // The pair's number, for pair members.
  int group = 0;
  Participant who;
  std::unique_ptr<TlsWebSocketClient> socket;
  bool greeted = false;
  bool finished = false;  // greeted, or closed before it was
  bool joined = false;
  bool admitted = false;
};

SignalingLoad::SignalingLoad(const SignalingDialect& dialect, SSL_CTX* tls, LoadPlan plan,
                             pid_t server_pid)
    : dialect_(dialect), tls_(tls), plan_(std::move(plan)), server_pid_(server_pid) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < plan_.pairs.size(); ++i) {
    add_client(Role::kPairFirst, static_cast<int>(i), plan_.pairs[i].first);
    add_client(Role::kPairSecond, static_cast<int>(i), plan_.pairs[i].second);
  }
  for (std::size_t i = 0; i < plan_.room.size(); ++i) {
    add_client(i == 0 ? Role::kRoomSender : Role::kRoomReceiver, 0, plan_.room[i]);
  }
  active_count_ = clients_.size();
}

SignalingLoad::~SignalingLoad() {
  clients_.clear();
  if (epoll_fd_ >= 0) {
    ::close(epoll_fd_);
  }
}

void SignalingLoad::add_client(Role role, int group, Participant who) {
  auto client = std::make_unique<Client>();
  client->role = role;
  client->group = group;
  ClientObserver& observer = *this;
  client->socket = std::make_unique<TlsWebSocketClient>(static_cast<int>(clients_.size()), tls_,
                                                        masks_, observer, dialect_.upgrade(who));
  client->who = std::move(who);
  clients_.push_back(std::move(client));
}

// ---- connecting ----

Status SignalingLoad::connect_active(std::chrono::seconds timeout) {
  if (auto connected = connect_range(0, clients_.size(), timeout); !connected.ok()) {
    return connected;
  }
  if (dialect_.needs_room_setup()) {
    if (auto joined = join_rooms(timeout); !joined.ok()) {
      return joined;
    }
  }
  heartbeat_start_ns_ = now_ns();
  next_heartbeat_ = 0;
  return {};
}

Status SignalingLoad::open_idle(int count, std::chrono::seconds timeout) {
  const std::size_t first = clients_.size();
  for (int i = 0; i < count; ++i) {
    Participant who = plan_.idle;
    who.peer_id += std::to_string(i);
    add_client(Role::kIdle, 0, std::move(who));
  }
  auto connected = connect_range(first, clients_.size(), timeout);
  idle_open_ = static_cast<int>(std::count_if(clients_.begin() + static_cast<std::ptrdiff_t>(first),
                                              clients_.end(),
                                              [](const auto& client) { return client->greeted; }));
  // Heartbeats spread again over every client there now is.
  heartbeat_start_ns_ = now_ns();
  next_heartbeat_ = 0;
  return connected;
}

void SignalingLoad::close_idle() {
  while (clients_.size() > active_count_) {
    clients_.pop_back();
  }
  idle_open_ = 0;
  heartbeat_start_ns_ = now_ns();
  next_heartbeat_ = 0;
}

Status SignalingLoad::connect_range(std::size_t first, std::size_t last,
                                    std::chrono::seconds timeout) {
  std::size_t next = first;
  std::size_t finished_before = 0;
  const auto finished = [&] {
    std::size_t count = 0;
    for (std::size_t i = first; i < next; ++i) {
      count += clients_[i]->finished ? 1 : 0;
    }
    return count;
  };
  const std::int64_t deadline = now_ns() + timeout.count() * kNanosPerSecond;
  run_until(deadline, [&] {
    // Few handshakes at a time, so neither server is judged on a burst of
    // thousands of simultaneous TLS handshakes.
    finished_before = finished();
    while (next < last && next - first - finished_before < kMaxConnecting) {
      if (auto started = clients_[next]->socket->start(plan_.server, epoll_fd_); !started.ok()) {
        clients_[next]->finished = true;
        ++failures_;
        first_failure_ = started.error().message();
      }
      ++next;
    }
    return next == last && finished_before == last - first;
  });
  if (failures_ > 0) {
    return Error(ErrorCode::kUnavailable,
                 std::to_string(failures_) + " clients failed; first: " + first_failure_);
  }
  if (next != last || finished() != last - first) {
    return Error(ErrorCode::kUnavailable, "clients still connecting at the time limit");
  }
  return {};
}

// telehealthd: hosts join first (admitted at once); then each patient
// joins the waiting room and the room's first host admits them.
Status SignalingLoad::join_rooms(std::chrono::seconds timeout) {
  const auto send_join = [&](Client& client) {
    client.socket->send_text(
        "{\"type\":\"visit.join\",\"id\":\"join\",\"payload\":"
        "{\"appointment_id\":\"" +
        client.who.appointment_id + "\"}}");
  };
  const auto all = [&](bool host, bool Client::*flag) {
    return std::all_of(clients_.begin(), clients_.begin() + active_count_,
                       [&](const auto& c) { return c->who.host != host || (*c).*flag; });
  };
  const std::int64_t deadline = now_ns() + timeout.count() * kNanosPerSecond;
  for (std::size_t i = 0; i < active_count_; ++i) {
    if (clients_[i]->who.host) {
      send_join(*clients_[i]);
    }
  }
  run_until(deadline, [&] { return failures_ > 0 || all(true, &Client::joined); });
  for (std::size_t i = 0; i < active_count_; ++i) {
    if (!clients_[i]->who.host) {
      send_join(*clients_[i]);
    }
  }
  run_until(deadline, [&] { return failures_ > 0 || all(false, &Client::admitted); });
  if (failures_ > 0) {
    return Error(ErrorCode::kUnavailable, "room setup failed: " + first_failure_);
  }
  if (!all(true, &Client::joined) || !all(false, &Client::admitted)) {
    return Error(ErrorCode::kUnavailable, "room setup unfinished at the time limit");
  }
  return {};
}

void SignalingLoad::take_room_reply(Client& client, std::string_view text) {
  Poco::JSON::Object::Ptr message;
  try {
    Poco::JSON::Parser parser;
    message = parser.parse(std::string(text)).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& error) {
    ++failures_;
    first_failure_ = "unreadable message from the server: " + error.displayText();
    return;
  }
  const std::string type = message->optValue<std::string>("type", "");
  const Poco::JSON::Object::Ptr payload = message->getObject("payload");
  if (type == "error") {
    ++failures_;
    first_failure_ = "error frame during room setup: " + std::string(text);
    return;
  }
  if (payload.isNull()) {
    return;
  }
  if (type == "visit.joined") {
    client.joined = true;
    client.who.participant_id = payload->optValue<std::string>("participant_id", "");
    if (payload->optValue<std::string>("state", "") == "admitted") {
      client.admitted = true;
      return;
    }
    // Waiting: the room's first host lets this participant in.
    for (std::size_t i = 0; i < active_count_; ++i) {
      Client& host = *clients_[i];
      if (host.who.host && host.who.appointment_id == client.who.appointment_id) {
        host.socket->send_text(
            "{\"type\":\"visit.admit\",\"id\":\"admit\",\"payload\":"
            "{\"appointment_id\":\"" +
            client.who.appointment_id + "\",\"participant_id\":\"" + client.who.participant_id +
            "\"}}");
        return;
      }
    }
  } else if (type == "visit.admitted") {
    client.admitted = true;
  }
}

// ---- events ----

void SignalingLoad::on_open(TlsWebSocketClient&) {}

void SignalingLoad::on_text(TlsWebSocketClient& socket, std::string_view text) {
  Client& client = *clients_[static_cast<std::size_t>(socket.tag())];
  if (!client.greeted) {
    if (dialect_.is_greeting(text)) {
      client.greeted = client.finished = true;
    } else {
      ++failures_;
      first_failure_ = "unexpected first message: " + std::string(text.substr(0, 200));
    }
    return;
  }
  if (const auto stamp = find_stamp(text)) {
    take_stamp(client, *stamp, now_ns());
    return;
  }
  if (dialect_.needs_room_setup() && client.role != Role::kIdle && !client.admitted) {
    take_room_reply(client, text);
    return;
  }
  if (text.find("\"error\"") != std::string_view::npos ||
      text.find("\"ERROR\"") != std::string_view::npos) {
    if (++errors_during_point_ <= kReportedProblems) {
      std::cerr << "th_signal_bench: error from the server: " << text.substr(0, 300) << "\n";
    }
  }
}

void SignalingLoad::on_closed(TlsWebSocketClient& socket, std::string_view why) {
  Client& client = *clients_[static_cast<std::size_t>(socket.tag())];
  if (!client.greeted) {
    client.finished = true;
    ++failures_;
    first_failure_ = std::string(why);
    return;
  }
  if (++closed_during_point_ <= kReportedProblems) {
    std::cerr << "th_signal_bench: client " << socket.tag() << " closed: " << why << "\n";
  }
}

// ---- the loop ----

template <typename Done>
void SignalingLoad::run_until(std::int64_t deadline, Done done) {
  epoll_event events[kEventsPerWait];
  for (;;) {
    send_due(now_ns());
    if (done()) {
      return;
    }
    const std::int64_t now = now_ns();
    if (now >= deadline) {
      return;
    }
    const std::int64_t wait = std::max<std::int64_t>(0, std::min(deadline, next_due()) - now);
    const timespec timeout{static_cast<time_t>(wait / kNanosPerSecond),
                           static_cast<long>(wait % kNanosPerSecond)};
    const int ready = epoll_pwait2(epoll_fd_, events, kEventsPerWait, &timeout, nullptr);
    for (int i = 0; i < ready; ++i) {
      clients_[events[i].data.u64]->socket->on_ready(events[i].events);
    }
  }
}

std::int64_t SignalingLoad::next_due() const {
  std::int64_t due = kNever;
  if (heartbeat_start_ns_ > 0 && !clients_.empty()) {
    const double spacing = plan_.heartbeat_seconds * 1e9 / static_cast<double>(clients_.size());
    due = heartbeat_start_ns_ + static_cast<std::int64_t>(spacing * next_heartbeat_);
  }
  if (sending_ && (point_.mode == PointMode::kRate || point_.mode == PointMode::kFanOut)) {
    const double spacing = 1e9 / point_.rate;
    due = std::min(due, traffic_start_ns_ + static_cast<std::int64_t>(spacing * next_traffic_));
  }
  return due;
}

void SignalingLoad::send_due(std::int64_t now) {
  const double heartbeat_spacing = plan_.heartbeat_seconds * 1e9 /
                                   static_cast<double>(std::max<std::size_t>(1, clients_.size()));
  while (heartbeat_start_ns_ > 0 &&
         heartbeat_start_ns_ + static_cast<std::int64_t>(heartbeat_spacing * next_heartbeat_) <=
             now) {
    send_heartbeat(next_heartbeat_++);
  }
  if (!sending_ || (point_.mode != PointMode::kRate && point_.mode != PointMode::kFanOut)) {
    return;
  }
  const double spacing = 1e9 / point_.rate;
  for (;;) {
    const std::int64_t due = traffic_start_ns_ + static_cast<std::int64_t>(spacing * next_traffic_);
    if (due > now) {
      return;
    }
    send_traffic(next_traffic_++, due);
  }
}

void SignalingLoad::send_heartbeat(std::int64_t index) {
  Client& client = *clients_[static_cast<std::size_t>(index) % clients_.size()];
  if (client.socket->state() == TlsWebSocketClient::State::kOpen) {
    client.socket->send_text(dialect_.heartbeat());
    ++heartbeats_sent_;
  }
}

void SignalingLoad::send_traffic(std::int64_t index, std::int64_t due_ns) {
  const bool in_window = due_ns >= window_start_ns_ && due_ns < window_end_ns_;
  if (point_.mode == PointMode::kRate) {
    const auto pairs = static_cast<std::int64_t>(plan_.pairs.size());
    const std::size_t pair = static_cast<std::size_t>(index % pairs);
    const bool backwards = (index / pairs) % 2 == 1;
    Client& from = *clients_[2 * pair + (backwards ? 1 : 0)];
    send_signal(from, partner(from), point_base_ + index, due_ns);
    sent_in_window_ += in_window ? 1 : 0;
    return;
  }
  const std::size_t sender = 2 * plan_.pairs.size();
  for (std::size_t i = sender + 1; i < active_count_; ++i) {
    send_signal(*clients_[sender], *clients_[i], point_base_ + index, due_ns);
    sent_in_window_ += in_window ? 1 : 0;
  }
}

void SignalingLoad::send_signal(Client& from, const Client& to, std::int64_t sequence,
                                std::int64_t sent_ns) {
  ++sent_in_point_;
  next_sequence_ = std::max(next_sequence_, sequence + 1);
  const SignalKind kind = kind_at(sequence);
  from.socket->send_text(dialect_.relay(to.who, kind, signal_payload(kind, {sequence, sent_ns})));
}

SignalingLoad::Client& SignalingLoad::partner(const Client& client) {
  const std::size_t first = 2 * static_cast<std::size_t>(client.group);
  return *clients_[client.role == Role::kPairFirst ? first + 1 : first];
}

void SignalingLoad::take_stamp(Client& client, const Stamp& stamp, std::int64_t now) {
  // Late arrivals of an earlier point are neither counted nor answered.
  if (stamp.sequence < point_base_) {
    return;
  }
  ++received_in_point_;
  if (stamp.sent_ns >= window_start_ns_ && stamp.sent_ns < window_end_ns_) {
    latencies_ns_.push_back(now - stamp.sent_ns);
    if (point_.mode == PointMode::kFanOut) {
      const std::int64_t round = stamp.sequence - point_base_ - first_round_in_window_;
      if (round >= 0 && round < static_cast<std::int64_t>(round_receipts_.size())) {
        ++round_receipts_[static_cast<std::size_t>(round)];
        auto& latest = round_latest_ns_[static_cast<std::size_t>(round)];
        latest = std::max(latest, now - stamp.sent_ns);
      }
    }
  }
  // Closed loop: every message that arrives is answered with the next one.
  if (sending_ && point_.mode == PointMode::kSaturate &&
      (client.role == Role::kPairFirst || client.role == Role::kPairSecond)) {
    const std::int64_t sent = now_ns();
    send_signal(client, partner(client), next_sequence_, sent);
    sent_in_window_ += sent >= window_start_ns_ && sent < window_end_ns_ ? 1 : 0;
  }
}

// ---- points ----

PointResult SignalingLoad::run_point(const PointOptions& options) {
  point_ = options;
  latencies_ns_.clear();
  round_receipts_.clear();
  round_latest_ns_.clear();
  sent_in_window_ = 0;
  closed_during_point_ = 0;
  errors_during_point_ = 0;
  next_traffic_ = 0;
  point_base_ = next_sequence_;
  sent_in_point_ = 0;
  received_in_point_ = 0;

  const std::int64_t start = now_ns();
  traffic_start_ns_ = start;
  window_start_ns_ = start + to_ns(options.warmup);
  window_end_ns_ = window_start_ns_ + to_ns(options.measure);
  if (options.mode == PointMode::kFanOut) {
    const double spacing = 1e9 / options.rate;
    first_round_in_window_ =
        static_cast<std::int64_t>(std::ceil(static_cast<double>(to_ns(options.warmup)) / spacing));
    const auto rounds = static_cast<std::size_t>(options.rate * to_ns(options.measure) / 1e9) + 2;
    round_receipts_.assign(rounds, 0);
    round_latest_ns_.assign(rounds, 0);
  }
  sending_ = options.mode != PointMode::kIdle;
  if (options.mode == PointMode::kSaturate) {
    for (std::size_t i = 0; i < 2 * plan_.pairs.size(); ++i) {
      for (int w = 0; w < options.window; ++w) {
        send_signal(*clients_[i], partner(*clients_[i]), next_sequence_, now_ns());
      }
    }
  }

  run_until(window_start_ns_, [] { return false; });
  const double server_before = server_cpu(server_pid_);
  const double client_before = own_cpu_seconds();
  const std::int64_t heartbeats_before = heartbeats_sent_;
  run_until(window_end_ns_, [] { return false; });
  const double server_after = server_cpu(server_pid_);
  const double client_after = own_cpu_seconds();
  const std::int64_t heartbeats = heartbeats_sent_ - heartbeats_before;
  sending_ = false;
  // Everything sent arrives before the next point starts, or the drain
  // gives up on it.
  run_until(window_end_ns_ + kDrainNanos, [&] { return received_in_point_ >= sent_in_point_; });

  PointResult result;
  result.name = options.name;
  result.mode = options.mode;
  result.offered_rate = options.rate;
  result.seconds = static_cast<double>(to_ns(options.measure)) / 1e9;
  result.idle_connections = idle_open_;
  result.sent = sent_in_window_;
  result.received = static_cast<std::int64_t>(latencies_ns_.size());
  result.achieved_rate = static_cast<double>(result.received) / result.seconds;
  result.latency = summarize(latencies_ns_);
  if (options.mode == PointMode::kFanOut) {
    const int receivers = static_cast<int>(active_count_ - 2 * plan_.pairs.size()) - 1;
    std::vector<std::int64_t> complete;
    for (std::size_t i = 0; i < round_receipts_.size(); ++i) {
      if (round_receipts_[i] == receivers) {
        complete.push_back(round_latest_ns_[i]);
      }
    }
    result.round_latency = summarize(complete);
  }
  result.heartbeats = heartbeats;
  result.server_cpu_seconds = server_after - server_before;
  result.client_cpu_seconds = client_after - client_before;
  result.clients_closed = closed_during_point_;
  result.error_frames = errors_during_point_;
  return result;
}

}  // namespace th::bench
