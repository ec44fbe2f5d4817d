// Finding and parsing CI files: path classification, YAML parsing with
// positions (yaml-cpp marks are 0-based; we report 1-based), shape checks
// that tell a workflow from any other YAML, node helpers, `uses:` parsing and
// the cross-file index (reusable workflow and local action declarations).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "ci/model.h"
#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/walk.h"

namespace gatehouse::ci {

std::string Lower(std::string_view s) { return AsciiLower(s); }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

void SourceFile::IndexLines() {
  line_starts.clear();
  line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(static_cast<uint32_t>(i + 1));
}

Pos SourceFile::OffsetPos(size_t offset) const {
  if (line_starts.empty()) return {1, static_cast<int>(offset) + 1};
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts.begin());  // 1-based
  return {static_cast<int>(line), static_cast<int>(offset - line_starts[line - 1]) + 1};
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts.size()) return {};
  size_t b = line_starts[static_cast<size_t>(line - 1)];
  size_t e = text.find('\n', b);
  if (e == std::string::npos) e = text.size();
  if (e > b && text[e - 1] == '\r') --e;
  return std::string_view(text).substr(b, e - b);
}

FileKind ClassifyPath(std::string_view path, bool workflows_root) {
  std::string lower = Lower(path);
  if (!lower.ends_with(".yml") && !lower.ends_with(".yaml")) return FileKind::kOther;
  size_t slash = lower.rfind('/');
  std::string_view base =
      std::string_view(lower).substr(slash == std::string::npos ? 0 : slash + 1);
  std::string_view dir =
      slash == std::string::npos ? std::string_view() : std::string_view(lower).substr(0, slash);
  if (workflows_root && slash == std::string::npos) return FileKind::kWorkflow;
  if (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) return FileKind::kWorkflow;
  if (base == "action.yml" || base == "action.yaml") return FileKind::kAction;
  if ((base == "dependabot.yml" || base == "dependabot.yaml") &&
      (dir == ".github" || dir.ends_with("/.github")))
    return FileKind::kDependabot;
  return FileKind::kOther;
}

Result<TreeRead> ReadCiTree(const std::string& root, const std::vector<std::string>& include,
                            const std::vector<std::string>& exclude, bool gitignore,
                            uint64_t max_file_size, unsigned threads) {
  WalkOptions wo;
  wo.root = root;
  wo.include = include.empty() ? std::vector<std::string>{"*.yml", "*.yaml"} : include;
  wo.exclude = exclude;
  wo.respect_gitignore = gitignore;
  wo.max_file_size = max_file_size;
  wo.threads = threads;
  auto walked = Walk(wo);
  if (!walked.ok()) return walked.error();

  std::string norm = root;
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  const bool workflows_root = norm.ends_with(".github/workflows");
  std::error_code ec;
  const bool single_file = !std::filesystem::is_directory(root, ec);

  TreeRead out;
  out.diagnostics = std::move(walked->diagnostics);
  out.ignored = walked->ignored;
  out.skipped_size = walked->skipped_size;
  std::vector<const WalkEntry*> chosen;
  std::vector<FileKind> kinds;
  for (const WalkEntry& e : walked->files) {
    FileKind k = ClassifyPath(e.path, workflows_root);
    if (k == FileKind::kOther && !single_file) {
      if (Lower(e.path).find(".github/workflows/") != std::string::npos)
        out.diagnostics.push_back(Diagnostic{DiagnosticKind::kNote, e.path, 0, 0,
                                             "ignored: GitHub only runs workflows directly in "
                                             ".github/workflows, not in subdirectories"});
      continue;
    }
    chosen.push_back(&e);
    kinds.push_back(k);
  }
  std::vector<PendingFile> pending(chosen.size());
  std::vector<std::optional<Diagnostic>> unreadable(chosen.size());
  ParallelFor(chosen.size(), threads, [&](size_t i) {
    auto content = ReadFileToString(chosen[i]->abs_path);
    if (!content.ok()) {
      unreadable[i] =
          Diagnostic{DiagnosticKind::kUnreadable, chosen[i]->path, 0, 0, content.error().message};
      return;
    }
    pending[i] = PendingFile{chosen[i]->path, std::move(content).value(), kinds[i]};
  });
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (unreadable[i]) {
      out.diagnostics.push_back(std::move(*unreadable[i]));
      ++out.unreadable;
      continue;
    }
    out.files.push_back(std::move(pending[i]));
  }
  return out;
}

Pos NodePos(const Node& n) {
  if (!n.IsDefined()) return {};
  const YamlMark m = n.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

KeyValue Get(const Node& map, std::string_view key) {
  if (!map.IsDefined() || !map.IsMap()) return {};
  for (const auto& it : map) {
    const Node& k = it.first;
    if (k.IsScalar() && k.Scalar() == key) return {k, it.second, true};
  }
  return {};
}

Node Val(const Node& map, std::string_view key) { return Get(map, key).value; }

std::string Str(const Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return "";
  return n.Scalar();
}
namespace {
void Flatten(const Node& n, std::string* out, int depth) {
  if (!n.IsDefined() || depth > 100) return;
  if (n.IsScalar()) {
    *out += AsciiLower(n.Scalar());
    *out += ' ';
  } else if (n.IsMap()) {
    for (const auto& it : n) {
      Flatten(it.first, out, depth + 1);
      Flatten(it.second, out, depth + 1);
    }
  } else if (n.IsSequence()) {
    for (const auto& e : n) Flatten(e, out, depth + 1);
  }
}
}  // namespace

std::string FlatText(const Node& n) {
  std::string out;
  Flatten(n, &out, 0);
  return out;
}

bool IsScalar(const Node& n) { return n.IsDefined() && n.IsScalar(); }
bool IsMap(const Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsSeq(const Node& n) { return n.IsDefined() && n.IsSequence(); }

bool IsTrue(const Node& n) {
  if (!IsScalar(n)) return false;
  std::string s = Lower(n.Scalar());
  return s == "true" || (n.Tag() == "?" && (s == "yes" || s == "on"));
}

Pos ScalarOffsetPos(const SourceFile& f, const Node& n, std::string_view value, size_t offset,
                    std::string_view needle) {
  Pos fallback = NodePos(n);
  // Block scalars lose their indentation: never match across a line break.
  size_t nl = needle.find_first_of("\r\n");
  if (nl != std::string_view::npos) needle = needle.substr(0, nl);
  if (!n.IsDefined() || needle.empty() || offset > value.size()) return fallback;
  size_t k = 0;
  for (size_t p = value.find(needle); p != std::string_view::npos && p < offset;
       p = value.find(needle, p + 1))
    ++k;
  const YamlMark m = n.Mark();
  if (m.pos < 0) return fallback;
  size_t limit = std::min(f.text.size(), static_cast<size_t>(m.pos) + 2 * value.size() + 4096);
  std::string_view src = std::string_view(f.text).substr(0, limit);
  size_t p = src.find(needle, static_cast<size_t>(m.pos));
  for (size_t i = 0; i < k && p != std::string_view::npos; ++i) p = src.find(needle, p + 1);
  if (p == std::string_view::npos) return fallback;
  return f.OffsetPos(p);
}

int TokenEndColumn(const SourceFile& f, Pos p) {
  std::string_view line = f.Line(p.line);
  size_t b = static_cast<size_t>(std::max(1, p.column) - 1);
  if (b >= line.size()) return p.column + 1;
  size_t e = line.size();
  if (line[b] == '"' || line[b] == '\'') {
    size_t q = b + 1;
    while (q < line.size()) {
      if (line[q] == '\\' && line[b] == '"') {
        q += 2;
        continue;
      }
      if (line[q] == line[b]) {
        if (line[b] == '\'' && q + 1 < line.size() && line[q + 1] == '\'') {
          q += 2;
          continue;
        }
        break;
      }
      ++q;
    }
    e = std::min(line.size(), q + 1);
  } else {
    size_t hash = line.find(" #", b);
    if (hash != std::string_view::npos) e = hash;
    // A key ends at its colon.
    size_t colon = line.find(": ", b);
    if (colon != std::string_view::npos && colon < e) e = colon;
    if (line.substr(b).find(':') == line.size() - b - 1 && line.back() == ':') e = line.size() - 1;
    while (e > b + 1 && (line[e - 1] == ' ' || line[e - 1] == '\t')) --e;
  }
  return static_cast<int>(e) + 1;
}

namespace {

bool HasKey(const Node& root, std::string_view key) { return static_cast<bool>(Get(root, key)); }

bool LooksLikeWorkflow(const Node& root) { return HasKey(root, "jobs") || HasKey(root, "on"); }
bool LooksLikeAction(const Node& root) { return HasKey(root, "runs"); }
bool LooksLikeDependabot(const Node& root) {
  return HasKey(root, "updates") && HasKey(root, "version");
}

std::string_view KindName(FileKind k) {
  switch (k) {
    case FileKind::kWorkflow:
      return "workflow";
    case FileKind::kAction:
      return "action";
    case FileKind::kDependabot:
      return "Dependabot configuration";
    default:
      return "CI file";
  }
}

void ParseOne(SourceFile& f, std::vector<Diagnostic>* notes) {
  f.IndexLines();
  YamlParse parsed = ParseYaml(f.text);
  if (!parsed.doc) {
    f.syntax_error = true;
    f.error = parsed.error;
    f.error_pos = {parsed.error_mark.line >= 0 ? parsed.error_mark.line + 1 : 0,
                   parsed.error_mark.column >= 0 ? parsed.error_mark.column + 1 : 0};
    if (f.kind == FileKind::kOther) f.kind = FileKind::kWorkflow;  // named as one by the caller
    return;
  }
  f.doc = std::move(parsed.doc);
  f.root = parsed.root;
  const FileKind hint = f.kind;
  auto note = [&](std::string msg) {
    notes->push_back(Diagnostic{DiagnosticKind::kNote, f.path, 0, 0, std::move(msg)});
  };
  if (!f.root.IsDefined() || f.root.IsNull()) {
    note("empty " + std::string(KindName(hint)) + " file: ignored");
    return;
  }
  if (!f.root.IsMap()) {
    note("not a " + std::string(KindName(hint)) + " (the document is not a mapping): ignored");
    return;
  }
  switch (hint) {
    case FileKind::kWorkflow:
      if (LooksLikeWorkflow(f.root)) {
        f.ok = true;
      } else {
        note("not a GitHub Actions workflow (no 'on' or 'jobs' key): ignored");
      }
      return;
    case FileKind::kAction:
      if (LooksLikeAction(f.root) || HasKey(f.root, "inputs") || HasKey(f.root, "branding")) {
        f.ok = true;
      } else {
        note("not a GitHub Actions action metadata file (no 'runs' key): ignored");
      }
      return;
    case FileKind::kDependabot:
      if (HasKey(f.root, "updates") || HasKey(f.root, "version")) {
        f.ok = true;
      } else {
        note("not a Dependabot configuration (no 'version' or 'updates' key): ignored");
      }
      return;
    case FileKind::kOther:
      if (LooksLikeWorkflow(f.root)) {
        f.kind = FileKind::kWorkflow;
      } else if (LooksLikeAction(f.root)) {
        f.kind = FileKind::kAction;
      } else if (LooksLikeDependabot(f.root)) {
        f.kind = FileKind::kDependabot;
      } else {
        note("not a GitHub Actions workflow, action or Dependabot configuration: ignored");
        return;
      }
      f.ok = true;
      return;
  }
}

}  // namespace

std::vector<SourceFile> ParseFiles(std::vector<PendingFile> pending, unsigned threads,
                                   std::vector<Diagnostic>* diagnostics) {
  std::vector<SourceFile> files(pending.size());
  std::vector<std::vector<Diagnostic>> notes(pending.size());
  ParallelFor(pending.size(), threads, [&](size_t i) {
    SourceFile& f = files[i];
    f.path = std::move(pending[i].path);
    f.text = std::move(pending[i].content);
    f.kind = pending[i].hint;
    ParseOne(f, &notes[i]);
  });
  for (auto& v : notes)
    for (auto& d : v) diagnostics->push_back(std::move(d));
  return files;
}

// ---- uses: -------------------------------------------------------------------

bool IsFullSha(std::string_view ref) {
  if (ref.size() != 40) return false;
  for (char c : ref)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

UsesRef ParseUses(std::string_view uses) {
  UsesRef r;
  std::string u = Trim(uses);
  if (StartsWith(u, "./")) {
    r.kind = UsesRef::kLocal;
    r.local = u;
    while (r.local.size() > 2 && r.local.back() == '/') r.local.pop_back();
    return r;
  }
  if (StartsWith(u, "docker://")) {
    r.image = u.substr(9);
    r.kind = r.image.empty() ? UsesRef::kInvalid : UsesRef::kDocker;
    return r;
  }
  size_t at = u.find('@');
  if (at == std::string::npos || at + 1 >= u.size()) return r;
  std::string name = u.substr(0, at);
  r.ref = u.substr(at + 1);
  size_t s1 = name.find('/');
  if (s1 == std::string::npos || s1 == 0 || s1 + 1 >= name.size()) return r;
  r.owner = name.substr(0, s1);
  size_t s2 = name.find('/', s1 + 1);
  r.repo = name.substr(s1 + 1, s2 == std::string::npos ? std::string::npos : s2 - s1 - 1);
  if (s2 != std::string::npos) r.path = name.substr(s2 + 1);
  if (r.repo.empty() || r.ref.find_first_of(" \t") != std::string::npos) return r;
  r.kind = UsesRef::kRemote;
  return r;
}

std::string UsesRef::NameWithoutRef() const {
  switch (kind) {
    case kLocal:
      return local;
    case kDocker: {
      std::string img = image;
      size_t at = img.find('@');
      if (at != std::string::npos) img.resize(at);
      size_t colon = img.rfind(':');
      if (colon != std::string::npos && img.find('/', colon) == std::string::npos)
        img.resize(colon);
      return "docker://" + img;
    }
    case kRemote:
      return Lower(owner + "/" + repo + (path.empty() ? "" : "/" + path));
    default:
      return "";
  }
}

// ---- index ---------------------------------------------------------------------

namespace {

// `on` in its three shapes: "push", [push, pull_request], {push: {...}}.
bool HasEvent(const Node& on, std::string_view event, Node* config) {
  if (IsScalar(on)) return on.Scalar() == event;
  if (IsSeq(on)) {
    for (const auto& e : on)
      if (Str(e) == event) return true;
    return false;
  }
  if (IsMap(on)) {
    KeyValue kv = Get(on, event);
    if (kv && config) *config = kv.value;
    return static_cast<bool>(kv);
  }
  return false;
}

}  // namespace

RepoIndex BuildIndex(const std::vector<SourceFile>& files) {
  RepoIndex idx;
  for (const SourceFile& f : files) {
    if (f.kind == FileKind::kWorkflow && StartsWith(f.path, ".github/workflows/"))
      idx.has_workflows_dir = true;
    if (!f.ok) continue;
    if (f.kind == FileKind::kWorkflow) {
      CallableDecl d;
      Node cfg;
      d.callable = HasEvent(Val(f.root, "on"), "workflow_call", &cfg);
      if (IsMap(cfg)) {
        Node inputs = Val(cfg, "inputs");
        if (IsMap(inputs)) {
          for (const auto& it : inputs) {
            InputDecl in;
            in.required = IsTrue(Val(it.second, "required"));
            in.has_default = static_cast<bool>(Get(it.second, "default"));
            in.type = Str(Val(it.second, "type"));
            d.inputs[Str(it.first)] = in;
          }
        }
        Node secrets = Val(cfg, "secrets");
        if (IsMap(secrets))
          for (const auto& it : secrets)
            d.secrets[Str(it.first)] = IsTrue(Val(it.second, "required"));
        Node outputs = Val(cfg, "outputs");
        if (IsMap(outputs))
          for (const auto& it : outputs) d.outputs.insert(Str(it.first));
      }
      idx.callables["./" + f.path] = std::move(d);
    } else if (f.kind == FileKind::kAction) {
      CallableDecl d;
      d.is_action = true;
      Node inputs = Val(f.root, "inputs");
      if (IsMap(inputs)) {
        for (const auto& it : inputs) {
          InputDecl in;
          in.required = IsTrue(Val(it.second, "required"));
          in.has_default = static_cast<bool>(Get(it.second, "default"));
          d.inputs[Str(it.first)] = in;
        }
      }
      Node outputs = Val(f.root, "outputs");
      if (IsMap(outputs))
        for (const auto& it : outputs) d.outputs.insert(Str(it.first));
      size_t slash = f.path.rfind('/');
      std::string dir = slash == std::string::npos ? "./" : "./" + f.path.substr(0, slash);
      idx.callables[dir] = std::move(d);
    } else if (f.kind == FileKind::kDependabot) {
      idx.has_dependabot = true;
      Node updates = Val(f.root, "updates");
      if (IsSeq(updates))
        for (const auto& u : updates)
          if (Str(Val(u, "package-ecosystem")) == "github-actions")
            idx.dependabot_covers_actions = true;
    }
  }
  return idx;
}

}  // namespace gatehouse::ci
