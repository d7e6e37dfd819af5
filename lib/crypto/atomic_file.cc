#include "crypto/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

// "<action> '<path>': <reason>" with the system's reason in lower case.
Error file_error(std::string_view action, const std::string& path, int error_number) {
  std::string reason = std::error_code(error_number, std::generic_category()).message();
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  return Error(ErrorCode::kUnavailable, std::string(action) + " '" + path + "': " + reason);
}

// Closes the descriptor on every path out of write_file_atomically.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { close(); }

  [[nodiscard]] int get() const { return fd_; }
  int close() {
    const int result = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view contents, const std::string& path) {
  while (!contents.empty()) {
    const ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return file_error("write", path, errno);
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  return ok_status();
}

// Makes the rename durable: without syncing the directory, a crash can lose
// the new directory entry even though the file's data reached the disk.
void sync_parent_directory(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  if (directory.empty()) {
    directory = ".";
  }
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) {
    ::fsync(fd.get());
  }
}

Status write_and_sync(const std::string& temp_path, std::string_view contents, mode_t mode) {
  FileDescriptor fd(
      ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) {
    return file_error("create", temp_path, errno);
  }
  // open() applied the umask; fchmod sets the mode the caller asked for.
  if (::fchmod(fd.get(), mode) != 0) {
    return file_error("set mode of", temp_path, errno);
  }
  TH_RETURN_IF_ERROR(write_all(fd.get(), contents, temp_path));
  if (::fsync(fd.get()) != 0) {
    return file_error("sync", temp_path, errno);
  }
  if (fd.close() != 0) {
    return file_error("close", temp_path, errno);
  }
  return ok_status();
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view contents, mode_t mode) {
  // A random suffix keeps concurrent writers from sharing a temporary file.
  const std::string temp_path = path + ".tmp-" + hex_encode(random_bytes(8));

  Status written = write_and_sync(temp_path, contents, mode);
  if (!written.ok()) {
    ::unlink(temp_path.c_str());
    return written;
  }
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temp_path.c_str());
    return file_error("replace", path, error_number);
  }
  sync_parent_directory(path);
  return ok_status();
}

}  // namespace th::crypto
