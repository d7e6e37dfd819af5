// Clock: the one source of "now" for code that makes time-based decisions
// (session timeouts, lockouts, expiry, checkpoints). Production code uses
// SystemClock; tests inject ManualClock to move time without sleeping.
// Implementations are safe to share between threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace th {

// Microseconds since the Unix epoch, UTC. Stored as BIGINT in every backend.
using UnixMicros = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMicros now_micros() const = 0;
  std::int64_t now_seconds() const { return now_micros() / 1'000'000; }
};

class SystemClock final : public Clock {
 public:
  UnixMicros now_micros() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMicros start) : now_(start) {}
  UnixMicros now_micros() const override { return now_.load(); }
  void advance_seconds(std::int64_t seconds) { now_ += seconds * 1'000'000; }
  void set_micros(UnixMicros micros) { now_ = micros; }

 private:
  std::atomic<UnixMicros> now_;
};

// RFC 3339 UTC text with microseconds: 2026-12-03T21:03:57.123456Z.
std::string format_rfc3339_micros(UnixMicros micros);

}  // namespace th
