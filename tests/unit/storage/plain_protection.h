// PlainProtection: a DataProtection that stores values as they are, for unit
// tests of stores and services whose subject is not encryption. Production
// uses KeyRingProtection; tests of sealing use it too. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "storage/data_protection.h"

namespace th::storage {

class PlainProtection final : public DataProtection {
 public:
  Result<std::string> seal(std::string_view plaintext, const FieldRef&) override {
    return std::string(plaintext);
  }
  Result<std::string> open(std::string_view stored, const FieldRef&) override {
    return std::string(stored);
  }
  std::string blind_index(std::string_view purpose, std::string_view normalized) const override {
    return std::string(purpose) + ":" + std::string(normalized);
  }
  std::string integrity_tag(std::string_view, std::string_view, std::int64_t,
                            const StoredFields&) const override {
    return "";
  }
  bool verify_integrity(std::string_view, std::string_view, std::int64_t, const StoredFields&,
                        std::string_view) const override {
    return true;
  }
};

}  // namespace th::storage
