// Metrics: request counters and latency histograms per route, rendered in
// the Prometheus text exposition format (version 0.0.4).
//
// Labels are route patterns ("/api/v1/users/{id}"), methods and status codes,
// never raw paths or query strings, so no identifier or personal value can
// reach a metric. Routes are registered once at start-up; recording is
// lock-free (atomics), so the hot path never contends on a mutex.
// Thread-safe after registration.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace th::server {

class RouteMetrics {
 public:
  static constexpr std::array<double, 12> kBucketBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

  RouteMetrics(std::string method, std::string route)
      : method_(std::move(method)), route_(std::move(route)) {}

  void record(int status, double seconds);
  void render(std::string& out) const;

 private:
  std::string method_;
  std::string route_;
  std::array<std::atomic<std::uint64_t>, 500> by_status_{};  // index = status - 100
  std::array<std::atomic<std::uint64_t>, kBucketBounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> micros_sum_{0};
};

class Metrics {
 public:
  // Registers a route; the returned pointer stays valid for the life of Metrics.
  RouteMetrics* add_route(const std::string& method, const std::string& route);

  // A gauge whose value is read at scrape time (open connections, pool use).
  void add_gauge(std::string name, std::string help, std::function<double()> read);

  std::string render() const;

 private:
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  std::vector<std::unique_ptr<RouteMetrics>> routes_;
  std::vector<Gauge> gauges_;
};

}  // namespace th::server
