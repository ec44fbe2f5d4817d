// File access behind a seam: reading whole files (memory-mapped when large)
// and a few path helpers. The scanner reads every file through FileContent so
// tests can construct content in memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gatehouse/result.h"

namespace gatehouse {

// Read-only bytes of one file. Large files are mmap'ed, small ones read into
// a buffer; either way data() stays valid for the object's lifetime and the
// object is move-only.
class FileContent {
 public:
  FileContent() = default;
  explicit FileContent(std::string owned) : owned_(std::move(owned)) {}
  FileContent(FileContent&& o) noexcept;
  FileContent& operator=(FileContent&& o) noexcept;
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;
  ~FileContent();

  std::string_view view() const {
    return map_ ? std::string_view(static_cast<const char*>(map_), map_size_)
                : std::string_view(owned_);
  }

 private:
  friend Result<FileContent> ReadFile(const std::string& path, uint64_t max_size);
  std::string owned_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

// Reads a file; fails with kIo/kNotFound. max_size = 0 means unlimited;
// larger files fail with kInvalidArgument.
Result<FileContent> ReadFile(const std::string& path, uint64_t max_size = 0);
Result<std::string> ReadFileToString(const std::string& path);

// Heuristic used by the walker and scanner: a NUL byte in the first 8 KiB.
bool LooksBinary(std::string_view head);

}  // namespace gatehouse
