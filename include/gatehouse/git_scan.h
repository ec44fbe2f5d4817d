// Secrets in git history and in git hooks, through libgit2.
//
// ScanHistory walks commits (all refs by default, or a range/branch), diffs
// each against its first parent (merges: against every parent, keeping only
// lines added relative to all of them), and scans only the added lines with
// the same SecretScanner as the working-tree scan. Each blob is scanned at
// most once across the whole history: the oldest commit that introduces it
// gets the findings. Work proceeds in fixed-size batches of commits, so
// memory stays bounded however long the history is.
//
// The hook entry points (staged changes, pre-push, pre-receive) reuse the
// same machinery on the commits or index they are given. Not thread-safe per
// call; each call opens its own repository handle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/result.h"
#include "gatehouse/secrets_scan.h"

namespace gatehouse {

struct HistoryOptions {
  std::vector<std::string> ranges;    // "A..B" or a single rev; empty = all refs
  std::vector<std::string> branches;  // branch names (refs/heads/NAME) to walk
  int64_t since = 0;                  // unix seconds; commits older are skipped
  uint64_t max_commits = 0;           // 0 = no limit
  unsigned threads = 0;
  // Read objects the way git does inside hooks (GIT_DIR, GIT_OBJECT_DIRECTORY,
  // GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_QUARANTINE_PATH).
  bool from_env = false;
};

// Scans history. Fails (kInvalidArgument) if `repo_path` is not a git
// repository or a revision does not resolve; corrupt objects and a shallow
// clone become diagnostics. Findings carry commit, author, email and date
// properties and the line in that commit's version of the file.
Result<Report> ScanHistory(const SecretScanner& scanner, const std::string& repo_path,
                           const HistoryOptions& options);

// Staged changes: the index against HEAD (or the empty tree before the
// first commit). Paths are repository-relative.
Result<Report> ScanStaged(const SecretScanner& scanner, const std::string& repo_path);

// One line of pre-receive/pre-push input.
struct RefUpdate {
  std::string old_id, new_id, ref;
};
// Parses "<old> <new> <ref>" lines (pre-receive) or "<local ref> <local sha>
// <remote ref> <remote sha>" lines (pre-push, `pre_push` = true).
Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view input, bool pre_push);

// Commits introduced by `updates` that no existing ref (or, for pre-push,
// no remote-tracking ref and no remote old value) already reaches; deletions
// are ignored. Scans them all, oldest first.
Result<Report> ScanPushedCommits(const SecretScanner& scanner, const std::string& repo_path,
                                 const std::vector<RefUpdate>& updates, bool pre_push,
                                 bool from_env, unsigned threads);

// Parses "2024-05-01", "2024-05-01T10:00:00Z" or "30 days ago" to unix seconds.
Result<int64_t> ParseSince(std::string_view text, int64_t now);

}  // namespace gatehouse

namespace gatehouse {

// Where hooks go: core.hooksPath (relative to the work tree) or $GIT_DIR/hooks.
Result<std::string> HooksDir(const std::string& repo_path);
// Every value of a multi-valued git config key (e.g. gatehouse.bypassTicket).
std::vector<std::string> GitConfigValues(const std::string& repo_path, const std::string& key,
                                         bool from_env);
// The work tree of the repository containing `path` ("" for a bare one).
Result<std::string> WorkTree(const std::string& path);

}  // namespace gatehouse

namespace gatehouse {

// Files in the git index under `dir`, relative to `dir` (empty when `dir` is
// not inside a work tree). The working-tree scan adds them even when a
// .gitignore matches them: a force-added .env is committed all the same.
std::vector<std::string> TrackedFiles(const std::string& dir);

}  // namespace gatehouse
