// The repository walker: lists the files under a root that a scan should
// read, honouring .gitignore semantics (nested .gitignore files,
// .git/info/exclude, negation, `**`, anchored and directory-only patterns)
// and include/exclude globs. It never follows symlinks unless asked, and
// even then never leaves the root. The .git directory is always skipped.
//
// Walk() is a pure listing step: it stats entries but does not read file
// contents (binary detection happens when the scanner reads the file). The
// result is sorted by path so everything downstream is deterministic.
// Directories are traversed in parallel on `threads` workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {

// One gitignore file's patterns, anchored at `base` (repo-relative directory,
// "" for the root). Exposed for tests and for the fuzz target.
class IgnoreFile {
 public:
  // Parses gitignore syntax. Never fails: unparseable lines are ignored the
  // way git ignores them.
  static IgnoreFile Parse(std::string_view text, std::string base);

  enum class Verdict { kNone, kIgnore, kInclude };
  // `path` is repo-relative (forward slashes, no leading slash). The last
  // matching line decides; kNone if no line matches or `path` is not below
  // `base`. Only `path` itself is tested: the rule that nothing inside an
  // ignored directory can be re-included is the walker's (it never descends).
  Verdict Match(std::string_view path, bool is_dir) const;

  struct Pattern;
  struct Index;
  ~IgnoreFile();
  IgnoreFile(IgnoreFile&&) noexcept;
  IgnoreFile& operator=(IgnoreFile&&) noexcept;

 private:
  IgnoreFile();
  std::string base_;
  std::vector<Pattern> patterns_;
  std::unique_ptr<Index> index_;  // null for short files (a linear scan is faster)
};

// Glob matching as used by include/exclude options and gitignore (git's
// wildmatch with WM_PATHNAME): `*`, `?` and `[...]` never match '/'; `**`
// matches across directories when it is a whole path component (`**/x`,
// `a/**/b`, `a/**`), elsewhere it acts like `*`; `[...]` classes take ranges,
// `[:alpha:]`-style names and `!`/`^` negation; `\x` matches x literally.
// The whole path must match: GlobMatch("*.c", "a/b.c") is false (the walker's
// include/exclude options add the "no slash means basename" rule on top).
bool GlobMatch(std::string_view pattern, std::string_view path);

// A glob compiled once for matching many paths (same semantics as GlobMatch).
// Immutable after construction: Match may be called from many threads.
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  ~Glob();
  Glob(Glob&&) noexcept;
  Glob& operator=(Glob&&) noexcept;

  bool Match(std::string_view path) const;

  struct Program;

 private:
  std::unique_ptr<Program> program_;
};

// include/exclude globs: a glob without '/' matches the basename at any
// depth, one with '/' matches the whole repo-relative path; a leading '/' only
// anchors, a trailing '/' restricts the glob to directories. Exclude applies
// to files and directories (an excluded directory is not descended); include
// restricts which files are returned (directories are always descended).
struct WalkOptions {
  // Every member has an initializer so designated initializers
  // (`Walk({.root = dir, .follow_symlinks = true})`) compile warning-free.
  std::string root = {};                  // directory or a single file
  std::vector<std::string> include = {};  // globs on repo-relative paths; empty = all
  std::vector<std::string> exclude = {};  // globs; matching files/dirs are skipped
  bool respect_gitignore = true;
  bool follow_symlinks = false;  // even when true, never escapes root
  uint64_t max_file_size = 0;    // 0 = unlimited; larger files -> diagnostic
  unsigned threads = 0;          // 0 = DefaultThreads()
};

struct WalkEntry {
  std::string path;      // repo-relative, forward slashes
  std::string abs_path;  // what to open
  uint64_t size = 0;
};

struct WalkResult {
  std::vector<WalkEntry> files;  // sorted by path
  std::vector<Diagnostic> diagnostics;
  uint64_t ignored = 0;       // skipped by ignore rules/globs, unfollowed symlinks
  uint64_t skipped_size = 0;  // files over max_file_size
};

// Fails only if the root does not exist or is unreadable.
Result<WalkResult> Walk(const WalkOptions& options);

}  // namespace gatehouse
