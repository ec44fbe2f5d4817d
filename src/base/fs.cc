// File reading: small files through read(2), large ones through mmap(2).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gatehouse/fs.h"

namespace gatehouse {

namespace {
// Files are read with read(2) into a buffer; only very large ones are
// mapped (to bound memory). Mapping every mid-sized file looked cheaper per
// file, but page faults on the mappings and munmap() serialize on the
// process's mmap lock: with two scanning threads the gitleaks-config scan of
// linux/drivers ran at 0.97 CPUs (2.39 s) mapped, 1.85 CPUs (1.38 s) read.
constexpr size_t kMmapThreshold = size_t{64} << 20;
}  // namespace

FileContent::FileContent(FileContent&& o) noexcept
    : owned_(std::move(o.owned_)), map_(o.map_), map_size_(o.map_size_) {
  o.map_ = nullptr;
  o.map_size_ = 0;
}

FileContent& FileContent::operator=(FileContent&& o) noexcept {
  if (this != &o) {
    if (map_) munmap(map_, map_size_);
    owned_ = std::move(o.owned_);
    map_ = o.map_;
    map_size_ = o.map_size_;
    o.map_ = nullptr;
    o.map_size_ = 0;
  }
  return *this;
}

FileContent::~FileContent() {
  if (map_) munmap(map_, map_size_);
}

Result<FileContent> ReadFile(const std::string& path, uint64_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, std::strerror(err),
                     path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kIo, std::strerror(err), path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, "is a directory", path);
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (max_size != 0 && size > max_size) {
    ::close(fd);
    return MakeError(ErrorCode::kInvalidArgument,
                     "file is larger than the size limit (" + std::to_string(size) + " bytes)",
                     path);
  }
  FileContent content;
  if (S_ISREG(st.st_mode) && size >= kMmapThreshold) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      ::madvise(p, size, MADV_SEQUENTIAL);
      content.map_ = p;
      content.map_size_ = size;
      ::close(fd);
      return content;
    }
  }
  // Small files, pipes and anything mmap refuses: read until EOF.
  std::string buf;
  buf.resize(S_ISREG(st.st_mode) ? size : 64 * 1024);
  size_t have = 0;
  while (true) {
    if (have == buf.size()) buf.resize(buf.size() * 2 + 4096);
    ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return MakeError(ErrorCode::kIo, std::strerror(err), path);
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
    if (max_size != 0 && have > max_size) {
      ::close(fd);
      return MakeError(ErrorCode::kInvalidArgument, "file is larger than the size limit", path);
    }
  }
  ::close(fd);
  buf.resize(have);
  content.owned_ = std::move(buf);
  return content;
}

Result<std::string> ReadFileToString(const std::string& path) {
  auto r = ReadFile(path);
  if (!r.ok()) return r.error();
  return std::string(r->view());
}

bool LooksBinary(std::string_view head) {
  size_t n = head.size() < 8192 ? head.size() : 8192;
  return std::memchr(head.data(), 0, n) != nullptr;
}

}  // namespace gatehouse
