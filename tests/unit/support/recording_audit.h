// RecordingAudit: an AuditSink that keeps every event in memory, for tests
// of services that audit. Thread-safe.
#pragma once

#include <mutex>
#include <vector>

#include "audit/audit_event.h"

namespace th::test_support {

class RecordingAudit final : public audit::AuditSink {
 public:
  Status record(audit::AuditEvent event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    return ok_status();
  }

  std::vector<audit::AuditEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  // The newest event; the test must have caused one.
  audit::AuditEvent last() const {
    std::lock_guard lock(mutex_);
    return events_.back();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<audit::AuditEvent> events_;
};

}  // namespace th::test_support
