#include "crypto/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scratch_directory.h"

namespace th::crypto {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return 0;
  }
  return info.st_mode & 07777;
}

TEST(AtomicFileTest, WritesContentsWithExactMode) {
  const ScratchDirectory dir;
  const std::string path = dir.file("secret.key");
  const mode_t old_umask = ::umask(0);

  const Status status = write_file_atomically(path, "key material", 0600);

  ::umask(old_umask);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(read_text(path), "key material");
  EXPECT_EQ(file_mode(path), 0600u);
}

TEST(AtomicFileTest, ModeIsNotNarrowedByUmask) {
  const ScratchDirectory dir;
  const std::string path = dir.file("public.crt");
  const mode_t old_umask = ::umask(077);

  const Status status = write_file_atomically(path, "certificate", 0644);

  ::umask(old_umask);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(file_mode(path), 0644u);
}

TEST(AtomicFileTest, ReplacesExistingFileAndItsMode) {
  const ScratchDirectory dir;
  const std::string path = dir.file("data");
  ASSERT_TRUE(write_file_atomically(path, "old contents that are longer", 0644).ok());

  ASSERT_TRUE(write_file_atomically(path, "new", 0600).ok());

  EXPECT_EQ(read_text(path), "new");
  EXPECT_EQ(file_mode(path), 0600u);
}

TEST(AtomicFileTest, FailureLeavesNoFileAndReportsPath) {
  const ScratchDirectory dir;
  const std::string path = dir.file("no-such-dir/data");

  const Status status = write_file_atomically(path, "x", 0600);

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.error().message().find("no-such-dir"), std::string::npos);
  EXPECT_NE(status.error().message().find("no such file or directory"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(AtomicFileTest, WritesBinaryContents) {
  using namespace std::string_literals;
  const ScratchDirectory dir;
  const std::string path = dir.file("binary");
  const std::string contents = "\0\x01\xff\n"s;

  ASSERT_TRUE(write_file_atomically(path, contents, 0600).ok());

  EXPECT_EQ(read_text(path), contents);
}

}  // namespace
}  // namespace th::crypto
