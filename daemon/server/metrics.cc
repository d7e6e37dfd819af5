#include "server/metrics.h"

#include <charconv>

namespace th::server {
namespace {

std::string format_number(double value) {
  // Shortest text that reads back as the same double: 0.0025, not 0.0025000000000000001.
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

}  // namespace

void RouteMetrics::record(int status, double seconds) {
  if (status >= 100 && status < 600) {
    by_status_[static_cast<std::size_t>(status - 100)].fetch_add(1, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
    if (seconds <= kBucketBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  micros_sum_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void RouteMetrics::render(std::string& out) const {
  const std::string labels = "method=\"" + method_ + "\",route=\"" + route_ + "\"";
  for (std::size_t i = 0; i < by_status_.size(); ++i) {
    const auto count = by_status_[i].load(std::memory_order_relaxed);
    if (count != 0) {
      out += "telehealthd_http_requests_total{" + labels + ",status=\"" + std::to_string(i + 100) +
             "\"} " + std::to_string(count) + "\n";
    }
  }
  if (count_.load(std::memory_order_relaxed) == 0) {
    return;
  }
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += "telehealthd_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
           format_number(kBucketBounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  const auto count = count_.load(std::memory_order_relaxed);
  out += "telehealthd_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
         std::to_string(count) + "\n";
  out += "telehealthd_http_request_duration_seconds_sum{" + labels + "} " +
         format_number(static_cast<double>(micros_sum_.load()) / 1e6) + "\n";
  out += "telehealthd_http_request_duration_seconds_count{" + labels + "} " +
         std::to_string(count) + "\n";
}

RouteMetrics* Metrics::add_route(const std::string& method, const std::string& route) {
  routes_.push_back(std::make_unique<RouteMetrics>(method, route));
  return routes_.back().get();
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP telehealthd_http_requests_total HTTP requests served, by route and status.\n";
  out += "# TYPE telehealthd_http_requests_total counter\n";
  out += "# HELP telehealthd_http_request_duration_seconds Time to serve a request.\n";
  out += "# TYPE telehealthd_http_request_duration_seconds histogram\n";
  for (const auto& route : routes_) {
    route->render(out);
  }
  for (const Gauge& gauge : gauges_) {
    out += "# HELP " + gauge.name + " " + gauge.help + "\n";
    out += "# TYPE " + gauge.name + " gauge\n";
    out += gauge.name + " " + format_number(gauge.read()) + "\n";
  }
  return out;
}

}  // namespace th::server
