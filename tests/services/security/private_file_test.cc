// Key and token files: written 0600, refused (naming the file) when others can read them.
#include "services/security/private_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace gridpilot::security {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("gridpilot_private_file_" + std::to_string(getpid()) + "_" + name))
      .string();
}

TEST(PrivateFileTest, WrittenOwnerOnlyAndReadBack) {
  const std::string path = TempPath("ok");
  ASSERT_TRUE(WritePrivateFile(path, "secret\n").ok());
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  absl::StatusOr<std::string> read = ReadPrivateFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "secret\n");
  std::filesystem::remove(path);
}

TEST(PrivateFileTest, GroupReadableFileIsRefusedByName) {
  const std::string path = TempPath("open");
  ASSERT_TRUE(WritePrivateFile(path, "secret\n").ok());
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  absl::StatusOr<std::string> read = ReadPrivateFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(read.status().message().find(path), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find("0640"), std::string::npos) << read.status();
  EXPECT_EQ(read.status().message().find("secret"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(PrivateFileTest, RewriteNarrowsAWideMode) {
  const std::string path = TempPath("narrow");
  ASSERT_TRUE(WritePrivateFile(path, "a").ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(WritePrivateFile(path, "b").ok());
  EXPECT_TRUE(ReadPrivateFile(path).ok());
  std::filesystem::remove(path);
}

TEST(PrivateFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadPrivateFile(TempPath("missing")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridpilot::security
