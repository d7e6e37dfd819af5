// th_audit_bench: figures for the audit log (issue 4), printed, never
// asserted. run_audit_benchmark.sh drives it; each subcommand prints one
// JSON object of figures on stdout and what it is doing on stderr.
//
//   append URL --writers N --seconds S   N threads calling AuditLog::record
//                                        in a loop: events/s, p50/p99 latency
//   load URL --events N --key-file F     fills a log with N varied events and
//                                        signed checkpoints (key saved to F)
//   verify URL --key-file F              one AuditVerifier walk: events/s
//   search URL --rounds R                p50/p99 of representative searches
//
// URL is a storage URL as in the daemon's configuration (sqlite:///path,
// postgresql:///name); migrations are applied first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_query.h"
#include "audit/audit_verifier.h"
#include "audit/checkpointer.h"
#include "crypto/ed25519_key.h"
#include "crypto/encoding.h"
#include "storage/database.h"
#include "storage/migration.h"
#include "util/clock.h"

namespace th::bench {
namespace {

using Steady = std::chrono::steady_clock;

// The shape of the loaded log: a quarter of a year of a mid-sized clinic.
constexpr int kUsers = 1000;
constexpr int kPatients = 20000;
constexpr UnixMicros kLogStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr UnixMicros kLogSpan = 90LL * 86'400'000'000LL;

[[noreturn]] void fail(const std::string& what, const Error& error) {
  std::cerr << "th_audit_bench: error: " << what << ": " << error.message() << "\n";
  std::exit(1);
}

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

std::unique_ptr<storage::Database> open_database(const std::string& url, int pool_size) {
  storage::DatabaseOptions options;
  options.url = url;
  options.pool_size = pool_size;
  options.acquire_timeout_ms = 60000;
  auto opened = storage::Database::open(options);
  if (!opened.ok()) {
    fail("open the database", opened.error());
  }
  const SystemClock clock;
  auto migrated = storage::migrate(**opened, storage::schema_migrations(), clock);
  if (!migrated.ok()) {
    fail("migrate the database", migrated.error());
  }
  return std::move(*opened);
}

// The value at fraction q (0..1) of sorted samples, nearest rank.
double percentile(std::vector<double>& samples, double q) {
  if (samples.empty()) {
    return 0;
  }
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(rank, samples.size() - 1)];
}

std::string user_name(int number) {
  return "bench-user-" + std::to_string(number);
}

std::string patient_name(int number) {
  return "bench-patient-" + std::to_string(number);
}

// One event of the mix a clinic's daemon records: mostly record reads,
// then searches listing several patients, sign-ins, updates and refusals.
audit::AuditEvent varied_event(std::mt19937_64& random) {
  audit::AuditEvent event;
  const int user = static_cast<int>(random() % kUsers);
  event.actor_user_id = user_name(user);
  event.actor_kind = "user";
  event.actor_role = user % 10 == 0 ? "front_desk" : "clinician";
  event.session_id = "session-" + std::to_string(random() % 100000);
  event.source_address = "10.0." + std::to_string(user % 256) + "." + std::to_string(user / 256);
  event.user_agent = "telehealth-web/1.4";
  event.request_id = crypto::hex_encode(std::to_string(random()));
  const int kind = static_cast<int>(random() % 100);
  const auto patient = [&random] { return patient_name(static_cast<int>(random() % kPatients)); };
  if (kind < 70 || kind >= 95) {
    event.action = kind < 70 ? "read" : "access";
    event.resource_type = "patient_record";
    event.patient_id = patient();
    event.patient_ids = {event.patient_id};
    event.resource_id = "record-" + std::to_string(random() % 1000000);
    event.outcome = kind < 70 ? audit::AuditOutcome::kSuccess : audit::AuditOutcome::kDenied;
  } else if (kind < 80) {
    event.action = "search";
    event.resource_type = "patient";
    for (int i = 0; i < 5; ++i) {
      event.patient_ids.push_back(patient());
    }
  } else if (kind < 90) {
    event.action = "login";
    event.resource_type = "session";
  } else {
    event.action = "update";
    event.resource_type = "patient_record";
    event.patient_id = patient();
    event.patient_ids = {event.patient_id};
    event.resource_id = "record-" + std::to_string(random() % 1000000);
  }
  return event;
}

// ---- append ----

struct WriterFigures {
  std::vector<double> latencies_ms;
  std::uint64_t failures = 0;
};

// Records events until `stop`; counts those that started at or after
// `measure_from` (the warm-up before it is not counted).
void write_events(audit::AuditLog& log, int writer, const std::atomic<bool>& stop,
                  const std::atomic<bool>& measuring, WriterFigures& figures) {
  std::mt19937_64 random(static_cast<std::uint64_t>(writer) * 7919 + 1);
  figures.latencies_ms.reserve(1 << 16);
  while (!stop.load()) {
    audit::AuditEvent event = varied_event(random);
    const bool counted = measuring.load();
    const auto started = Steady::now();
    const Status recorded = log.record(std::move(event));
    const double elapsed_ms = seconds_since(started) * 1000;
    if (!recorded.ok()) {
      ++figures.failures;
    } else if (counted && !stop.load()) {
      figures.latencies_ms.push_back(elapsed_ms);
    }
  }
}

int run_append(const std::string& url, int writers, double seconds, double warmup) {
  auto database = open_database(url, 4);
  const SystemClock clock;
  audit::AuditLog log(*database, clock, "bench-node");
  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::vector<WriterFigures> figures(static_cast<std::size_t>(writers));
  std::vector<std::thread> threads;
  for (int writer = 0; writer < writers; ++writer) {
    threads.emplace_back(write_events, std::ref(log), writer, std::cref(stop), std::cref(measuring),
                         std::ref(figures[static_cast<std::size_t>(writer)]));
  }

  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  const std::uint64_t batches_before = log.batches();
  const std::uint64_t appended_before = log.appended();
  measuring = true;
  const auto started = Steady::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  const double measured = seconds_since(started);
  const std::uint64_t batches = log.batches() - batches_before;
  const std::uint64_t appended = log.appended() - appended_before;
  for (std::thread& thread : threads) {
    thread.join();
  }

  std::vector<double> latencies;
  std::uint64_t failures = 0;
  for (WriterFigures& writer : figures) {
    latencies.insert(latencies.end(), writer.latencies_ms.begin(), writer.latencies_ms.end());
    failures += writer.failures;
  }
  const auto events = latencies.size();
  std::printf(
      "{\"writers\": %d, \"seconds\": %.2f, \"events\": %zu, \"events_per_second\": %.1f, "
      "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"failures\": %llu, \"mean_batch\": %.1f}\n",
      writers, measured, events, static_cast<double>(events) / measured, percentile(latencies, 0.5),
      percentile(latencies, 0.99), static_cast<unsigned long long>(failures),
      batches == 0 ? 0.0 : static_cast<double>(appended) / static_cast<double>(batches));
  return failures == 0 ? 0 : 1;
}

// ---- load ----

// Loaders take the next position from `next` and give each event a time
// that grows with it, so the stored log reads like one filled over kLogSpan.
void load_events(audit::AuditLog& log, int loader, std::uint64_t total,
                 std::atomic<std::uint64_t>& next, std::atomic<std::uint64_t>& failures) {
  std::mt19937_64 random(static_cast<std::uint64_t>(loader) * 104729 + 7);
  for (;;) {
    const std::uint64_t position = next.fetch_add(1);
    if (position >= total) {
      return;
    }
    audit::AuditEvent event = varied_event(random);
    event.occurred_at = kLogStart + static_cast<UnixMicros>(static_cast<double>(kLogSpan) *
                                                            static_cast<double>(position) /
                                                            static_cast<double>(total));
    if (!log.record(std::move(event)).ok()) {
      ++failures;
    }
  }
}

void save_public_key(const std::string& path, const std::string& public_key_raw) {
  std::ofstream out(path);
  out << crypto::hex_encode(public_key_raw) << "\n";
  if (!out) {
    fail("write '" + path + "'", Error(ErrorCode::kUnavailable, "write failed"));
  }
}

std::string read_public_key(const std::string& path) {
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto raw = crypto::hex_decode(hex);
  if (!raw.ok()) {
    fail("read the public key in '" + path + "'", raw.error());
  }
  return *raw;
}

// The daemon's own path: AuditLog::record from many threads at once (so the
// group commits are large) with a Checkpointer signing a checkpoint every
// 1000 events, as telehealthd does by default.
int run_load(const std::string& url, std::uint64_t total, int loaders,
             const std::string& key_file) {
  auto database = open_database(url, 4);
  auto key = crypto::Ed25519Key::generate();
  if (!key.ok()) {
    fail("generate a checkpoint key", key.error());
  }
  save_public_key(key_file, key->public_key_raw());
  const SystemClock clock;
  audit::AuditLogOptions log_options;
  log_options.max_batch = 1024;
  log_options.checkpoint_public_key = key->public_key_raw();
  audit::AuditLog log(*database, clock, "bench-node", log_options);
  audit::CheckpointerOptions options;
  options.default_origin = "bench.example/audit";
  options.node = "bench-node";
  auto checkpointer = audit::Checkpointer::create(log, std::move(*key), clock, options);
  if (!checkpointer.ok()) {
    fail("create the checkpointer", checkpointer.error());
  }
  (*checkpointer)->start([](const Error& error) {
    std::cerr << "th_audit_bench: checkpoint failed: " << error.message() << "\n";
  });

  const auto started = Steady::now();
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<bool> loaded{false};
  std::thread progress([&] {
    for (int tick = 1; !loaded.load(); ++tick) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (tick % 300 == 0) {
        std::cerr << "th_audit_bench: loaded " << log.appended() << " of " << total << " in "
                  << static_cast<int>(seconds_since(started)) << " s\n";
      }
    }
  });
  std::vector<std::thread> threads;
  for (int loader = 0; loader < loaders; ++loader) {
    threads.emplace_back(load_events, std::ref(log), loader, total, std::ref(next),
                         std::ref(failures));
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  const double elapsed = seconds_since(started);
  loaded = true;
  progress.join();
  auto last = (*checkpointer)->checkpoint_now();
  (*checkpointer)->stop();
  if (!last.ok()) {
    fail("sign the last checkpoint", last.error());
  }
  std::printf(
      "{\"events\": %llu, \"seconds\": %.1f, \"events_per_second\": %.1f, \"failures\": %llu, "
      "\"mean_batch\": %.1f, \"tree_size\": %llu}\n",
      static_cast<unsigned long long>(log.appended()), elapsed,
      static_cast<double>(log.appended()) / elapsed,
      static_cast<unsigned long long>(failures.load()),
      static_cast<double>(log.appended()) /
          static_cast<double>(std::max<std::uint64_t>(1, log.batches())),
      static_cast<unsigned long long>(log.tree_size()));
  return failures.load() == 0 ? 0 : 1;
}

// ---- verify ----

int run_verify(const std::string& url, const std::string& key_file) {
  auto database = open_database(url, 2);
  const audit::AuditVerifier verifier(*database, read_public_key(key_file));
  const auto started = Steady::now();
  auto report = verifier.verify();
  const double elapsed = seconds_since(started);
  if (!report.ok()) {
    fail("verify", report.error());
  }
  std::printf(
      "{\"events\": %llu, \"checkpoints\": %llu, \"seconds\": %.2f, \"events_per_second\": %.1f, "
      "\"intact\": %s}\n",
      static_cast<unsigned long long>(report->events_checked),
      static_cast<unsigned long long>(report->checkpoints_checked), elapsed,
      static_cast<double>(report->events_checked) / elapsed, report->ok() ? "true" : "false");
  if (!report->ok()) {
    std::cerr << "th_audit_bench: verification failed at " << report->failure->seq << ": "
              << report->failure->reason << "\n";
  }
  return report->ok() ? 0 : 1;
}

// ---- search ----

struct SearchCase {
  std::string name;
  std::function<audit::AuditFilter(std::mt19937_64&)> filter;
  int pages = 1;  // pages read one after another, following the cursor
};

std::vector<SearchCase> search_cases() {
  constexpr UnixMicros kHour = 3'600'000'000LL;
  return {
      {"by patient",
       [](std::mt19937_64& random) {
         audit::AuditFilter filter;
         filter.patient_id = patient_name(static_cast<int>(random() % kPatients));
         return filter;
       }},
      {"by user",
       [](std::mt19937_64& random) {
         audit::AuditFilter filter;
         filter.user_id = user_name(static_cast<int>(random() % kUsers));
         return filter;
       }},
      {"by time range (1 hour)",
       [](std::mt19937_64& random) {
         audit::AuditFilter filter;
         filter.from = kLogStart + static_cast<UnixMicros>(random() % (kLogSpan - kHour));
         filter.to = *filter.from + kHour;
         return filter;
       }},
      {"by user and time range (1 week)",
       [](std::mt19937_64& random) {
         audit::AuditFilter filter;
         filter.user_id = user_name(static_cast<int>(random() % kUsers));
         filter.from = kLogStart + static_cast<UnixMicros>(random() % (kLogSpan - 168 * kHour));
         filter.to = *filter.from + 168 * kHour;
         return filter;
       }},
      {"by time range (1 day), 5 pages",
       [](std::mt19937_64& random) {
         audit::AuditFilter filter;
         filter.from = kLogStart + static_cast<UnixMicros>(random() % (kLogSpan - 24 * kHour));
         filter.to = *filter.from + 24 * kHour;
         return filter;
       },
       5},
  };
}

// Each round runs every case once with a fresh random filter; a case's
// latency is per page (one search() call, 100 events, decoded).
int run_search(const std::string& url, int rounds, double budget_seconds) {
  auto database = open_database(url, 2);
  const audit::AuditQuery query(*database);
  std::mt19937_64 random(42);
  std::cout << "[";
  bool first = true;
  for (const SearchCase& search : search_cases()) {
    std::vector<double> latencies;
    std::size_t returned = 0;
    const auto started = Steady::now();
    for (int round = 0; round < rounds && seconds_since(started) < budget_seconds; ++round) {
      const audit::AuditFilter filter = search.filter(random);
      std::optional<std::int64_t> after;
      for (int page = 0; page < search.pages; ++page) {
        const auto page_started = Steady::now();
        auto found = query.search(filter, after, audit::kDefaultSearchLimit);
        latencies.push_back(seconds_since(page_started) * 1000);
        if (!found.ok()) {
          fail("search " + search.name, found.error());
        }
        returned += found->items.size();
        if (!found->next_after) {
          break;
        }
        after = found->next_after;
      }
    }
    const std::size_t samples = latencies.size();
    std::printf(
        "%s{\"search\": \"%s\", \"pages\": %zu, \"mean_events_per_page\": %.1f, \"p50_ms\": %.3f, "
        "\"p99_ms\": %.3f, \"max_ms\": %.3f}",
        first ? "" : ", ", search.name.c_str(), samples,
        samples == 0 ? 0.0 : static_cast<double>(returned) / static_cast<double>(samples),
        percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0));
    std::fflush(stdout);
    first = false;
  }
  std::cout << "]\n";
  return 0;
}

}  // namespace
}  // namespace th::bench

int main(int argc, char** argv) {
  CLI::App app{"Audit log benchmarks; prints figures as JSON."};
  app.require_subcommand(1);
  std::string url;
  std::string key_file;

  int writers = 1;
  double seconds = 10;
  double warmup = 2;
  CLI::App* append = app.add_subcommand("append", "N writers appending through AuditLog::record");
  append->add_option("url", url, "storage URL")->required();
  append->add_option("--writers", writers, "writer threads")->check(CLI::PositiveNumber);
  append->add_option("--seconds", seconds, "measured time");
  append->add_option("--warmup", warmup, "time before measuring");

  std::uint64_t events = 1'000'000;
  int loaders = 256;
  CLI::App* load = app.add_subcommand("load", "fill the log with events and checkpoints");
  load->add_option("url", url, "storage URL")->required();
  load->add_option("--events", events, "events to append");
  load->add_option("--loaders", loaders, "threads appending at once")->check(CLI::PositiveNumber);
  load->add_option("--key-file", key_file, "where to save the checkpoint public key")->required();

  CLI::App* verify = app.add_subcommand("verify", "one verification walk over the whole log");
  verify->add_option("url", url, "storage URL")->required();
  verify->add_option("--key-file", key_file, "the checkpoint public key (hex)")->required();

  int rounds = 200;
  double budget = 30;
  CLI::App* search = app.add_subcommand("search", "latency of representative searches");
  search->add_option("url", url, "storage URL")->required();
  search->add_option("--rounds", rounds, "searches per kind");
  search->add_option("--budget", budget, "seconds at most per kind");

  CLI11_PARSE(app, argc, argv);
  if (append->parsed()) {
    return th::bench::run_append(url, writers, seconds, warmup);
  }
  if (load->parsed()) {
    return th::bench::run_load(url, events, loaders, key_file);
  }
  if (verify->parsed()) {
    return th::bench::run_verify(url, key_file);
  }
  return th::bench::run_search(url, rounds, budget);
}
