// Secret scanning of git history, staged changes and pushes, with libgit2.
//
// Pipeline for a set of commits (a revwalk, oldest first):
//
//   batch of commits ──(workers, one repository handle each)──▶ for each
//   commit: tree diff against the first parent (renames detected), and for
//   every added/modified file whose new blob was not seen in an earlier
//   batch: the patch (0 context lines) → the added lines joined into one
//   fragment, with a map from fragment line to line in the commit's version
//   → SecretScanner::ScanContent(fragment) → findings tagged (blob, commit).
//
//   Merge commits are diffed against every parent and only lines added with
//   respect to all parents are kept (what the merge itself introduced), so a
//   secret from a merged branch is reported once, at the branch commit.
//
//   After each batch, serially: for every blob the oldest commit in the batch
//   that produced it keeps its findings, the others drop theirs, and all the
//   batch's blobs join the seen set. So each blob is credited once across the
//   whole history, and memory holds one batch of findings plus 20-byte blob
//   ids — not the history.
#include <git2.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/git_scan.h"

namespace gatehouse {

namespace {

// ---- libgit2 plumbing --------------------------------------------------------

void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Objects come from git itself; re-hashing every read costs ~20% of a
    // history scan. Bound the object cache and pack mappings so memory stays
    // flat however large the repository is.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(32) << 20);
    // Map packs in 4 MiB windows (the default is one 1 GiB window, i.e. the
    // whole pack, which the mapped-size limit can then never evict).
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<size_t>(4) << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, static_cast<size_t>(64) << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, static_cast<size_t>(64));
  });
}

template <typename T, void (*Free)(T*)>
struct GitPtr {
  T* p = nullptr;
  GitPtr() = default;
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;
  GitPtr(GitPtr&& o) noexcept : p(o.p) { o.p = nullptr; }
  ~GitPtr() {
    if (p) Free(p);
  }
  T** out() { return &p; }
  T* get() const { return p; }
};
using Repo = GitPtr<git_repository, git_repository_free>;
using Commit = GitPtr<git_commit, git_commit_free>;
using Tree = GitPtr<git_tree, git_tree_free>;
using Diff = GitPtr<git_diff, git_diff_free>;
using Patch = GitPtr<git_patch, git_patch_free>;
using Revwalk = GitPtr<git_revwalk, git_revwalk_free>;
using Object = GitPtr<git_object, git_object_free>;
using Index = GitPtr<git_index, git_index_free>;
using Odb = GitPtr<git_odb, git_odb_free>;

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

struct OidHash {
  size_t operator()(const git_oid& o) const {
    size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

// Objects git writes during a push live in a quarantine directory until the
// pre-receive hook accepts them; make sure we can read them and the main store.
Status AddEnvAlternates(git_repository* repo) {
  Odb odb;
  if (git_repository_odb(odb.out(), repo) != 0) return MakeError(ErrorCode::kIo, LastGitError());
  auto add = [&](const char* dir) {
    if (dir && *dir) git_odb_add_disk_alternate(odb.get(), dir);
  };
  add(std::getenv("GIT_QUARANTINE_PATH"));
  add(std::getenv("GIT_OBJECT_DIRECTORY"));
  if (const char* alts = std::getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) {
    std::string_view all(alts);
    size_t pos = 0;
    while (pos <= all.size()) {
      size_t colon = all.find(':', pos);
      std::string one(all.substr(pos, colon == std::string_view::npos ? all.npos : colon - pos));
      if (!one.empty()) add(one.c_str());
      if (colon == std::string_view::npos) break;
      pos = colon + 1;
    }
  }
  return {};
}

Result<Repo> OpenRepo(const std::string& path, bool from_env) {
  InitLibgit2();
  Repo repo;
  unsigned flags = from_env ? GIT_REPOSITORY_OPEN_FROM_ENV : 0;
  const char* p = from_env && std::getenv("GIT_DIR") ? nullptr : path.c_str();
  if (git_repository_open_ext(repo.out(), p, flags, nullptr) != 0)
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a git repository (or any parent): " + LastGitError(), path);
  if (from_env) {
    if (auto st = AddEnvAlternates(repo.get()); !st.ok()) return st.error();
  }
  return repo;
}

// Commits at the boundary of a shallow clone, from $GIT_DIR/shallow (libgit2
// 1.5 predates shallow support, so we read the file git writes).
OidSet ShallowSet(git_repository* repo) {
  OidSet out;
  auto text = ReadFileToString(std::string(git_repository_path(repo)) + "shallow");
  if (!text.ok()) return out;
  size_t pos = 0;
  while (pos + GIT_OID_HEXSZ <= text->size()) {
    git_oid oid;
    if (git_oid_fromstrn(&oid, text->data() + pos, GIT_OID_HEXSZ) == 0) out.insert(oid);
    size_t eol = text->find('\n', pos);
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return out;
}

std::string IsoTime(const git_time& t) {
  std::time_t secs = static_cast<std::time_t>(t.time);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- added lines ---------------------------------------------------------------

// The added lines of one file in one commit, joined, with their line numbers
// in the new version.
struct Fragment {
  std::string path;
  git_oid blob{};
  bool binary = false;
  std::string text;
  std::vector<int> lines;  // fragment line i (0-based) -> new line number
};

// Added lines of every delta of `diff` whose new blob is not in `seen`.
void CollectFragments(git_diff* diff, const OidSet* seen, std::vector<Fragment>* out,
                      std::vector<Diagnostic>* diags) {
  size_t n = git_diff_num_deltas(diff);
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_UNMODIFIED ||
        d->status == GIT_DELTA_IGNORED || d->status == GIT_DELTA_UNTRACKED)
      continue;
    if (git_oid_is_zero(&d->new_file.id)) continue;
    if (d->new_file.mode == GIT_FILEMODE_COMMIT) continue;  // submodule pointer
    if (seen && seen->count(d->new_file.id)) continue;
    Fragment f;
    f.path = d->new_file.path;
    f.blob = d->new_file.id;
    Patch patch;
    if (git_patch_from_diff(patch.out(), diff, i) != 0) {
      diags->push_back({DiagnosticKind::kUnreadable, f.path, 0, 0,
                        "cannot read blob " + OidHex(d->new_file.id) + ": " + LastGitError()});
      continue;
    }
    if (!patch.get() || (git_patch_get_delta(patch.get())->flags & GIT_DIFF_FLAG_BINARY)) {
      f.binary = true;
      out->push_back(std::move(f));
      continue;
    }
    size_t hunks = git_patch_num_hunks(patch.get());
    for (size_t h = 0; h < hunks; ++h) {
      int nlines = git_patch_num_lines_in_hunk(patch.get(), h);
      for (int l = 0; l < nlines; ++l) {
        const git_diff_line* line = nullptr;
        if (git_patch_get_line_in_hunk(&line, patch.get(), h, static_cast<size_t>(l)) != 0)
          continue;
        if (line->origin != GIT_DIFF_LINE_ADDITION) continue;
        f.text.append(line->content, line->content_len);
        if (f.text.empty() || f.text.back() != '\n') f.text.push_back('\n');
        f.lines.push_back(line->new_lineno);
      }
    }
    out->push_back(std::move(f));
  }
}

// Keeps only the lines of `f` (by new line number) present in `keep`.
void IntersectLines(Fragment* f, const std::unordered_set<int>& keep) {
  std::string text;
  std::vector<int> lines;
  size_t pos = 0;
  for (int ln : f->lines) {
    size_t eol = f->text.find('\n', pos);
    if (keep.count(ln)) {
      text.append(f->text, pos, eol - pos + 1);
      lines.push_back(ln);
    }
    pos = eol + 1;
  }
  f->text = std::move(text);
  f->lines = std::move(lines);
}

using Blob = GitPtr<git_blob, git_blob_free>;

// One changed file between two trees.
struct FileChange {
  std::string path;
  git_oid new_id{};
  git_oid old_id{};
  bool has_old = false;
};

// git's tree entry order: names compare bytewise, a tree as if it ended in '/'.
int EntryCmp(const git_tree_entry* x, const git_tree_entry* y) {
  std::string_view nx = git_tree_entry_name(x), ny = git_tree_entry_name(y);
  size_t len = std::min(nx.size(), ny.size());
  if (int c = std::memcmp(nx.data(), ny.data(), len)) return c;
  auto next = [&](std::string_view n, const git_tree_entry* e) -> int {
    if (n.size() > len) return static_cast<unsigned char>(n[len]);
    return git_tree_entry_type(e) == GIT_OBJECT_TREE ? '/' : 0;
  };
  return next(nx, x) - next(ny, y);
}

bool IsScannableBlob(const git_tree_entry* e) {
  git_filemode_t m = git_tree_entry_filemode(e);
  return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

// Walks two trees together, descending only into subtrees whose ids differ —
// the work is proportional to what changed, not to the size of the tree.
Status DiffTreesFast(git_repository* repo, const git_tree* a, const git_tree* b,
                     const std::string& prefix, std::vector<FileChange>* changes,
                     std::vector<FileChange>* deletes) {
  size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
  size_t i = 0, j = 0;
  auto subtree = [&](const git_tree_entry* e, Tree* out) -> Status {
    if (git_tree_lookup(out->out(), repo, git_tree_entry_id(e)) != 0)
      return MakeError(ErrorCode::kIo, "tree " + OidHex(*git_tree_entry_id(e)) + " (" + prefix +
                                           git_tree_entry_name(e) + "): " + LastGitError());
    return {};
  };
  auto added = [&](const git_tree_entry* e) -> Status {
    std::string path = prefix + git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      Tree t;
      if (auto st = subtree(e, &t); !st.ok()) return st;
      return DiffTreesFast(repo, nullptr, t.get(), path + "/", changes, deletes);
    }
    if (IsScannableBlob(e)) changes->push_back({path, *git_tree_entry_id(e), {}, false});
    return {};
  };
  auto removed = [&](const git_tree_entry* e) -> Status {
    std::string path = prefix + git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      if (!deletes) return {};
      Tree t;
      if (auto st = subtree(e, &t); !st.ok()) return st;
      return DiffTreesFast(repo, t.get(), nullptr, path + "/", changes, deletes);
    }
    if (deletes && IsScannableBlob(e)) deletes->push_back({path, {}, *git_tree_entry_id(e), true});
    return {};
  };
  while (i < na || j < nb) {
    const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
    const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
    int c = !ea ? 1 : !eb ? -1 : EntryCmp(ea, eb);
    Status st;
    if (c < 0) {
      st = removed(ea);
      ++i;
    } else if (c > 0) {
      st = added(eb);
      ++j;
    } else {
      ++i, ++j;
      if (git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb))) continue;
      bool ta = git_tree_entry_type(ea) == GIT_OBJECT_TREE;
      bool tb = git_tree_entry_type(eb) == GIT_OBJECT_TREE;
      if (ta && tb) {
        Tree x, y;
        if (!(st = subtree(ea, &x)).ok() || !(st = subtree(eb, &y)).ok()) return st;
        st = DiffTreesFast(repo, x.get(), y.get(), prefix + git_tree_entry_name(eb) + "/", changes,
                           deletes);
      } else if (!ta && !tb) {
        if (IsScannableBlob(eb))
          changes->push_back({prefix + git_tree_entry_name(eb), *git_tree_entry_id(eb),
                              *git_tree_entry_id(ea), IsScannableBlob(ea)});
      } else {
        if ((st = removed(ea)).ok()) st = added(eb);
      }
    }
    if (!st.ok()) return st;
  }
  return {};
}

std::string_view BaseName(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

// A file added where another was deleted in the same commit is a rename when
// they share a base name (or when they are the only add and delete): diff it
// against the old blob so only what changed counts as added.
void PairRenames(std::vector<FileChange>* changes, const std::vector<FileChange>& deletes) {
  if (deletes.empty()) return;
  std::unordered_multimap<std::string_view, const FileChange*> by_name;
  for (const auto& d : deletes) by_name.emplace(BaseName(d.path), &d);
  std::unordered_set<const FileChange*> used;
  std::vector<FileChange*> unpaired;
  for (auto& c : *changes) {
    if (c.has_old) continue;
    auto [lo, hi] = by_name.equal_range(BaseName(c.path));
    bool paired = false;
    for (auto it = lo; it != hi; ++it) {
      if (used.count(it->second)) continue;
      c.old_id = it->second->old_id;
      c.has_old = true;
      used.insert(it->second);
      paired = true;
      break;
    }
    if (!paired) unpaired.push_back(&c);
  }
  if (unpaired.size() == 1 && deletes.size() - used.size() == 1) {
    for (const auto& d : deletes)
      if (!used.count(&d)) {
        unpaired[0]->old_id = d.old_id;
        unpaired[0]->has_old = true;
      }
  }
}

// The added lines of one change as a fragment.
Status ChangeFragment(git_repository* repo, const FileChange& c, Fragment* f) {
  f->path = c.path;
  f->blob = c.new_id;
  Blob nb;
  if (git_blob_lookup(nb.out(), repo, &c.new_id) != 0)
    return MakeError(ErrorCode::kIo, "blob " + OidHex(c.new_id) + " (" + c.path +
                                         ") unreadable: " + LastGitError());
  const char* data = static_cast<const char*>(git_blob_rawcontent(nb.get()));
  size_t size = static_cast<size_t>(git_blob_rawsize(nb.get()));
  std::string_view content(data ? data : "", data ? size : 0);
  if (LooksBinary(content)) {
    f->binary = true;
    return {};
  }
  if (!c.has_old) {
    // A new file: every line is added; no diff needed.
    f->text.assign(content);
    if (!f->text.empty() && f->text.back() != '\n') f->text.push_back('\n');
    int line = 0;
    for (char ch : f->text)
      if (ch == '\n') f->lines.push_back(++line);
    return {};
  }
  Blob ob;
  if (git_blob_lookup(ob.out(), repo, &c.old_id) != 0)
    return MakeError(ErrorCode::kIo, "blob " + OidHex(c.old_id) + " (" + c.path +
                                         ") unreadable: " + LastGitError());
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  Patch patch;
  if (git_patch_from_blobs(patch.out(), ob.get(), c.path.c_str(), nb.get(), c.path.c_str(),
                           &opts) != 0)
    return MakeError(ErrorCode::kIo, "diff of " + c.path + " failed: " + LastGitError());
  size_t hunks = git_patch_num_hunks(patch.get());
  for (size_t h = 0; h < hunks; ++h) {
    int nlines = git_patch_num_lines_in_hunk(patch.get(), h);
    for (int l = 0; l < nlines; ++l) {
      const git_diff_line* line = nullptr;
      if (git_patch_get_line_in_hunk(&line, patch.get(), h, static_cast<size_t>(l)) != 0) continue;
      if (line->origin != GIT_DIFF_LINE_ADDITION) continue;
      f->text.append(line->content, line->content_len);
      if (f->text.empty() || f->text.back() != '\n') f->text.push_back('\n');
      f->lines.push_back(line->new_lineno);
    }
  }
  return {};
}

// Fragments for the changes from `old_tree` to `new_tree`, skipping blobs in `seen`.
Status TreeFragments(git_repository* repo, git_tree* old_tree, git_tree* new_tree,
                     const OidSet* seen, std::vector<Fragment>* out,
                     std::vector<Diagnostic>* diags) {
  std::vector<FileChange> changes, deletes;
  if (auto st = DiffTreesFast(repo, old_tree, new_tree, "", &changes, &deletes); !st.ok())
    return st;
  PairRenames(&changes, deletes);
  for (const auto& c : changes) {
    if (seen && seen->count(c.new_id)) continue;
    Fragment f;
    if (auto st = ChangeFragment(repo, c, &f); !st.ok()) {
      diags->push_back({DiagnosticKind::kUnreadable, c.path, 0, 0, st.error().message});
      continue;
    }
    out->push_back(std::move(f));
  }
  return {};
}

// Fragments a commit introduces: against its first parent, or for a merge,
// the lines added with respect to every parent.
Status CommitFragments(git_repository* repo, git_commit* commit, const OidSet* seen,
                       const OidSet& shallow, std::vector<Fragment>* out,
                       std::vector<Diagnostic>* diags) {
  Tree tree;
  if (git_commit_tree(tree.out(), commit) != 0) return MakeError(ErrorCode::kIo, LastGitError());
  // A shallow clone's boundary commits are roots: their parents are not here.
  unsigned parents = shallow.count(*git_commit_id(commit)) ? 0 : git_commit_parentcount(commit);
  if (parents <= 1) {
    Tree ptree;
    if (parents == 1) {
      Commit parent;
      if (git_commit_parent(parent.out(), commit, 0) != 0 ||
          git_commit_tree(ptree.out(), parent.get()) != 0)
        return MakeError(ErrorCode::kIo, "parent of " + OidHex(*git_commit_id(commit)) +
                                             " unreadable: " + LastGitError());
    }
    return TreeFragments(repo, ptree.get(), tree.get(), seen, out, diags);
  }
  // Merge: start from the first parent's additions, intersect with the rest.
  std::vector<Fragment> base;
  for (unsigned p = 0; p < parents; ++p) {
    Commit parent;
    Tree ptree;
    if (git_commit_parent(parent.out(), commit, p) != 0 ||
        git_commit_tree(ptree.out(), parent.get()) != 0)
      return MakeError(ErrorCode::kIo, "parent of " + OidHex(*git_commit_id(commit)) +
                                           " unreadable: " + LastGitError());
    std::vector<Fragment> frags;
    if (auto st = TreeFragments(repo, ptree.get(), tree.get(), seen, &frags, diags); !st.ok())
      return st;
    if (p == 0) {
      base = std::move(frags);
      continue;
    }
    std::unordered_map<std::string, const Fragment*> by_path;
    for (const auto& f : frags) by_path[f.path] = &f;
    std::vector<Fragment> kept;
    for (auto& f : base) {
      auto it = by_path.find(f.path);
      if (it == by_path.end()) continue;  // unchanged relative to this parent
      std::unordered_set<int> lines(it->second->lines.begin(), it->second->lines.end());
      IntersectLines(&f, lines);
      if (!f.lines.empty() || f.binary) kept.push_back(std::move(f));
    }
    base = std::move(kept);
  }
  for (auto& f : base) out->push_back(std::move(f));
  return {};
}

struct CommitInfo {
  std::string id, author, email, date;
};

CommitInfo InfoOf(git_commit* c) {
  CommitInfo i;
  i.id = OidHex(*git_commit_id(c));
  if (const git_signature* a = git_commit_author(c)) {
    i.author = a->name ? a->name : "";
    i.email = a->email ? a->email : "";
    i.date = IsoTime(a->when);
  }
  return i;
}

// Scans fragments; maps fragment lines back to file lines.
void ScanFragment(const SecretScanner& scanner, const Fragment& f, const CommitInfo& info,
                  std::vector<Finding>* out) {
  ContentContext ctx{info.id, info.author, info.email, info.date};
  std::vector<Finding> found;
  if (f.binary) {
    static const char kBinaryMarker[] = {'\0'};
    scanner.ScanContent(f.path, std::string_view(kBinaryMarker, 1), ctx, &found);
  } else {
    scanner.ScanContent(f.path, f.text, ctx, &found);
  }
  for (auto& fd : found) {
    auto map = [&](int line) {
      return line >= 1 && static_cast<size_t>(line) <= f.lines.size() ? f.lines[line - 1] : line;
    };
    fd.location.line = map(fd.location.line);
    fd.location.end_line = map(fd.location.end_line);
    if (!info.id.empty()) {
      fd.message += " (commit " + info.id.substr(0, 12) + ")";
      fd.properties["gitleaks_fingerprint"] =
          info.id + ":" + f.path + ":" + fd.rule_id + ":" + std::to_string(fd.location.line);
    } else {
      fd.properties["gitleaks_fingerprint"] =
          f.path + ":" + fd.rule_id + ":" + std::to_string(fd.location.line);
    }
    out->push_back(std::move(fd));
  }
}

// Scans `commits` (oldest first) in batches; see the essay at the top.
void ScanCommits(const SecretScanner& scanner, const std::string& repo_path, bool from_env,
                 const std::vector<git_oid>& commits, unsigned threads, Report* report) {
  constexpr size_t kBatch = 64;
  if (threads == 0) threads = DefaultThreads();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(commits.size())));
  OidSet seen;
  OidSet shallow;
  if (auto repo = OpenRepo(repo_path, from_env); repo.ok()) shallow = ShallowSet(repo->get());
  // One repository handle per worker for the whole scan: its object and
  // delta-base caches stay warm from batch to batch.
  std::vector<std::optional<Repo>> repos(threads);
  for (auto& r : repos)
    if (auto opened = OpenRepo(repo_path, from_env); opened.ok()) r.emplace(std::move(*opened));
  for (size_t start = 0; start < commits.size(); start += kBatch) {
    size_t end = std::min(commits.size(), start + kBatch);
    struct Tagged {
      git_oid blob;
      size_t commit;
      std::vector<Finding> findings;
    };
    std::vector<std::vector<Tagged>> per_commit(end - start);
    std::vector<std::vector<Diagnostic>> diags(end - start);
    std::vector<uint64_t> bytes(end - start, 0);
    std::atomic<size_t> next{start};
    auto worker = [&](unsigned w) {
      if (!repos[w]) return;
      Repo* repo = &*repos[w];
      for (size_t i = next.fetch_add(1); i < end; i = next.fetch_add(1)) {
        size_t k = i - start;
        Commit c;
        if (git_commit_lookup(c.out(), repo->get(), &commits[i]) != 0) {
          diags[k].push_back({DiagnosticKind::kUnreadable, "", 0, 0,
                              "commit " + OidHex(commits[i]) + " unreadable: " + LastGitError()});
          continue;
        }
        std::vector<Fragment> frags;
        if (auto st = CommitFragments(repo->get(), c.get(), &seen, shallow, &frags, &diags[k]);
            !st.ok()) {
          diags[k].push_back({DiagnosticKind::kUnreadable, "", 0, 0,
                              "commit " + OidHex(commits[i]) + ": " + st.error().message});
          continue;
        }
        CommitInfo info = InfoOf(c.get());
        for (const auto& f : frags) {
          Tagged t{f.blob, i, {}};
          bytes[k] += f.text.size();
          ScanFragment(scanner, f, info, &t.findings);
          per_commit[k].push_back(std::move(t));
        }
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
    worker(0);
    for (auto& t : pool) t.join();
    // Credit each blob to the oldest commit of the batch that introduced it.
    std::unordered_map<git_oid, size_t, OidHash, OidEq> first;
    for (const auto& tags : per_commit)
      for (const auto& t : tags) {
        auto [it, inserted] = first.emplace(t.blob, t.commit);
        if (!inserted) it->second = std::min(it->second, t.commit);
      }
    for (size_t k = 0; k < per_commit.size(); ++k) {
      for (auto& t : per_commit[k]) {
        if (first[t.blob] != t.commit) continue;
        for (auto& f : t.findings) report->findings.push_back(std::move(f));
      }
      for (auto& d : diags[k]) report->diagnostics.push_back(std::move(d));
      report->stats.bytes_scanned += bytes[k];
    }
    for (const auto& [blob, _] : first) seen.insert(blob);
    report->stats.files_scanned += first.size();
  }
}

bool IsZeroId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c == '0'; });
}

bool IsHexId(std::string_view id) {
  return (id.size() == 40 || id.size() == 64) &&
         std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c) != 0; });
}

// libgit2 1.5 cannot walk past a shallow boundary (the parents are missing),
// so for shallow clones we walk the graph ourselves: breadth-first from the
// starting commits, not following parents of boundary commits, skipping
// everything reachable from `hides`; oldest first by committer time.
std::vector<git_oid> ShallowWalk(git_repository* repo, const std::vector<git_oid>& starts,
                                 const std::vector<git_oid>& hides, const OidSet& shallow,
                                 std::vector<Diagnostic>* diags) {
  auto reach = [&](const std::vector<git_oid>& from, const OidSet* stop, OidSet* seen,
                   std::vector<std::pair<int64_t, git_oid>>* out) {
    std::vector<git_oid> queue(from.begin(), from.end());
    while (!queue.empty()) {
      git_oid id = queue.back();
      queue.pop_back();
      if (seen->count(id) || (stop && stop->count(id))) continue;
      seen->insert(id);
      Commit c;
      if (git_commit_lookup(c.out(), repo, &id) != 0) {
        if (diags)
          diags->push_back({DiagnosticKind::kUnreadable, "", 0, 0,
                            "commit " + OidHex(id) + " unreadable: " + LastGitError()});
        continue;
      }
      if (out) out->emplace_back(git_commit_time(c.get()), id);
      if (shallow.count(id)) continue;
      for (unsigned p = 0; p < git_commit_parentcount(c.get()); ++p)
        queue.push_back(*git_commit_parent_id(c.get(), p));
    }
  };
  OidSet hidden;
  reach(hides, nullptr, &hidden, nullptr);
  OidSet seen;
  std::vector<std::pair<int64_t, git_oid>> found;
  reach(starts, &hidden, &seen, &found);
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<git_oid> out;
  for (auto& [t, id] : found) out.push_back(id);
  return out;
}

// Commits every ref (and HEAD) points at, peeled to commits.
std::vector<git_oid> AllRefTips(git_repository* repo) {
  std::vector<git_oid> out;
  GitPtr<git_reference_iterator, git_reference_iterator_free> it;
  if (git_reference_iterator_new(it.out(), repo) == 0) {
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it.get()) == 0) {
      Object obj;
      if (git_reference_peel(obj.out(), ref, GIT_OBJECT_COMMIT) == 0)
        out.push_back(*git_object_id(obj.get()));
      git_reference_free(ref);
    }
  }
  Object head;
  if (git_revparse_single(head.out(), repo, "HEAD^{commit}") == 0)
    out.push_back(*git_object_id(head.get()));
  return out;
}

}  // namespace

Result<int64_t> ParseSince(std::string_view text, int64_t now) {
  std::string s(text);
  int n = 0;
  char unit[16] = {0};
  if (std::sscanf(s.c_str(), "%d %15s ago", &n, unit) == 2 && n >= 0) {
    std::string u(unit);
    if (!u.empty() && u.back() == 's') u.pop_back();
    int64_t mult = u == "second"   ? 1
                   : u == "minute" ? 60
                   : u == "hour"   ? 3600
                   : u == "day"    ? 86400
                   : u == "week"   ? 7 * 86400
                   : u == "month"  ? 30 * 86400
                   : u == "year"   ? 365 * 86400
                                   : 0;
    if (mult) return now - n * mult;
  }
  std::tm tm{};
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) >= 3 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &mo, &d) == 3) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31) return static_cast<int64_t>(timegm(&tm));
  }
  return MakeError(
      ErrorCode::kInvalidArgument,
      "bad --since '" + s + "' (use 2024-05-01, 2024-05-01T10:00:00Z or '30 days ago')");
}

Result<Report> ScanHistory(const SecretScanner& scanner, const std::string& repo_path,
                           const HistoryOptions& options) {
  const double t0 = MonotonicSeconds();
  auto repo = OpenRepo(repo_path, options.from_env);
  if (!repo.ok()) return repo.error();
  Report report;
  report.command = "secrets";
  report.root = repo_path;
  report.diagnostics = scanner.load_diagnostics();
  if (git_repository_is_shallow(repo->get()) == 1)
    report.diagnostics.push_back({DiagnosticKind::kNote, "", 0, 0,
                                  "shallow clone: history is truncated; commits before the "
                                  "shallow boundary were not scanned"});
  std::vector<git_oid> commits;
  const OidSet shallow = ShallowSet(repo->get());
  if (!shallow.empty()) {
    std::vector<git_oid> starts, hides;
    auto resolve = [&](const std::string& rev, git_oid* out) {
      Object obj;
      if (git_revparse_single(obj.out(), repo->get(), (rev + "^{commit}").c_str()) != 0)
        return false;
      *out = *git_object_id(obj.get());
      return true;
    };
    for (const auto& r : options.ranges) {
      size_t dots = r.find("..");
      git_oid a, b;
      if (dots == std::string::npos
              ? !resolve(r, &b)
              : !resolve(r.substr(0, dots), &a) || !resolve(r.substr(dots + 2), &b))
        return MakeError(ErrorCode::kInvalidArgument,
                         "bad revision or range '" + r + "': " + LastGitError(), repo_path);
      starts.push_back(b);
      if (dots != std::string::npos) hides.push_back(a);
    }
    for (const auto& br : options.branches) {
      git_oid b;
      if (!resolve(br.rfind("refs/", 0) == 0 ? br : "refs/heads/" + br, &b))
        return MakeError(ErrorCode::kInvalidArgument, "no branch '" + br + "'", repo_path);
      starts.push_back(b);
    }
    if (starts.empty()) starts = AllRefTips(repo->get());
    commits = ShallowWalk(repo->get(), starts, hides, shallow, &report.diagnostics);
  }
  Revwalk walk;
  if (git_revwalk_new(walk.out(), repo->get()) != 0)
    return MakeError(ErrorCode::kIo, LastGitError(), repo_path);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
  bool pushed = !shallow.empty();  // shallow: already walked above
  for (const auto& r : shallow.empty() ? options.ranges : std::vector<std::string>{}) {
    int rc = r.find("..") != std::string::npos ? git_revwalk_push_range(walk.get(), r.c_str()) : -1;
    if (rc != 0 && r.find("..") == std::string::npos) {
      Object obj;
      rc = git_revparse_single(obj.out(), repo->get(), r.c_str());
      if (rc == 0) rc = git_revwalk_push(walk.get(), git_object_id(obj.get()));
    }
    if (rc != 0)
      return MakeError(ErrorCode::kInvalidArgument,
                       "bad revision or range '" + r + "': " + LastGitError(), repo_path);
    pushed = true;
  }
  for (const auto& b : shallow.empty() ? options.branches : std::vector<std::string>{}) {
    std::string ref = b.rfind("refs/", 0) == 0 ? b : "refs/heads/" + b;
    if (git_revwalk_push_ref(walk.get(), ref.c_str()) != 0)
      return MakeError(ErrorCode::kInvalidArgument, "no branch '" + b + "': " + LastGitError(),
                       repo_path);
    pushed = true;
  }
  if (!pushed) {
    git_revwalk_push_glob(walk.get(), "*");  // every ref
    git_revwalk_push_head(walk.get());       // and a detached HEAD (fails harmlessly if unborn)
  }
  git_oid oid;
  while (shallow.empty()) {
    int rc = git_revwalk_next(&oid, walk.get());
    if (rc == GIT_ITEROVER) break;
    if (rc != 0) {
      report.diagnostics.push_back(
          {DiagnosticKind::kUnreadable, "", 0, 0, "history walk stopped: " + LastGitError()});
      break;
    }
    if (options.since > 0) {
      Commit c;
      if (git_commit_lookup(c.out(), repo->get(), &oid) == 0 &&
          git_commit_time(c.get()) < options.since)
        continue;
    }
    commits.push_back(oid);
  }
  if (!shallow.empty() && options.since > 0) {
    std::erase_if(commits, [&](const git_oid& id) {
      Commit c;
      return git_commit_lookup(c.out(), repo->get(), &id) == 0 &&
             git_commit_time(c.get()) < options.since;
    });
  }
  if (options.max_commits > 0 && commits.size() > options.max_commits)
    commits.erase(commits.begin(), commits.end() - static_cast<ptrdiff_t>(options.max_commits));
  ScanCommits(scanner, repo_path, options.from_env, commits, options.threads, &report);
  report.stats.seconds = MonotonicSeconds() - t0;
  report.diagnostics.push_back(
      {DiagnosticKind::kNote, "", 0, 0, "scanned " + std::to_string(commits.size()) + " commits"});
  return report;
}

Result<Report> ScanStaged(const SecretScanner& scanner, const std::string& repo_path) {
  auto repo = OpenRepo(repo_path, /*from_env=*/false);
  if (!repo.ok()) return repo.error();
  Report report;
  report.command = "secrets";
  report.root = repo_path;
  Index index;
  if (git_repository_index(index.out(), repo->get()) != 0)
    return MakeError(ErrorCode::kIo, "cannot read the index: " + LastGitError(), repo_path);
  Object head_tree;
  git_tree* tree = nullptr;
  if (git_revparse_single(head_tree.out(), repo->get(), "HEAD^{tree}") == 0)
    tree = reinterpret_cast<git_tree*>(head_tree.get());  // else: initial commit
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  Diff diff;
  if (git_diff_tree_to_index(diff.out(), repo->get(), tree, index.get(), &opts) != 0)
    return MakeError(ErrorCode::kIo, LastGitError(), repo_path);
  git_diff_find_options find;
  git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
  find.flags = GIT_DIFF_FIND_RENAMES;
  git_diff_find_similar(diff.get(), &find);
  std::vector<Fragment> frags;
  CollectFragments(diff.get(), nullptr, &frags, &report.diagnostics);
  for (const auto& f : frags) {
    ScanFragment(scanner, f, CommitInfo{}, &report.findings);
    report.stats.bytes_scanned += f.text.size();
    ++report.stats.files_scanned;
  }
  return report;
}

Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view input, bool pre_push) {
  std::vector<RefUpdate> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < input.size()) {
    size_t eol = input.find('\n', pos);
    std::string line(input.substr(pos, eol == std::string_view::npos ? input.npos : eol - pos));
    pos = eol == std::string_view::npos ? input.size() : eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> parts;
    size_t p = 0;
    while (p < line.size()) {
      size_t sp = line.find(' ', p);
      parts.push_back(line.substr(p, sp == std::string::npos ? std::string::npos : sp - p));
      if (sp == std::string::npos) break;
      p = sp + 1;
    }
    RefUpdate u;
    bool ok = false;
    if (pre_push && parts.size() == 4 && IsHexId(parts[1]) && IsHexId(parts[3])) {
      u = RefUpdate{parts[3], parts[1], parts[2]};  // remote old, local new, remote ref
      ok = true;
    } else if (!pre_push && parts.size() == 3 && IsHexId(parts[0]) && IsHexId(parts[1]) &&
               !parts[2].empty()) {
      u = RefUpdate{parts[0], parts[1], parts[2]};
      ok = true;
    }
    if (!ok)
      return MakeError(ErrorCode::kParse,
                       std::string("malformed ") + (pre_push ? "pre-push" : "pre-receive") +
                           " input (expected " +
                           (pre_push ? "'<local ref> <local sha> <remote ref> <remote sha>'"
                                     : "'<old-sha> <new-sha> <ref>'") +
                           "): '" + line.substr(0, 200) + "'",
                       "stdin", line_no);
    out.push_back(std::move(u));
  }
  return out;
}

Result<Report> ScanPushedCommits(const SecretScanner& scanner, const std::string& repo_path,
                                 const std::vector<RefUpdate>& updates, bool pre_push,
                                 bool from_env, unsigned threads) {
  const double t0 = MonotonicSeconds();
  auto repo = OpenRepo(repo_path, from_env);
  if (!repo.ok()) return repo.error();
  Report report;
  report.command = "secrets";
  report.root = repo_path;
  Revwalk walk;
  if (git_revwalk_new(walk.out(), repo->get()) != 0)
    return MakeError(ErrorCode::kIo, LastGitError(), repo_path);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
  bool any = false;
  for (const auto& u : updates) {
    if (IsZeroId(u.new_id)) continue;  // deletion
    git_oid oid;
    if (git_oid_fromstr(&oid, u.new_id.c_str()) != 0 || git_revwalk_push(walk.get(), &oid) != 0)
      return MakeError(
          ErrorCode::kNotFound,
          "pushed commit " + u.new_id + " for " + u.ref + " cannot be read: " + LastGitError(),
          repo_path);
    any = true;
    if (pre_push && !IsZeroId(u.old_id) && git_oid_fromstr(&oid, u.old_id.c_str()) == 0)
      git_revwalk_hide(walk.get(), &oid);  // may be unknown locally: then nothing to hide
  }
  if (any) {
    // What the repository already has is not new: every existing ref (the
    // server's refs are not updated until pre-receive accepts), or for
    // pre-push every remote-tracking ref.
    git_revwalk_hide_glob(walk.get(), pre_push ? "refs/remotes/*" : "*");
  }
  std::vector<git_oid> commits;
  git_oid oid;
  while (any) {
    int rc = git_revwalk_next(&oid, walk.get());
    if (rc == GIT_ITEROVER) break;
    if (rc != 0)
      return MakeError(ErrorCode::kIo, "cannot walk pushed commits: " + LastGitError(), repo_path);
    commits.push_back(oid);
  }
  ScanCommits(scanner, repo_path, from_env, commits, threads, &report);
  report.stats.seconds = MonotonicSeconds() - t0;
  report.diagnostics.push_back({DiagnosticKind::kNote, "", 0, 0,
                                "scanned " + std::to_string(commits.size()) + " new commits"});
  return report;
}

}  // namespace gatehouse

namespace gatehouse {

Result<std::string> HooksDir(const std::string& repo_path) {
  auto repo = OpenRepo(repo_path, false);
  if (!repo.ok()) return repo.error();
  GitPtr<git_config, git_config_free> cfg;
  if (git_repository_config_snapshot(cfg.out(), repo->get()) == 0) {
    const char* value = nullptr;
    if (git_config_get_string(&value, cfg.get(), "core.hooksPath") == 0 && value && *value) {
      std::string p = value;
      if (p.front() == '~') {
        const char* home = std::getenv("HOME");
        p = std::string(home ? home : "") + p.substr(1);
      } else if (p.front() != '/') {
        const char* wd = git_repository_workdir(repo->get());
        p = std::string(wd ? wd : git_repository_path(repo->get())) + p;
      }
      return p;
    }
  }
  return std::string(git_repository_path(repo->get())) + "hooks";
}

std::vector<std::string> GitConfigValues(const std::string& repo_path, const std::string& key,
                                         bool from_env) {
  std::vector<std::string> out;
  auto repo = OpenRepo(repo_path, from_env);
  if (!repo.ok()) return out;
  GitPtr<git_config, git_config_free> cfg;
  if (git_repository_config_snapshot(cfg.out(), repo->get()) != 0) return out;
  git_config_get_multivar_foreach(
      cfg.get(), key.c_str(), nullptr,
      [](const git_config_entry* e, void* p) {
        static_cast<std::vector<std::string>*>(p)->push_back(e->value);
        return 0;
      },
      &out);
  return out;
}

Result<std::string> WorkTree(const std::string& path) {
  auto repo = OpenRepo(path, false);
  if (!repo.ok()) return repo.error();
  const char* wd = git_repository_workdir(repo->get());
  return std::string(wd ? wd : "");
}

}  // namespace gatehouse

namespace gatehouse {

std::vector<std::string> TrackedFiles(const std::string& dir) {
  std::vector<std::string> out;
  InitLibgit2();
  Repo repo;
  if (git_repository_open_ext(repo.out(), dir.c_str(), 0, nullptr) != 0) return out;
  const char* wd = git_repository_workdir(repo.get());
  if (!wd) return out;
  std::error_code ec;
  auto root = std::filesystem::weakly_canonical(dir, ec);
  auto work = std::filesystem::weakly_canonical(wd, ec);
  std::string prefix = std::filesystem::relative(root, work, ec).generic_string();
  if (ec || prefix.starts_with("..")) return out;
  if (prefix == ".") prefix.clear();
  if (!prefix.empty()) prefix += "/";
  Index index;
  if (git_repository_index(index.out(), repo.get()) != 0) return out;
  size_t n = git_index_entrycount(index.get());
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(index.get(), i);
    if (!e || !e->path || e->mode == GIT_FILEMODE_COMMIT || e->mode == GIT_FILEMODE_LINK) continue;
    std::string_view p(e->path);
    if (!p.starts_with(prefix)) continue;
    out.emplace_back(p.substr(prefix.size()));
  }
  return out;
}

}  // namespace gatehouse
