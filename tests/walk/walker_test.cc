#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gatehouse/walk.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

// A mkdtemp directory removed (with everything in it) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gh-walk-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    // Give back permissions a test may have taken away, then remove.
    for (auto it = fs::recursive_directory_iterator(
             path_, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  void Write(const std::string& rel, const std::string& content = "x") const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void Mkdir(const std::string& rel) const { fs::create_directories(fs::path(path_) / rel); }
  void Symlink(const std::string& target, const std::string& rel) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    ASSERT_EQ(::symlink(target.c_str(), p.c_str()), 0) << rel;
  }

 private:
  std::string path_;
};

WalkResult MustWalk(WalkOptions options) {
  auto r = Walk(options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : WalkResult{};
}

std::vector<std::string> Paths(const WalkResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) out.push_back(f.path);
  return out;
}

std::vector<std::string> WalkPaths(const std::string& root, WalkOptions options = {}) {
  options.root = root;
  return Paths(MustWalk(options));
}

using Strings = std::vector<std::string>;

TEST(WalkerTest, ListsRegularFilesSortedWithSizesAndAbsPaths) {
  TempDir t;
  t.Write("b.txt", "hello");
  t.Write("a/z.c", "1");
  t.Write("a/b/c.h", "12");
  t.Write("a.b", "");
  t.Mkdir("empty");
  WalkOptions o;
  o.root = t.path();
  WalkResult r = MustWalk(o);
  EXPECT_EQ(Paths(r), (Strings{"a.b", "a/b/c.h", "a/z.c", "b.txt"}));
  ASSERT_EQ(r.files.size(), 4u);
  EXPECT_EQ(r.files[3].size, 5u);
  EXPECT_EQ(r.files[1].abs_path, t / "a/b/c.h");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.ignored, 0u);
}

TEST(WalkerTest, OutputIsInByteOrderOfFullPaths) {
  // Assembled depth-first from per-directory sorts: names that sort around
  // '/' (0x2F) are the cases where that could differ from a plain sort.
  TempDir t;
  const Strings files = {"a.b",   "a/x",   "a0",    "a-b",   "a/b/c", "a!",  "ab",     "a/.x",
                         "a.d/x", "a/b.c", "a/b/d", "a/b-c", "A",     "a b", "a/b0/e", "~"};
  for (const auto& f : files) t.Write(f);
  Strings expected = files;
  std::sort(expected.begin(), expected.end());
  for (unsigned threads : {1u, 3u}) EXPECT_EQ(WalkPaths(t.path(), {.threads = threads}), expected);
}

TEST(WalkerTest, SameResultForAnyThreadCount) {
  TempDir t;
  for (int d = 0; d < 20; ++d)
    for (int f = 0; f < 15; ++f)
      t.Write("d" + std::to_string(d) + "/s" + std::to_string(f % 3) + "/f" + std::to_string(f));
  t.Write(".gitignore", "f1*\n!f10\n");
  WalkOptions o;
  o.threads = 1;
  Strings one = WalkPaths(t.path(), o);
  EXPECT_EQ(one.size(), 20u * 10u + 1u);  // f1 and f11..f14 ignored in each dir, plus .gitignore
  for (unsigned threads : {2u, 4u, 16u}) {
    o.threads = threads;
    EXPECT_EQ(WalkPaths(t.path(), o), one) << threads;
  }
}

TEST(WalkerTest, GitDirectoryAlwaysSkipped) {
  TempDir t;
  t.Write(".git/config", "[core]");
  t.Write(".git/objects/ab/cd", "blob");
  t.Write("sub/.git", "gitdir: ../.git/modules/sub");  // a submodule's .git file
  t.Write("sub/x.c");
  t.Write(".github/workflows/ci.yml");
  t.Write(".gitattributes");
  WalkOptions o;
  o.respect_gitignore = false;
  EXPECT_EQ(WalkPaths(t.path(), o),
            (Strings{".gitattributes", ".github/workflows/ci.yml", "sub/x.c"}));
}

TEST(WalkerTest, InfoExcludeHonoured) {
  TempDir t;
  t.Write(".git/info/exclude", "# local\nsecret.env\n/top-only\n");
  t.Write("secret.env");
  t.Write("a/secret.env");
  t.Write("top-only");
  t.Write("a/top-only");
  t.Write("keep");
  WalkResult r = MustWalk({.root = t.path()});
  EXPECT_EQ(Paths(r), (Strings{"a/top-only", "keep"}));
  EXPECT_EQ(r.ignored, 3u);
}

TEST(WalkerTest, GitignoreBeatsInfoExcludeAndDeeperBeatsShallower) {
  TempDir t;
  t.Write(".git/info/exclude", "*.log\n");
  t.Write(".gitignore", "!keep.log\n*.tmp\n");
  t.Write("sub/.gitignore", "!*.tmp\n");
  t.Write("keep.log");
  t.Write("drop.log");
  t.Write("x.tmp");
  t.Write("sub/y.tmp");
  EXPECT_EQ(WalkPaths(t.path()),
            (Strings{".gitignore", "keep.log", "sub/.gitignore", "sub/y.tmp"}));
}

TEST(WalkerTest, InfoExcludeFoundThroughGitFile) {
  TempDir t;
  t.Write("real-gitdir/info/exclude", "ignored.txt\n");
  t.Write("repo/.git", "gitdir: ../real-gitdir\n");
  t.Write("repo/ignored.txt");
  t.Write("repo/kept.txt");
  EXPECT_EQ(WalkPaths(t / "repo"), (Strings{"kept.txt"}));
}

TEST(WalkerTest, FileInsideExcludedDirectoryCannotBeReincluded) {
  TempDir t;
  t.Write(".gitignore", "build/\n!build/keep.txt\nlogs/*\n!logs/keep.txt\n");
  t.Write("build/keep.txt");
  t.Write("build/other.txt");
  t.Write("logs/keep.txt");
  t.Write("logs/other.txt");
  EXPECT_EQ(WalkPaths(t.path()), (Strings{".gitignore", "logs/keep.txt"}));
}

TEST(WalkerTest, RespectGitignoreFalseReadsEverything) {
  TempDir t;
  t.Write(".gitignore", "*\n");
  t.Write(".git/info/exclude", "*\n");
  t.Write("a/b");
  WalkOptions o;
  o.respect_gitignore = false;
  EXPECT_EQ(WalkPaths(t.path(), o), (Strings{".gitignore", "a/b"}));
}

TEST(WalkerTest, SymlinkedGitignoreIsNotRead) {
  TempDir t;
  t.Write("rules", "*.c\n");
  t.Symlink("rules", ".gitignore");
  t.Write("a.c");
  WalkResult r = MustWalk({.root = t.path()});
  EXPECT_EQ(Paths(r), (Strings{"a.c", "rules"}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].kind, DiagnosticKind::kSymlink);
  EXPECT_EQ(r.diagnostics[0].path, ".gitignore");
}

TEST(WalkerTest, ExcludeGlobs) {
  TempDir t;
  t.Write("vendor/lib.go");
  t.Write("src/vendor/lib.go");
  t.Write("src/main.go");
  t.Write("src/main.min.js");
  t.Write("src/gen/a.go");
  t.Write("gen/b.go");
  t.Write("docs/out");
  t.Write("out/x");
  WalkResult r =
      MustWalk({.root = t.path(), .exclude = {"vendor", "*.min.js", "src/gen", "/out/"}});
  EXPECT_EQ(Paths(r), (Strings{"docs/out", "gen/b.go", "src/main.go"}));
  // Excluded directories count once and are not descended.
  EXPECT_EQ(r.ignored, 5u);
}

TEST(WalkerTest, IncludeGlobsRestrictFilesButStillDescend) {
  TempDir t;
  t.Write("a.go");
  t.Write("pkg/b.go");
  t.Write("pkg/b_test.go");
  t.Write("pkg/c.txt");
  t.Write("deploy/k8s/app.yaml");
  t.Write("app.yaml");
  WalkResult r = MustWalk(
      {.root = t.path(), .include = {"*.go", "deploy/**/*.yaml"}, .exclude = {"*_test.go"}});
  EXPECT_EQ(Paths(r), (Strings{"a.go", "deploy/k8s/app.yaml", "pkg/b.go"}));
  EXPECT_EQ(r.ignored, 3u);  // b_test.go by exclude, c.txt and app.yaml by include
}

TEST(WalkerTest, MaxFileSizeDiagnostic) {
  TempDir t;
  t.Write("small", std::string(10, 'a'));
  t.Write("exact", std::string(100, 'a'));
  t.Write("big", std::string(101, 'a'));
  WalkResult r = MustWalk({.root = t.path(), .max_file_size = 100});
  EXPECT_EQ(Paths(r), (Strings{"exact", "small"}));
  EXPECT_EQ(r.skipped_size, 1u);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].kind, DiagnosticKind::kTooLarge);
  EXPECT_EQ(r.diagnostics[0].path, "big");
}

TEST(WalkerTest, SingleFileRoot) {
  TempDir t;
  t.Write("dir/config.yaml", "k: v\n");
  WalkResult r = MustWalk({.root = t / "dir/config.yaml", .exclude = {"*.yaml"}});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].path, "config.yaml");
  EXPECT_EQ(r.files[0].abs_path, t / "dir/config.yaml");
  EXPECT_EQ(r.files[0].size, 5u);

  r = MustWalk({.root = t / "dir/config.yaml", .max_file_size = 2});
  EXPECT_TRUE(r.files.empty());
  EXPECT_EQ(r.skipped_size, 1u);
}

TEST(WalkerTest, MissingRootIsNotFound) {
  TempDir t;
  auto r = Walk({.root = t / "nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().path, t / "nope");
}

TEST(WalkerTest, UnopenableRootIsIo) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can open any directory";
  TempDir t;
  t.Mkdir("locked");
  fs::permissions(t / "locked", fs::perms::none);
  auto r = Walk({.root = t / "locked"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST(WalkerTest, UnreadableDirectoryIsDiagnosticAndWalkContinues) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can open any directory";
  TempDir t;
  t.Write("locked/secret");
  t.Write("open/file");
  fs::permissions(t / "locked", fs::perms::none);
  WalkResult r = MustWalk({.root = t.path()});
  EXPECT_EQ(Paths(r), (Strings{"open/file"}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].kind, DiagnosticKind::kUnreadable);
  EXPECT_EQ(r.diagnostics[0].path, "locked");
}

TEST(WalkerTest, DirectoryBeyondPathMaxIsDiagnosticAndWalkContinues) {
  // Works even as root: a directory whose absolute path exceeds PATH_MAX
  // cannot be opened by path, which is a real-world "unreadable" case.
  TempDir t;
  t.Write("a-file");
  const std::string part(200, 'd');
  std::vector<int> fds = {::open(t.path().c_str(), O_RDONLY | O_DIRECTORY)};
  ASSERT_GE(fds[0], 0);
  for (int depth = 0; depth < 25; ++depth) {
    ASSERT_EQ(::mkdirat(fds.back(), part.c_str(), 0755), 0);
    fds.push_back(::openat(fds.back(), part.c_str(), O_RDONLY | O_DIRECTORY));
    ASSERT_GE(fds.back(), 0);
  }
  WalkResult r = MustWalk({.root = t.path()});
  EXPECT_EQ(Paths(r), (Strings{"a-file"}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].kind, DiagnosticKind::kUnreadable);
  // remove_all cannot reach that deep by path; unwind through the fds.
  for (size_t i = fds.size() - 1; i > 0; --i) {
    ::close(fds[i]);
    EXPECT_EQ(::unlinkat(fds[i - 1], part.c_str(), AT_REMOVEDIR), 0);
  }
  ::close(fds[0]);
}

TEST(WalkerTest, SymlinksNotFollowedByDefault) {
  TempDir t;
  t.Write("real/file.txt");
  t.Symlink("real", "dirlink");
  t.Symlink("real/file.txt", "filelink");
  t.Symlink("/etc", "etc");
  t.Symlink("missing", "dangling");
  WalkResult r = MustWalk({.root = t.path()});
  EXPECT_EQ(Paths(r), (Strings{"real/file.txt"}));
  EXPECT_EQ(r.ignored, 4u);
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(WalkerTest, FollowSymlinksStaysInsideRoot) {
  TempDir outside;
  outside.Write("secret.txt");
  TempDir t;
  t.Write("repo/real/file.txt");
  t.Write("repo-sibling.txt");
  t.Symlink("real", "repo/dirlink");
  t.Symlink("real/file.txt", "repo/filelink");
  t.Symlink("/etc", "repo/etc");
  t.Symlink("..", "repo/parent");
  t.Symlink("../repo-sibling.txt", "repo/sibling");
  t.Symlink(outside.path(), "repo/outside");
  t.Symlink(outside / "secret.txt", "repo/real/secret-link");
  t.Symlink("missing", "repo/dangling");
  WalkResult r = MustWalk({.root = t / "repo", .follow_symlinks = true});
  EXPECT_EQ(Paths(r), (Strings{"dirlink/file.txt", "filelink", "real/file.txt"}));
  for (const auto& f : r.files) {
    std::error_code ec;
    std::string real = fs::canonical(f.abs_path, ec).string();
    EXPECT_EQ(real.rfind(fs::canonical(t / "repo").string() + "/", 0), 0u) << real;
  }
  int escapes = 0;
  for (const auto& d : r.diagnostics)
    if (d.kind == DiagnosticKind::kSymlink) ++escapes;
  // etc, parent, sibling, outside, and secret-link both directly and via dirlink.
  EXPECT_EQ(escapes, 6);
}

TEST(WalkerTest, FollowSymlinksTerminatesOnCycles) {
  TempDir t;
  t.Write("a/file");
  t.Symlink("..", "a/up");      // back to the root
  t.Symlink(".", "a/self");     // to itself
  t.Symlink("../b", "a/to-b");  // a -> b -> a
  t.Write("b/other");
  t.Symlink("../a", "b/to-a");
  t.Symlink("loop2", "loop1");  // a link chain that never resolves
  t.Symlink("loop1", "loop2");
  WalkResult r = MustWalk({.root = t.path(), .follow_symlinks = true, .threads = 4});
  EXPECT_EQ(Paths(r), (Strings{"a/file", "a/to-b/other", "b/other", "b/to-a/file"}));
  int cycles = 0;
  for (const auto& d : r.diagnostics)
    if (d.message.find("cycle") != std::string::npos) ++cycles;
  EXPECT_EQ(cycles, 6);  // a/up, a/self, a/to-b/to-a, b/to-a/up, b/to-a/self, b/to-a/to-b
}

TEST(WalkerTest, SymlinkedRootIsWalked) {
  TempDir t;
  t.Write("real/x");
  t.Symlink("real", "link");
  EXPECT_EQ(WalkPaths(t / "link"), (Strings{"x"}));
}

TEST(WalkerTest, SpecialFilesAreSkipped) {
  TempDir t;
  t.Write("regular");
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0644), 0);
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = t / "sock";
  if (sock.size() < sizeof addr.sun_path) {
    std::strcpy(addr.sun_path, sock.c_str());
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ::close(s);
  EXPECT_EQ(WalkPaths(t.path()), (Strings{"regular"}));
}

}  // namespace
}  // namespace gatehouse
