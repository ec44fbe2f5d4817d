// The repository walker: a work queue of directories drained by a fixed set
// of workers.
//
// Each directory is one task. A worker opens it, reads its .gitignore,
// lists it with readdir (d_type saves a stat per entry; fstatat only for
// DT_UNKNOWN, for file sizes and for followed symlinks), decides every entry
// and queues the subdirectories it keeps. Each directory's entries go into
// its own DirRecord, written by exactly one worker; workers also own their
// diagnostics, counters and the .gitignore rules they loaded, so the only
// shared state is the queue. The result is assembled from the records after
// all workers finish, so it is independent of scheduling.
//
// Ignore rules form a chain from each directory to the nearest ancestor with
// a .gitignore, so a task carries one pointer and a directory without a
// .gitignore costs nothing. Rules and chain nodes live in per-worker deques
// (stable addresses) until Walk returns, because any worker may process a
// descendant. The same chain trick records the (dev, inode) of every
// directory on the current path: a directory already on it is a cycle
// (a followed symlink to an ancestor, or a bind mount) and is not entered.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <utility>

#include "gatehouse/base.h"
#include "gatehouse/walk.h"

namespace gatehouse {
namespace {

struct IgnoreNode {
  IgnoreFile rules;
  const IgnoreNode* parent;
};

struct DirNode {
  dev_t dev;
  ino_t ino;
  const DirNode* parent;
};

// What one directory contributed: its files and kept subdirectories, sorted
// by name with '/' appended to directory names. With that key a depth-first
// traversal visits paths in plain byte order ("a.b" < "a/x" < "a0"), so the
// sorted result is assembled in O(n) without comparing full paths.
struct DirRecord {
  struct Item {
    WalkEntry entry;  // for a subdirectory only entry.path is set
    DirRecord* dir;   // null for files
  };
  size_t name_offset = 0;  // where names start in entry.path
  std::vector<Item> items;

  void Sort() {
    const size_t off = name_offset;
    std::sort(items.begin(), items.end(), [off](const Item& a, const Item& b) {
      const std::string_view na = std::string_view(a.entry.path).substr(off);
      const std::string_view nb = std::string_view(b.entry.path).substr(off);
      const size_t n = std::min(na.size(), nb.size());
      if (int c = std::memcmp(na.data(), nb.data(), n); c != 0) return c < 0;
      // One name is a prefix of the other; what follows is the rest of the
      // name, '/' for a directory, or nothing for a file.
      auto next = [n](std::string_view name, bool dir) -> int {
        if (name.size() > n) return static_cast<unsigned char>(name[n]);
        return dir ? '/' : -1;
      };
      return next(na, a.dir != nullptr) < next(nb, b.dir != nullptr);
    });
  }
};

struct DirTask {
  std::string rel;  // repo-relative; "" for the root
  std::string abs;  // path to open; "" only for the filesystem root "/"
  const IgnoreNode* ignores = nullptr;
  const DirNode* ancestors = nullptr;
  DirRecord* record = nullptr;  // filled by whichever worker lists this directory
  int fd = -1;                  // already open (the root), else opened from abs
};

// One include/exclude option, compiled.
struct PathGlob {
  Glob glob;
  bool basename;  // no '/' in the glob: match the last component only
  bool dir_only;  // trailing '/'

  static PathGlob Make(std::string_view text) {
    bool dir_only = false;
    while (text.size() > 1 && text.back() == '/') {
      text.remove_suffix(1);
      dir_only = true;
    }
    bool anchored = false;
    if (text.size() > 1 && text[0] == '/') {
      text.remove_prefix(1);
      anchored = true;
    }
    const bool basename = !anchored && text.find('/') == std::string_view::npos;
    return PathGlob{Glob(text), basename, dir_only};
  }

  bool Matches(std::string_view path, std::string_view name, bool is_dir) const {
    if (dir_only && !is_dir) return false;
    return glob.Match(basename ? name : path);
  }
};

struct WorkerOutput {
  std::vector<Diagnostic> diagnostics;
  uint64_t ignored = 0;
  uint64_t skipped_size = 0;
  std::deque<IgnoreNode> ignore_nodes;
  std::deque<DirNode> dir_nodes;
  std::deque<DirRecord> records;  // for the subdirectories this worker found
};

Diagnostic MakeDiagnostic(DiagnosticKind kind, std::string path, std::string message) {
  Diagnostic d;
  d.kind = kind;
  d.path = std::move(path);
  d.message = std::move(message);
  return d;
}

std::string DisplayPath(const std::string& rel) { return rel.empty() ? "." : rel; }

unsigned char ModeToDType(mode_t mode) {
  if (S_ISREG(mode)) return DT_REG;
  if (S_ISDIR(mode)) return DT_DIR;
  if (S_ISLNK(mode)) return DT_LNK;
  return DT_UNKNOWN;  // fifo, socket, device: never returned
}

// Reads a whole regular file from an open descriptor (which it closes).
std::optional<std::string> ReadAndClose(int fd) {
  std::optional<std::string> out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    std::string buf;
    char chunk[16384];
    while (true) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) out = std::move(buf);
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && s[start] == ' ') ++start;
  return s.substr(start);
}

std::optional<std::string> ReadPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  return ReadAndClose(fd);
}

// The repository's git directory as git finds it: `<root>/.git` or, for
// worktrees and submodules, the directory a `.git` file points to (and its
// commondir, where info/exclude lives).
std::optional<std::string> FindGitCommonDir(const std::string& root_abs) {
  const std::string dot_git = root_abs + "/.git";
  struct stat st;
  if (::stat(dot_git.c_str(), &st) != 0) return std::nullopt;
  if (S_ISDIR(st.st_mode)) return dot_git;
  auto text = ReadPath(dot_git);
  if (!text || text->rfind("gitdir:", 0) != 0) return std::nullopt;
  std::string gitdir = Trim(text->substr(7));
  if (gitdir.empty()) return std::nullopt;
  if (gitdir[0] != '/') gitdir = root_abs + "/" + gitdir;
  if (auto common = ReadPath(gitdir + "/commondir")) {
    std::string dir = Trim(*common);
    if (!dir.empty()) return dir[0] == '/' ? dir : gitdir + "/" + dir;
  }
  return gitdir;
}

// Absolute form of `root` without resolving symlinks (the user's spelling is
// kept in abs_path), without trailing slashes and "./" noise.
std::string AbsoluteRoot(const std::string& root) {
  std::string path = root;
  if (path.empty() || path[0] != '/') {
    char cwd[PATH_MAX];
    std::string base = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
    while (path.rfind("./", 0) == 0) path.erase(0, 2);
    path = path.empty() || path == "." ? base : (base == "/" ? "" : base) + "/" + path;
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.size() > 2 && path.compare(path.size() - 2, 2, "/.") == 0) path.resize(path.size() - 2);
  return path;
}

class Walker {
 public:
  Walker(const WalkOptions& options, std::string root_real)
      : options_(options), root_real_(std::move(root_real)) {
    for (const auto& g : options.include) include_.push_back(PathGlob::Make(g));
    for (const auto& g : options.exclude) exclude_.push_back(PathGlob::Make(g));
  }

  void LoadInfoExclude(const std::string& root_abs) {
    if (!options_.respect_gitignore) return;
    auto git_dir = FindGitCommonDir(root_abs);
    if (!git_dir) return;
    if (auto text = ReadPath(*git_dir + "/info/exclude"))
      info_exclude_.emplace(IgnoreFile::Parse(*text, ""));
  }

  WalkResult Run(DirTask root, unsigned threads) {
    DirRecord root_record;
    root.record = &root_record;
    queue_.push_back(std::move(root));
    std::vector<WorkerOutput> outputs(threads);
    ParallelFor(threads, threads, [&](size_t i) { Work(outputs[i]); });

    WalkResult result;
    for (auto& out : outputs) {
      std::move(out.diagnostics.begin(), out.diagnostics.end(),
                std::back_inserter(result.diagnostics));
      result.ignored += out.ignored;
      result.skipped_size += out.skipped_size;
    }
    // Depth-first over the records (an explicit stack: trees can be deep).
    std::vector<std::pair<DirRecord*, size_t>> stack = {{&root_record, 0}};
    while (!stack.empty()) {
      auto& [record, next] = stack.back();
      if (next == record->items.size()) {
        stack.pop_back();
        continue;
      }
      DirRecord::Item& item = record->items[next++];
      if (item.dir != nullptr) {
        stack.emplace_back(item.dir, 0);
      } else {
        result.files.push_back(std::move(item.entry));
      }
    }
    std::sort(result.diagnostics.begin(), result.diagnostics.end(),
              [](const Diagnostic& a, const Diagnostic& b) {
                if (a.path != b.path) return a.path < b.path;
                if (a.kind != b.kind) return a.kind < b.kind;
                return a.message < b.message;
              });
    return result;
  }

 private:
  // Pops directories until the queue is empty and no worker can add more.
  void Work(WorkerOutput& out) {
    std::vector<DirTask> found;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return !queue_.empty() || active_ == 0; });
      if (queue_.empty()) break;                // and nobody is working: done
      DirTask task = std::move(queue_.back());  // LIFO keeps the queue short
      queue_.pop_back();
      ++active_;
      lock.unlock();
      found.clear();
      ProcessDir(task, out, found);
      lock.lock();
      --active_;
      for (auto& t : found) queue_.push_back(std::move(t));
      if (found.size() > 1 || (active_ == 0 && queue_.empty())) {
        cv_.notify_all();
      } else if (found.size() == 1) {
        cv_.notify_one();
      }
    }
  }

  bool Ignored(const IgnoreNode* node, std::string_view path, bool is_dir) const {
    for (; node != nullptr; node = node->parent) {
      auto v = node->rules.Match(path, is_dir);
      if (v != IgnoreFile::Verdict::kNone) return v == IgnoreFile::Verdict::kIgnore;
    }
    if (info_exclude_) return info_exclude_->Match(path, is_dir) == IgnoreFile::Verdict::kIgnore;
    return false;
  }

  bool Excluded(std::string_view path, std::string_view name, bool is_dir) const {
    for (const auto& g : exclude_)
      if (g.Matches(path, name, is_dir)) return true;
    return false;
  }

  bool Included(std::string_view path, std::string_view name) const {
    if (include_.empty()) return true;
    for (const auto& g : include_)
      if (g.Matches(path, name, false)) return true;
    return false;
  }

  bool InsideRoot(std::string_view real) const {
    if (root_real_ == "/") return true;
    return real.size() >= root_real_.size() &&
           real.compare(0, root_real_.size(), root_real_) == 0 &&
           (real.size() == root_real_.size() || real[root_real_.size()] == '/');
  }

  // git reads a directory's .gitignore without following a symlink there
  // (a link could pull in rules from outside the tree); so do we.
  const IgnoreNode* LoadGitignore(int dir_fd, const DirTask& task, WorkerOutput& out) {
    int fd = ::openat(dir_fd, ".gitignore", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ELOOP) {
        out.diagnostics.push_back(MakeDiagnostic(DiagnosticKind::kSymlink,
                                                 JoinRel(task.rel, ".gitignore"),
                                                 "symlinked .gitignore not read"));
      } else if (errno != ENOENT && errno != ENOTDIR) {
        out.diagnostics.push_back(MakeDiagnostic(
            DiagnosticKind::kUnreadable, JoinRel(task.rel, ".gitignore"), std::strerror(errno)));
      }
      return task.ignores;
    }
    auto text = ReadAndClose(fd);
    if (!text) return task.ignores;
    out.ignore_nodes.push_back(IgnoreNode{IgnoreFile::Parse(*text, task.rel), task.ignores});
    return &out.ignore_nodes.back();
  }

  static std::string JoinRel(const std::string& dir, std::string_view name) {
    std::string p = dir;
    if (!p.empty()) p += '/';
    p += name;
    return p;
  }

  void ProcessDir(const DirTask& task, WorkerOutput& out, std::vector<DirTask>& found) {
    int fd = task.fd;
    if (fd < 0) {
      // Without follow_symlinks, O_NOFOLLOW closes the window in which a
      // directory we saw is swapped for a symlink before we open it.
      int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (options_.follow_symlinks ? 0 : O_NOFOLLOW);
      fd = ::open(task.abs.c_str(), flags);
      if (fd < 0) {
        out.diagnostics.push_back(
            MakeDiagnostic(DiagnosticKind::kUnreadable, DisplayPath(task.rel),
                           std::string("cannot open directory: ") + std::strerror(errno)));
        return;
      }
    }
    struct stat dir_st;
    if (::fstat(fd, &dir_st) != 0) {
      out.diagnostics.push_back(
          MakeDiagnostic(DiagnosticKind::kUnreadable, DisplayPath(task.rel), std::strerror(errno)));
      ::close(fd);
      return;
    }
    for (const DirNode* a = task.ancestors; a != nullptr; a = a->parent) {
      if (a->dev == dir_st.st_dev && a->ino == dir_st.st_ino) {
        out.diagnostics.push_back(MakeDiagnostic(DiagnosticKind::kSymlink, DisplayPath(task.rel),
                                                 "directory cycle: not descended"));
        ::close(fd);
        return;
      }
    }
    out.dir_nodes.push_back(DirNode{dir_st.st_dev, dir_st.st_ino, task.ancestors});
    const DirNode* here = &out.dir_nodes.back();

    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      out.diagnostics.push_back(
          MakeDiagnostic(DiagnosticKind::kUnreadable, DisplayPath(task.rel), std::strerror(errno)));
      ::close(fd);
      return;
    }
    const IgnoreNode* ignores =
        options_.respect_gitignore ? LoadGitignore(fd, task, out) : task.ignores;

    std::string path = task.rel;
    if (!path.empty()) path += '/';
    const size_t rel_prefix = path.size();
    const std::string abs_prefix = task.abs + "/";
    DirRecord& record = *task.record;
    record.name_offset = rel_prefix;

    while (true) {
      errno = 0;  // readdir reports errors only through errno
      struct dirent* de = ::readdir(dir);
      if (de == nullptr) {
        if (errno != 0) {
          out.diagnostics.push_back(
              MakeDiagnostic(DiagnosticKind::kUnreadable, DisplayPath(task.rel),
                             std::string("error listing directory: ") + std::strerror(errno)));
        }
        break;
      }
      const char* name = de->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      if (std::strcmp(name, ".git") == 0) continue;  // git skips any entry so named
      path.resize(rel_prefix);
      path += name;
      const std::string_view name_view(path.data() + rel_prefix, path.size() - rel_prefix);

      unsigned char type = de->d_type;
      struct stat st;
      bool have_stat = false;
      if (type == DT_UNKNOWN) {
        if (::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          out.diagnostics.push_back(
              MakeDiagnostic(DiagnosticKind::kUnreadable, path, std::strerror(errno)));
          continue;
        }
        type = ModeToDType(st.st_mode);
        have_stat = true;
      }
      if (type == DT_LNK) {
        if (!options_.follow_symlinks || !ResolveSymlink(abs_prefix + name, path, out, &st)) {
          ++out.ignored;
          continue;
        }
        type = ModeToDType(st.st_mode);
        have_stat = true;
      }
      if (type != DT_DIR && type != DT_REG) continue;  // fifo, socket, device
      const bool is_dir = type == DT_DIR;

      if (ignores != nullptr || info_exclude_) {
        if (Ignored(ignores, path, is_dir)) {
          ++out.ignored;
          continue;
        }
      }
      if (!exclude_.empty() && Excluded(path, name_view, is_dir)) {
        ++out.ignored;
        continue;
      }
      if (is_dir) {
        DirRecord* child = &out.records.emplace_back();
        record.items.push_back(DirRecord::Item{WalkEntry{path, {}, 0}, child});
        found.push_back(DirTask{path, abs_prefix + name, ignores, here, child, -1});
        continue;
      }
      if (!Included(path, name_view)) {
        ++out.ignored;
        continue;
      }
      if (!have_stat && ::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        out.diagnostics.push_back(
            MakeDiagnostic(DiagnosticKind::kUnreadable, path, std::strerror(errno)));
        continue;
      }
      if (!S_ISREG(st.st_mode)) continue;  // replaced since readdir
      const auto size = static_cast<uint64_t>(st.st_size);
      if (options_.max_file_size != 0 && size > options_.max_file_size) {
        ++out.skipped_size;
        out.diagnostics.push_back(MakeDiagnostic(DiagnosticKind::kTooLarge, path,
                                                 "skipped: " + std::to_string(size) +
                                                     " bytes is over the size limit of " +
                                                     std::to_string(options_.max_file_size)));
        continue;
      }
      record.items.push_back(DirRecord::Item{WalkEntry{path, abs_prefix + name, size}, nullptr});
    }
    ::closedir(dir);
    record.Sort();
  }

  // follow_symlinks: a link is followed only if its fully resolved target
  // is inside the root. Dangling links and loops are silently dropped;
  // escaping links get a diagnostic because they may be an attack.
  bool ResolveSymlink(const std::string& abs, const std::string& rel, WorkerOutput& out,
                      struct stat* st) {
    char buf[PATH_MAX];
    if (::realpath(abs.c_str(), buf) == nullptr) return false;
    if (!InsideRoot(buf)) {
      out.diagnostics.push_back(MakeDiagnostic(DiagnosticKind::kSymlink, rel,
                                               "symlink points outside the root: not followed"));
      return false;
    }
    return ::stat(buf, st) == 0;
  }

  const WalkOptions& options_;
  const std::string root_real_;
  std::vector<PathGlob> include_;
  std::vector<PathGlob> exclude_;
  std::optional<IgnoreFile> info_exclude_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<DirTask> queue_;
  size_t active_ = 0;
};

std::string Basename(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

Result<WalkResult> Walk(const WalkOptions& options) {
  struct stat st;
  if (::stat(options.root.c_str(), &st) != 0) {
    const int err = errno;
    const bool missing = err == ENOENT || err == ENOTDIR;
    return MakeError(missing ? ErrorCode::kNotFound : ErrorCode::kIo,
                     std::string("cannot access walk root: ") + std::strerror(err), options.root);
  }

  if (S_ISREG(st.st_mode)) {
    // An explicitly named file is what the user asked for: no ignore rules
    // or globs, only the size limit.
    WalkResult result;
    const auto size = static_cast<uint64_t>(st.st_size);
    const std::string name = Basename(options.root);
    if (options.max_file_size != 0 && size > options.max_file_size) {
      result.skipped_size = 1;
      result.diagnostics.push_back(MakeDiagnostic(DiagnosticKind::kTooLarge, name,
                                                  "skipped: " + std::to_string(size) +
                                                      " bytes is over the size limit of " +
                                                      std::to_string(options.max_file_size)));
    } else {
      result.files.push_back(WalkEntry{name, AbsoluteRoot(options.root), size});
    }
    return result;
  }
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kIo, "walk root is neither a directory nor a regular file",
                     options.root);
  }

  const int fd = ::open(options.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, std::string("cannot open walk root: ") + std::strerror(errno),
                     options.root);
  }
  char real[PATH_MAX];
  if (::realpath(options.root.c_str(), real) == nullptr) {
    const int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kIo, std::string("cannot resolve walk root: ") + std::strerror(err),
                     options.root);
  }

  std::string root_abs = AbsoluteRoot(options.root);
  Walker walker(options, real);
  walker.LoadInfoExclude(root_abs);
  DirTask root;
  root.abs = root_abs == "/" ? "" : root_abs;
  root.fd = fd;
  const unsigned threads = options.threads != 0 ? options.threads : DefaultThreads();
  return walker.Run(std::move(root), threads);
}

}  // namespace gatehouse
