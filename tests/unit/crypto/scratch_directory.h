// A fresh directory under the system temporary directory, removed with
// everything in it when the object goes out of scope. For tests that write
// files.
#pragma once

#include <filesystem>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {

class ScratchDirectory {
 public:
  ScratchDirectory()
      : path_(std::filesystem::temp_directory_path() /
              ("th-crypto-test-" + hex_encode(random_bytes(8)))) {
    std::filesystem::create_directory(path_);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace th::crypto
