// th_signal_bench: the load generator of the signaling benchmark (issue 6),
// one program for both servers so that telehealthd and the PeerJS server
// meet the same clients, payloads and pacing. run_signaling_benchmark.sh
// starts the server, writes the plan (who connects as whom) and runs this
// pinned to its own core; it prints one JSON object of figures on stdout
// and what it is doing on stderr. It measures; it asserts nothing.
//
//   th_signal_bench --plan plan.json --server-pid PID --ca-file cert.pem
//                   [--rates 5000,20000] [--idle 5000] [--seconds 10] ...
//
// The plan (JSON): {"dialect": "peerjs" | "telehealthd", "port": N,
// "path": "/bench" (PeerJS), "pairs": [{"first": P, "second": P}, ...],
// "room": [P, ...] (room[0] sends the fan-out), "idle": P}, where a
// participant P is {"peer_id", "token", "appointment_id", "host"}.
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "process_usage.h"
#include "signal_payload.h"
#include "signaling_dialect.h"
#include "signaling_load.h"

namespace th::bench {
namespace {

struct Options {
  std::string plan_file;
  std::string ca_file;
  int server_pid = 0;
  std::vector<double> rates{5000, 20000};
  int window = 4;
  double fanout_rate = 200;
  int idle = 5000;
  double seconds = 10;
  double warmup = 2;
  double heartbeat_seconds = 5;
  int connect_timeout = 120;
};

struct Plan {
  std::string dialect;
  std::string path;
  LoadPlan load;
};

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "th_signal_bench: error: " << what << "\n";
  std::exit(1);
}

Participant participant_from(const Poco::JSON::Object::Ptr& object) {
  Participant who;
  if (object.isNull()) {
    return who;
  }
  who.peer_id = object->optValue<std::string>("peer_id", "");
  who.token = object->optValue<std::string>("token", "");
  who.appointment_id = object->optValue<std::string>("appointment_id", "");
  who.host = object->optValue<bool>("host", false);
  return who;
}

Plan read_plan(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    fail("cannot read the plan '" + file + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  Plan plan;
  try {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
    plan.dialect = root->getValue<std::string>("dialect");
    plan.path = root->optValue<std::string>("path", "/");
    plan.load.server.sin_family = AF_INET;
    plan.load.server.sin_port = htons(static_cast<std::uint16_t>(root->getValue<int>("port")));
    ::inet_pton(AF_INET, "127.0.0.1", &plan.load.server.sin_addr);
    const auto pairs = root->getArray("pairs");
    for (std::size_t i = 0; pairs && i < pairs->size(); ++i) {
      const auto pair = pairs->getObject(static_cast<unsigned>(i));
      plan.load.pairs.emplace_back(participant_from(pair->getObject("first")),
                                   participant_from(pair->getObject("second")));
    }
    const auto room = root->getArray("room");
    for (std::size_t i = 0; room && i < room->size(); ++i) {
      plan.load.room.push_back(participant_from(room->getObject(static_cast<unsigned>(i))));
    }
    plan.load.idle = participant_from(root->getObject("idle"));
  } catch (const Poco::Exception& error) {
    fail("bad plan '" + file + "': " + error.displayText());
  }
  if (plan.load.pairs.empty() || plan.load.room.size() < 2) {
    fail("the plan needs pairs and a room of at least two");
  }
  return plan;
}

SSL_CTX* client_tls(const std::string& ca_file) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    fail("cannot load the certificate '" + ca_file + "'");
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return context;
}

void raise_file_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

const char* mode_name(PointMode mode) {
  switch (mode) {
    case PointMode::kRate:
      return "rate";
    case PointMode::kSaturate:
      return "saturate";
    case PointMode::kFanOut:
      return "fanout";
    case PointMode::kIdle:
      return "idle";
  }
  return "";
}

Poco::JSON::Object::Ptr latency_json(const LatencySummary& latency) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("p50_ms", latency.p50_ms);
  object->set("p99_ms", latency.p99_ms);
  object->set("max_ms", latency.max_ms);
  return object;
}

Poco::JSON::Object::Ptr point_json(const PointResult& result) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("name", result.name);
  object->set("mode", std::string(mode_name(result.mode)));
  object->set("offered_rate", result.offered_rate);
  object->set("seconds", result.seconds);
  object->set("idle_connections", result.idle_connections);
  object->set("sent", result.sent);
  object->set("received", result.received);
  object->set("achieved_rate", result.achieved_rate);
  object->set("latency", latency_json(result.latency));
  if (result.mode == PointMode::kFanOut) {
    object->set("round_latency", latency_json(result.round_latency));
  }
  object->set("heartbeats", result.heartbeats);
  object->set("server_cpu_seconds", result.server_cpu_seconds);
  object->set("client_cpu_seconds", result.client_cpu_seconds);
  object->set("clients_closed", result.clients_closed);
  object->set("error_frames", result.error_frames);
  return object;
}

// The measured points, in the order they run for each set of idle clients.
std::vector<PointOptions> points_of(const Options& options) {
  const auto milliseconds = [](double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  };
  std::vector<PointOptions> points;
  for (const double rate : options.rates) {
    points.push_back({"pairs at " + std::to_string(static_cast<long long>(rate)) + "/s",
                      PointMode::kRate, rate, 0, milliseconds(options.warmup),
                      milliseconds(options.seconds)});
  }
  points.push_back({"pairs at saturation", PointMode::kSaturate, 0, options.window,
                    milliseconds(options.warmup), milliseconds(options.seconds)});
  points.push_back({"fan-out to 5", PointMode::kFanOut, options.fanout_rate, 0,
                    milliseconds(options.warmup), milliseconds(options.seconds)});
  return points;
}

void log_point(const PointResult& result) {
  std::cerr << "th_signal_bench: " << result.name << " with " << result.idle_connections
            << " idle: " << result.received << "/" << result.sent << " received, p50 "
            << result.latency.p50_ms << " ms, p99 " << result.latency.p99_ms << " ms, server CPU "
            << result.server_cpu_seconds << " s\n";
}

void run_points(SignalingLoad& load, const Options& options, Poco::JSON::Array& results) {
  for (const auto& point : points_of(options)) {
    const auto result = load.run_point(point);
    log_point(result);
    results.add(point_json(result));
  }
}

int run(const Options& options) {
  raise_file_limit();
  Plan plan = read_plan(options.plan_file);
  plan.load.heartbeat_seconds = options.heartbeat_seconds;
  const auto dialect =
      plan.dialect == "peerjs" ? make_peerjs_dialect(plan.path) : make_telehealthd_dialect();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls(client_tls(options.ca_file), SSL_CTX_free);
  const pid_t server = options.server_pid;
  SignalingLoad load(*dialect, tls.get(), plan.load, server);
  const std::chrono::seconds timeout(options.connect_timeout);

  std::cerr << "th_signal_bench: connecting " << plan.load.pairs.size() << " pairs and a room of "
            << plan.load.room.size() << " to " << plan.dialect << "\n";
  if (auto connected = load.connect_active(timeout); !connected.ok()) {
    fail(connected.error().message());
  }
  Poco::JSON::Array::Ptr results = new Poco::JSON::Array;
  Poco::JSON::Object::Ptr idle = new Poco::JSON::Object;
  if (options.idle > 0) {
    // Memory first, on a server that has relayed nothing yet, so that
    // neither heap holds garbage of the load when it is read.
    const auto quiet_for = [&](const char* name) {
      return load.run_point(
          {name, PointMode::kIdle, 0, 0, std::chrono::milliseconds(1000),
           std::chrono::milliseconds(static_cast<long long>(options.seconds * 1000))});
    };
    results->add(point_json(quiet_for("idle")));
    const auto before = read_process_usage(server);
    std::cerr << "th_signal_bench: opening " << options.idle << " idle clients\n";
    if (auto opened = load.open_idle(options.idle, timeout); !opened.ok()) {
      fail(opened.error().message());
    }
    // The server's CPU with nothing but heartbeats, and its memory once
    // the new clients have settled.
    results->add(point_json(quiet_for("idle")));
    const auto after = read_process_usage(server);
    if (before.ok() && after.ok()) {
      idle->set("connections", load.idle_connections());
      idle->set("resident_kib_before", before.value().resident_kib);
      idle->set("resident_kib_after", after.value().resident_kib);
      idle->set("kib_per_connection",
                static_cast<double>(after.value().resident_kib - before.value().resident_kib) /
                    load.idle_connections());
    }
    run_points(load, options, *results);
    load.close_idle();
  }
  run_points(load, options, *results);

  Poco::JSON::Object::Ptr sizes = new Poco::JSON::Object;
  const Participant sample = plan.load.pairs.front().second;
  for (const auto kind : {SignalKind::kCandidate, SignalKind::kOffer}) {
    const std::string payload = signal_payload(kind, {123456, 1'234'567'890'123});
    const std::string name = kind == SignalKind::kCandidate ? "candidate" : "description";
    sizes->set(name + "_payload_bytes", payload.size());
    sizes->set(name + "_message_bytes", dialect->relay(sample, kind, payload).size());
  }
  Poco::JSON::Object root;
  root.set("server", plan.dialect);
  root.set("pairs", plan.load.pairs.size());
  root.set("room", plan.load.room.size());
  root.set("heartbeat_seconds", options.heartbeat_seconds);
  root.set("sizes", sizes);
  root.set("idle", idle);
  root.set("points", results);
  root.stringify(std::cout);
  std::cout << "\n";
  return 0;
}

}  // namespace
}  // namespace th::bench

int main(int argc, char** argv) {
  th::bench::Options options;
  CLI::App app{"Signaling load generator for telehealthd and the PeerJS server (issue 6)"};
  app.add_option("--plan", options.plan_file, "who connects as whom (JSON)")->required();
  app.add_option("--ca-file", options.ca_file, "the server's certificate")->required();
  app.add_option("--server-pid", options.server_pid, "the server process, for its CPU and memory")
      ->required();
  app.add_option("--rates", options.rates, "offered rates of the pairs, messages a second")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--window", options.window, "messages in flight per client at saturation")
      ->capture_default_str();
  app.add_option("--fanout-rate", options.fanout_rate, "fan-out rounds a second")
      ->capture_default_str();
  app.add_option("--idle", options.idle, "idle clients opened for the second round (0: none)")
      ->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured seconds of each point")
      ->capture_default_str();
  app.add_option("--warmup", options.warmup, "seconds before each point's measurement")
      ->capture_default_str();
  app.add_option("--heartbeat-seconds", options.heartbeat_seconds,
                 "each client's heartbeat interval")
      ->capture_default_str();
  app.add_option("--connect-timeout", options.connect_timeout, "seconds to connect everyone")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return th::bench::run(options);
}
