// Property test: on random trees with random .gitignore files, Walk() must
// return exactly the files `git ls-files --others --exclude-standard` lists.
// git is the specification; this is how we know we implement it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gatehouse/walk.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "gh-oracle-XXXXXX").string();
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool HaveGit() { return std::system("git --version >/dev/null 2>&1") == 0; }

// Runs git with no user or system configuration (so no global excludes file).
bool RunGit(const std::string& repo, const std::string& home, const std::string& args,
            const std::string& out_file) {
  std::string cmd = "cd '" + repo + "' && env -i PATH=\"$PATH\" HOME='" + home +
                    "' GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git " + args + " >'" +
                    out_file + "' 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

// Names chosen to collide with the patterns below, including ones that need
// escapes (#, !, trailing space, glob characters).
const std::vector<std::string> kDirNames = {"a",   "b",    "build", "sub",  "foo",
                                            "x y", "[br]", "dir.d", ".hid", "Build"};
const std::vector<std::string> kFileNames = {
    "foo",     "foo.o",       "keep.o", "x.c",      "a.c",    "bar",    "b1",
    "ab",      "abc",         "#hash",  "!bang",    "trail ", "[br]",   "br",
    ".hidden", "doc.txt",     "a.log",  "keep.log", "x",      "y.tmp",  "*star",
    "q?",      "back\\slash", "b2",     "ba r",     "bbr",    "9lives", "FOO"};

const std::vector<std::string> kPatterns = {
    "*.o",
    "!keep.o",
    "/build",
    "build/",
    "foo",
    "!foo",
    "foo/",
    "!foo/",
    "a/**",
    "**/b",
    "a/**/b",
    "**/foo",
    "[ab]*",
    "[!a]*.c",
    "[^x]",
    "\\#hash",
    "\\!bang",
    "#hash",
    "",
    "   ",
    "trail\\ ",
    "*.c  ",
    "doc/*.txt",
    "/*.c",
    "**/x.c",
    "dir.d/",
    "!dir.d/",
    "sub/",
    "!sub/",
    "!sub/keep.o",
    "*",
    "!*.c",
    "!*/",
    "?",
    "??",
    "a?c",
    "**",
    "/**/foo",
    "foo/**/",
    "b[a-c]r",
    "*[0-9]",
    "\\[br]",
    "[[:digit:]]*",
    "[[:alpha:]]",
    "!*.o",
    "x y/",
    "sub/*",
    "!sub/foo",
    "*.log",
    "!keep.log",
    "sub/**/*.c",
    "/sub/a/",
    "a/*/x",
    "b**",
    "/a/b**",
    "*/",
    "!b1",
    "*star",
    "\\*star",
    "q\\?",
    "**/*.tmp",
    ".*",
    "!.gitignore",
    "*/foo",
    "a/b/",
    "/a/foo",
    "!/a",
    "build/*",
    "!build/foo",
    "dir.d/**",
    "!dir.d/x.c",
    "[[:upper:]]*",
    "back\\\\slash",
    "ba\\ r",
    "trail ",
    "foo**/x",
    "**/sub/**",
    "!**/sub/*.o",
    "a/",
    "!a/b/",
    "[]]",
    "[a-]*",
    "Build/",
    "/x",
};

class TreeBuilder {
 public:
  explicit TreeBuilder(uint32_t seed) : rng_(seed) {}

  void Build(const fs::path& root) {
    MakeDir(root, 0);
    if (Chance(30)) WriteFile(root / ".git/info/exclude", RandomIgnore(1, 12));
  }

  std::string Describe(const fs::path& root) const {
    std::string out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
      std::string rel = fs::relative(it->path(), root).string();
      if (rel == ".git" || rel.rfind(".git/", 0) == 0) {
        if (rel != ".git/info/exclude") continue;
      }
      out += rel + (it->is_directory() ? "/" : "") + "\n";
      if (it->path().filename() == ".gitignore" || rel == ".git/info/exclude") {
        std::string text = ReadAll(it->path().string());
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) out += "    | " + line + "\n";
      }
    }
    return out;
  }

 private:
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  size_t Pick(size_t n) { return rng_() % n; }

  std::string RandomIgnore(size_t min_lines, size_t max_lines) {
    std::string text;
    if (Chance(10)) text += "\xEF\xBB\xBF";
    const size_t n = min_lines + Pick(max_lines - min_lines + 1);
    const bool crlf = Chance(15);
    for (size_t i = 0; i < n; ++i) {
      text += Chance(30) ? RandomPattern() : kPatterns[Pick(kPatterns.size())];
      if (i + 1 < n || Chance(80)) text += crlf ? "\r\n" : "\n";
    }
    return text;
  }

  // Glued from fragments, so most are nonsense; enough hit the names above
  // to exercise combinations nobody would write by hand.
  std::string RandomPattern() {
    static const std::vector<std::string> kFragments = {
        "a",  "b",   "foo",  "build", "sub",  ".",     "c",     "o",   "*",           "**",
        "?",  "/",   "/",    "[a-c]", "[!b]", "[^.]",  "\\ ",   "\\*", "\\#",         "#",
        "!",  "]",   "[",    "-",     " ",    "[]a]",  "[a-]",  "**/", "/**",         "[[:alpha:]]",
        "\\", "x y", "[br]", "log",   "keep", "dir.d", "Build", "\\!", "[[:digit:]]", "h"};
    std::string p;
    const size_t parts = 1 + Pick(4);
    for (size_t i = 0; i < parts; ++i) p += kFragments[Pick(kFragments.size())];
    return p;
  }

  void MakeDir(const fs::path& dir, int depth) {
    fs::create_directories(dir);
    std::set<std::string> used;
    const size_t files = Pick(6);
    for (size_t i = 0; i < files; ++i) {
      const std::string& name = kFileNames[Pick(kFileNames.size())];
      if (used.insert(name).second) WriteFile(dir / name, "x");
    }
    if (Chance(depth == 0 ? 85 : 45)) {
      // Long files take the indexed matching path, short ones the linear one.
      WriteFile(dir / ".gitignore", Chance(40) ? RandomIgnore(9, 24) : RandomIgnore(1, 7));
      used.insert(".gitignore");
    }
    if (depth >= 3) return;
    const size_t dirs = Pick(depth == 0 ? 5 : 4);
    for (size_t i = 0; i < dirs; ++i) {
      const std::string& name = kDirNames[Pick(kDirNames.size())];
      if (used.insert(name).second) MakeDir(dir / name, depth + 1);
    }
  }

  std::mt19937 rng_;
};

std::vector<std::string> SplitNul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\0', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WalkGitOracleTest, RandomTreesMatchGitLsFilesOthers) {
  if (!HaveGit()) GTEST_SKIP() << "git not installed";
  // GH_WALK_ORACLE_ITERATIONS / GH_WALK_ORACLE_SEED let a developer run a
  // long soak; the default run is fixed and quick.
  int iterations = 60;
  uint32_t seed = 0x9E3779B9u;
  if (const char* e = std::getenv("GH_WALK_ORACLE_ITERATIONS")) iterations = std::atoi(e);
  if (const char* e = std::getenv("GH_WALK_ORACLE_SEED")) seed = std::strtoul(e, nullptr, 0);
  int nonempty = 0;
  int with_ignored = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    ScratchDir scratch;
    const fs::path repo = fs::path(scratch.path()) / "repo";
    const std::string out_file = scratch.path() + "/git-out";
    fs::create_directories(repo);
    ASSERT_TRUE(RunGit(repo, scratch.path(), "init -q", out_file)) << ReadAll(out_file);
    TreeBuilder builder(seed + static_cast<uint32_t>(iter));
    builder.Build(repo);
    ASSERT_TRUE(RunGit(repo, scratch.path(), "ls-files -z --others --exclude-standard", out_file))
        << ReadAll(out_file);
    const std::vector<std::string> expected = SplitNul(ReadAll(out_file));

    WalkOptions options;
    options.root = repo.string();
    options.threads = 1 + iter % 3;
    auto result = Walk(options);
    ASSERT_TRUE(result.ok()) << result.error().ToString();
    std::vector<std::string> got;
    for (const auto& f : result->files) got.push_back(f.path);

    EXPECT_EQ(got, expected) << "iteration " << iter << "; tree:\n" << builder.Describe(repo);
    if (!expected.empty()) ++nonempty;
    if (result->ignored > 0) ++with_ignored;
  }
  // Guard against a generator that produces nothing interesting.
  EXPECT_GT(nonempty, iterations / 2);
  EXPECT_GT(with_ignored, iterations / 2);
}

}  // namespace
}  // namespace gatehouse
