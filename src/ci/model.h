// Internal to src/ci: the parsed form of the files the CI analyzer reads and
// the helpers every CI translation unit shares (node positions, safe map
// access, the repository index used for cross-file checks). Documents are
// parsed by ci/yaml.h (a fast parser with yaml-cpp as fallback and oracle);
// Get() returns the key node too, so findings can point at a key rather
// than its value.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ci/yaml.h"
#include "gatehouse/ci.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse::ci {

enum class FileKind { kWorkflow, kAction, kDependabot, kOther };

struct Pos {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

struct SourceFile {
  std::string path;  // repo-relative, as reported
  std::string text;
  FileKind kind = FileKind::kOther;
  std::unique_ptr<Doc> doc;  // owns the nodes; freed once the file is analyzed
  Node root;                 // a mapping when ok
  bool ok = false;           // parsed, and the document has the shape of `kind`
  bool syntax_error = false;
  std::string error;  // YAML syntax error message
  Pos error_pos;
  std::vector<uint32_t> line_starts;

  void IndexLines();
  Pos OffsetPos(size_t offset) const;
  std::string_view Line(int line) const;  // 1-based, without the newline
};

// Reads `abs_path` files and parses them; in-memory content when `content`
// is given. Classification: see ClassifyPath.
struct PendingFile {
  std::string path;
  std::string content;
  FileKind hint = FileKind::kOther;  // from the path; kOther = decide by content
};

// Walks `root` and reads the CI files in it (see ClassifyPath); a single
// file root is read whatever its name (kOther: decided by content).
struct TreeRead {
  std::vector<PendingFile> files;
  std::vector<Diagnostic> diagnostics;
  uint64_t unreadable = 0, ignored = 0, skipped_size = 0;
};
Result<TreeRead> ReadCiTree(const std::string& root, const std::vector<std::string>& include,
                            const std::vector<std::string>& exclude, bool gitignore,
                            uint64_t max_file_size, unsigned threads);

// Which CI file a repo-relative path is, by name alone (kOther if none).
// `workflows_root`: the walk root itself is a .github/workflows directory.
FileKind ClassifyPath(std::string_view path, bool workflows_root);

// Parses every file (in parallel). Syntax errors are recorded in the file
// (the rules turn them into findings); files that are not what their name
// says (or, for kOther hints, not a CI file at all) get a note diagnostic and
// ok = false.
std::vector<SourceFile> ParseFiles(std::vector<PendingFile> pending, unsigned threads,
                                   std::vector<Diagnostic>* diagnostics);

// ---- node helpers ----------------------------------------------------------

Pos NodePos(const Node& n);
// Key and value of `key` in mapping `map` (first occurrence); both invalid
// (IsDefined() false) when absent or when `map` is not a mapping.
struct KeyValue {
  Node key;
  Node value;
  bool found = false;
  explicit operator bool() const { return found; }
};
KeyValue Get(const Node& map, std::string_view key);
Node Val(const Node& map, std::string_view key);
// Scalar text or "" (for null, sequences and maps).
std::string Str(const Node& n);
bool IsScalar(const Node& n);
bool IsMap(const Node& n);
bool IsSeq(const Node& n);
// True for YAML booleans spelled true/True/TRUE (and yes/on, as GitHub's
// parser accepts YAML 1.1 booleans for boolean fields).
bool IsTrue(const Node& n);

// Position, in the source file, of byte `offset` of the scalar `value` of
// node `n`: `needle` (a substring of the value starting at `offset`) is
// located as the same occurrence in the source after the node's mark. Falls
// back to the node's own position when the source text differs (escapes).
Pos ScalarOffsetPos(const SourceFile& f, const Node& n, std::string_view value, size_t offset,
                    std::string_view needle);

// End of the token at `p` on its line (for Location.end_column).
int TokenEndColumn(const SourceFile& f, Pos p);

// ---- repository index (cross-file facts, plain data) -----------------------

struct InputDecl {
  bool required = false;
  bool has_default = false;
  std::string type;  // string, boolean, number, choice, environment
};

struct CallableDecl {
  bool is_action = false;
  bool callable = true;  // workflows: has `on: workflow_call`
  std::map<std::string, InputDecl> inputs;
  std::map<std::string, bool> secrets;  // name -> required
  std::set<std::string> outputs;
};

struct RepoIndex {
  bool has_workflows_dir = false;  // the root holds .github/workflows (local uses resolvable)
  // "./.github/workflows/x.yml" and "./path/to/action" -> declaration.
  std::map<std::string, CallableDecl> callables;
  bool has_dependabot = false;
  bool dependabot_covers_actions = false;
};

RepoIndex BuildIndex(const std::vector<SourceFile>& files);

// Scalars under `n` (keys and values) joined by spaces, lower-cased: for
// cheap "does this block mention X" tests without emitting YAML.
std::string FlatText(const Node& n);

// Lower-case ASCII.
std::string Lower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view p);
std::string Trim(std::string_view s);

// `owner/repo[/path]@ref`, `./local`, `docker://image`.
struct UsesRef {
  enum Kind { kInvalid, kLocal, kDocker, kRemote } kind = kInvalid;
  std::string owner, repo, path, ref;  // remote
  std::string image;                   // docker
  std::string local;                   // local: "./x"
  std::string NameWithoutRef() const;  // "owner/repo/path", "./x", "docker://image"
};
UsesRef ParseUses(std::string_view uses);
bool IsFullSha(std::string_view ref);

// Security scanners recognised in steps (for the gating rules and metrics).
struct ScannerMatch {
  std::string name;  // "trivy", "gitleaks", ...
  bool by_action = false;
};

}  // namespace gatehouse::ci
