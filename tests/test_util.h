// Helpers shared by tests: temporary directories, files, running the
// gatehouse binary, and generating credential-shaped values at run time (no
// such value is ever committed to the repository).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "gatehouse/base.h"

namespace gatehouse::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gh-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a shell command line; captures stdout and stderr separately.
inline CommandResult RunCommand(const std::string& cmdline, const std::string& stdin_text = "") {
  TempDir tmp;
  std::string in = tmp / "in", out = tmp / "out", err = tmp / "err";
  WriteFile(in, stdin_text);
  std::string full = "(" + cmdline + ") <'" + in + "' >'" + out + "' 2>'" + err + "'";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  return r;
}

inline std::string Gatehouse() { return GH_BINARY; }
inline std::string SourceDir() { return GH_SOURCE_DIR; }

inline std::string RandomChars(std::mt19937_64& rng, std::string_view alphabet, size_t n) {
  std::string s;
  std::uniform_int_distribution<size_t> d(0, alphabet.size() - 1);
  for (size_t i = 0; i < n; ++i) s += alphabet[d(rng)];
  return s;
}

inline constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

inline std::string Base62Crc(std::string_view random) {
  uint32_t crc = Crc32(random);
  std::string enc(6, '0');
  for (int i = 5; i >= 0; --i) {
    enc[static_cast<size_t>(i)] = kBase62[crc % 62];
    crc /= 62;
  }
  return enc;
}

// A GitHub classic token shape with a valid (or deliberately broken) checksum.
inline std::string FakeGithubToken(std::mt19937_64& rng, bool valid = true) {
  std::string random = RandomChars(rng, kBase62, 30);
  std::string crc = Base62Crc(random);
  if (!valid) crc[5] = crc[5] == 'a' ? 'b' : 'a';
  return "ghp_" + random + crc;
}

inline std::string FakeAwsKeyId(std::mt19937_64& rng) {
  return "AKIA" + RandomChars(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
}

}  // namespace gatehouse::testing
