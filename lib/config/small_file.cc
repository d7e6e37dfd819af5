#include "config/small_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace th {
namespace {

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }

 private:
  int fd_;
};

ErrorCode code_for_errno(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::kNotFound;
    case EACCES:
    case EPERM:
      return ErrorCode::kPermissionDenied;
    default:
      return ErrorCode::kInternal;
  }
}

Error read_error(ErrorCode code, std::string_view what, const std::string& path,
                 std::string_view reason) {
  std::string message = "read ";
  message += what;
  message += " '" + path + "': ";
  message += reason;
  return Error(code, std::move(message));
}

Error errno_error(int error, std::string_view what, const std::string& path) {
  return read_error(code_for_errno(error), what, path, std::strerror(error));
}

}  // namespace

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes,
                                    std::string_view what) {
  // O_NONBLOCK keeps open() from hanging on a FIFO; the regular-file check
  // below then refuses it.
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    return errno_error(errno, what, path);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return errno_error(errno, what, path);
  }
  if (!S_ISREG(info.st_mode)) {
    return read_error(ErrorCode::kInvalidArgument, what, path, "not a regular file");
  }
  if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    return read_error(ErrorCode::kInvalidArgument, what, path,
                      "larger than " + std::to_string(max_bytes) + " bytes");
  }

  // Read until end of file rather than trusting st_size, and keep the cap in
  // case the file grows while it is read.
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t count = ::read(fd.get(), buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0) {
      return errno_error(errno, what, path);
    }
    if (count == 0) {
      return content;
    }
    content.append(buffer, static_cast<std::size_t>(count));
    if (content.size() > max_bytes) {
      return read_error(ErrorCode::kInvalidArgument, what, path,
                        "larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
}

}  // namespace th
