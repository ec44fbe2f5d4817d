// Consolidation: near-duplicate jobs across workflows → reusable workflows.
//
// 1. Signatures. Every job becomes a sequence of step tokens: `uses` without
//    its version plus the sorted `with:` keys, or the `run:` script after
//    NormalizeRun (whitespace, comments, paths, variables, `${{ }}`, numbers
//    and quoted strings folded). Two jobs that differ only in versions,
//    inputs, paths or service names have equal tokens.
// 2. Similarity. Dice coefficient over the longest common subsequence of the
//    token sequences: 2·LCS(a,b) / (|a|+|b|). Order matters (a job that builds
//    then tests is not one that tests then builds) and an extra step costs
//    little. Identical signatures are merged first (most sprawl is copy and
//    paste). Candidate pairs come from prefix filtering: with tokens ordered
//    rarest-first, two signatures with Dice ≥ t (and |a| ≤ |b|) must share one
//    of a's first |a| - ⌈t·|a|⌉ + 1 tokens, so only those posting lists are
//    probed; a length filter (2·min/(|a|+|b|) ≥ t) drops the rest.
// 3. Clusters. Star clustering: repeatedly take the signature with the most
//    (job-weighted) unassigned neighbours above the threshold and make it a
//    cluster with them. Every member is within the threshold of the centre,
//    which becomes the template, so clusters do not chain.
// 4. Plan and write. Members are aligned to the template (LCS again); steps
//    missing from some members become optional steps behind a boolean input.
//    Values are merged leaf by leaf: equal values stay literal in the reusable
//    workflow, differing ones become inputs (typed), `${{ secrets.X }}`
//    becomes a declared secret, and expressions that only the caller can
//    evaluate (matrix, needs, inputs, strategy) are lifted into inputs the
//    caller passes. A member whose differences cannot be expressed that way
//    (different env keys, a value mixing step outputs with matrix values,
//    shells) is reported as not rewritable, with the reason, and left alone.
//    Callers are rewritten in place: only the job's lines change.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <unordered_map>

#include <yaml-cpp/yaml.h>

#include "ci/model.h"
#include "ci/scripts.h"
#include "gatehouse/base.h"
#include "gatehouse/ci_consolidate.h"
#include "gatehouse/ci_expr.h"

namespace gatehouse {
namespace ci {
namespace {

// ---- YAML writing ------------------------------------------------------------------------
//
// A small block-style emitter: deterministic key order, literal blocks for
// multi-line strings, plain scalars only when unambiguous, single quotes
// otherwise. yaml-cpp's emitter would double-quote every script.

struct YOut {
  enum Kind { kScalar, kMap, kSeq } kind = kScalar;
  std::string scalar;
  bool plain = true;  // may be written plain (it was plain in the source, or we know it is safe)
  bool null = false;
  std::string comment;  // written after a single-line scalar ("# v4.2.2")
  // A mapping's keys and values (parallel: a vector of pairs would need
  // YOut complete here).
  std::vector<std::string> keys;
  std::vector<YOut> vals;
  std::vector<YOut> seq;

  static YOut S(std::string s, bool plain = true) {
    YOut y;
    y.scalar = std::move(s);
    y.plain = plain;
    return y;
  }
  static YOut Map() {
    YOut y;
    y.kind = kMap;
    return y;
  }
  static YOut Seq() {
    YOut y;
    y.kind = kSeq;
    return y;
  }
  YOut& Add(std::string key, YOut v) {
    keys.push_back(std::move(key));
    vals.push_back(std::move(v));
    return vals.back();
  }
};

YOut FromNode(const Node& n, int depth = 0) {
  if (!n.IsDefined() || n.IsNull() || depth > 100) {
    YOut y;
    y.null = true;
    return y;
  }
  if (n.IsScalar()) return YOut::S(n.Scalar(), n.Tag() == "?");
  if (n.IsSequence()) {
    YOut y = YOut::Seq();
    for (const auto& e : n) y.seq.push_back(FromNode(e, depth + 1));
    return y;
  }
  YOut y = YOut::Map();
  for (const auto& kv : n) y.Add(Str(kv.first), FromNode(kv.second, depth + 1));
  return y;
}

// A node as text without positions (for "are these values equal").
std::string Canon(const Node& n, int depth = 0) {
  if (depth > 100 || !n.IsDefined() || n.IsNull()) return "~";
  if (n.IsScalar()) return std::string(n.Tag()) + "'" + n.Scalar() + "'";
  std::string out = n.IsMap() ? "{" : "[";
  for (const auto& e : n)
    out += n.IsMap() ? Canon(e.first, depth + 1) + ":" + Canon(e.second, depth + 1) + ","
                     : Canon(e, depth + 1) + ",";
  return out + (n.IsMap() ? "}" : "]");
}

bool LooksNonString(std::string_view s) {
  std::string l = Lower(s);
  if (l == "true" || l == "false" || l == "yes" || l == "no" || l == "on" || l == "off" ||
      l == "null" || l == "~" || l.empty())
    return true;
  size_t i = (l[0] == '-' || l[0] == '+') ? 1 : 0;
  bool digit = false;
  for (; i < l.size(); ++i) {
    char c = l[i];
    if (std::isdigit(static_cast<unsigned char>(c)))
      digit = true;
    else if (c != '.' && c != 'e' && c != '_' && c != 'x' && !(c >= 'a' && c <= 'f'))
      return false;
  }
  return digit;
}

bool PlainSafe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos)
    return false;
  return true;
}

void EmitScalar(const YOut& v, int indent, std::string* out) {
  const std::string& s = v.scalar;
  bool ctrl = false;
  for (char c : s)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) ctrl = true;
  if (s.find('\n') != std::string::npos && !ctrl) {
    size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
    *out += '|';
    if (!s.empty() && (s[0] == ' ' || s[0] == '\n')) *out += '2';
    *out += trailing == 0 ? "-" : trailing == 1 ? "" : "+";
    *out += '\n';
    std::string_view body(s);
    body.remove_suffix(trailing);
    size_t b = 0;
    while (b <= body.size()) {
      size_t e = body.find('\n', b);
      if (e == std::string_view::npos) e = body.size();
      std::string_view line = body.substr(b, e - b);
      if (!line.empty()) *out += std::string(static_cast<size_t>(indent), ' ') + std::string(line);
      *out += '\n';
      if (e == body.size()) break;
      b = e + 1;
    }
    for (size_t i = 1; i < trailing; ++i) *out += '\n';
    return;
  }
  const std::string comment = v.comment.empty() ? "" : " # " + v.comment;
  if (v.plain && PlainSafe(s) && s.find('\t') == std::string::npos) {
    *out += s + comment + "\n";
    return;
  }
  if (!ctrl && s.find('\n') == std::string::npos && s.find('\t') == std::string::npos) {
    *out += '\'';
    for (char c : s) {
      if (c == '\'') *out += '\'';
      *out += c;
    }
    *out += "'" + comment + "\n";
    return;
  }
  *out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          *out += buf;
        } else {
          *out += c;
        }
    }
  }
  *out += "\"\n";
}

void EmitMap(const YOut& m, int indent, std::string* out, bool first_inline = false);
void EmitSeq(const YOut& s, int indent, std::string* out);

void EmitAfterKey(const YOut& v, int indent, std::string* out) {
  switch (v.kind) {
    case YOut::kScalar:
      if (v.null) {
        *out += '\n';
        return;
      }
      *out += ' ';
      EmitScalar(v, indent + 2, out);
      return;
    case YOut::kMap:
      if (v.keys.empty()) {
        *out += " {}\n";
        return;
      }
      *out += '\n';
      EmitMap(v, indent + 2, out);
      return;
    case YOut::kSeq:
      if (v.seq.empty()) {
        *out += " []\n";
        return;
      }
      *out += '\n';
      EmitSeq(v, indent + 2, out);
      return;
  }
}

std::string KeyText(const std::string& k) {
  YOut y = YOut::S(k, !LooksNonString(k) || k == "on");
  std::string s;
  EmitScalar(y, 0, &s);
  s.pop_back();
  return s;
}

void EmitMap(const YOut& m, int indent, std::string* out, bool first_inline) {
  for (size_t i = 0; i < m.keys.size(); ++i) {
    if (!(first_inline && i == 0)) *out += std::string(static_cast<size_t>(indent), ' ');
    *out += KeyText(m.keys[i]) + ":";
    EmitAfterKey(m.vals[i], indent, out);
  }
}

void EmitSeq(const YOut& s, int indent, std::string* out) {
  for (const YOut& item : s.seq) {
    *out += std::string(static_cast<size_t>(indent), ' ') + "-";
    switch (item.kind) {
      case YOut::kScalar:
        if (item.null) {
          *out += '\n';
        } else {
          *out += ' ';
          EmitScalar(item, indent + 2, out);
        }
        break;
      case YOut::kMap:
        if (item.keys.empty()) {
          *out += " {}\n";
        } else {
          *out += ' ';
          EmitMap(item, indent + 2, out, true);
        }
        break;
      case YOut::kSeq:
        if (item.seq.empty()) {
          *out += " []\n";
        } else {
          *out += '\n';
          EmitSeq(item, indent + 2, out);
        }
        break;
    }
  }
}

std::string EmitDocument(const YOut& m) {
  std::string out;
  EmitMap(m, 0, &out);
  return out;
}

// ---- signatures ----------------------------------------------------------------------------

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

struct StepRec {
  Node node;
  uint64_t hash = 0;
  std::string display;
  int line = 0, end_line = 0;
};

struct JobRec {
  size_t file = 0;
  std::string id;
  std::string name;
  Node key, node;
  std::vector<StepRec> steps;
  std::vector<uint64_t> sig;
  int line = 0, end_line = 0, indent = 0;
  bool flow = false;
  int Lines() const { return end_line - line + 1; }
};

std::string StepToken(const Node& st, std::string* display) {
  std::string uses = Str(Val(st, "uses"));
  if (!uses.empty()) {
    UsesRef r = ParseUses(uses);
    std::string name = r.kind == UsesRef::kInvalid ? uses : r.NameWithoutRef();
    std::vector<std::string> keys;
    Node with = Val(st, "with");
    if (IsMap(with))
      for (const auto& kv : with) keys.push_back(Str(kv.first));
    std::sort(keys.begin(), keys.end());
    std::string k;
    for (const auto& x : keys) k += (k.empty() ? "" : ", ") + x;
    *display = name + (k.empty() ? "" : " (with: " + k + ")");
    return "uses " + name + " [" + k + "]";
  }
  Node run = Val(st, "run");
  if (IsScalar(run)) {
    std::vector<ScriptLine> lines = LogicalLines(run.Scalar());
    std::string first = lines.empty() ? "" : Trim(lines.front().text);
    if (first.size() > 60) first = first.substr(0, 57) + "...";
    *display = "run: " + first +
               (lines.size() > 1 ? " (+" + std::to_string(lines.size() - 1) + " lines)" : "");
    std::string shell = Str(Val(st, "shell"));
    return "run " + NormalizeRun(run.Scalar()) + (shell.empty() ? "" : " shell=" + shell);
  }
  *display = "(other)";
  return "other";
}

std::vector<JobRec> CollectJobs(const std::vector<SourceFile>& files, size_t min_steps) {
  std::vector<JobRec> out;
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const SourceFile& f = files[fi];
    if (!f.ok || f.kind != FileKind::kWorkflow) continue;
    KeyValue jobs = Get(f.root, "jobs");
    if (!jobs || !IsMap(jobs.value)) continue;
    const int total_lines = static_cast<int>(f.line_starts.size());
    int jobs_end = total_lines;
    bool after = false;
    for (const auto& kv : f.root) {
      if (after && kv.first.Mark().line > jobs.key.Mark().line) {
        jobs_end = kv.first.Mark().line;  // 0-based line of next key = 1-based line before it
        break;
      }
      if (Str(kv.first) == "jobs") after = true;
    }
    std::vector<std::pair<Node, Node>> entries;
    for (const auto& kv : jobs.value) entries.push_back({kv.first, kv.second});
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& [key, node] = entries[i];
      if (!IsMap(node) || Get(node, "uses")) continue;
      Node steps = Val(node, "steps");
      if (!IsSeq(steps) || steps.size() < min_steps) continue;
      JobRec j;
      j.file = fi;
      j.id = Str(key);
      j.name = Str(Val(node, "name"));
      j.key = key;
      j.node = node;
      j.line = NodePos(key).line;
      j.indent = key.Mark().column;
      j.end_line = i + 1 < entries.size() ? NodePos(entries[i + 1].first).line - 1 : jobs_end;
      while (j.end_line > j.line) {
        std::string t = Trim(f.Line(j.end_line));
        if (!t.empty() && t[0] != '#') break;
        --j.end_line;
      }
      j.flow = j.line == NodePos(jobs.key).line || node.IsFlow() ||
               (i + 1 < entries.size() && NodePos(entries[i + 1].first).line == j.line);
      std::vector<Node> st_nodes;
      for (const auto& st : steps) st_nodes.push_back(st);
      for (size_t s = 0; s < st_nodes.size(); ++s) {
        StepRec r;
        r.node = st_nodes[s];
        std::string tok = StepToken(r.node, &r.display);
        r.hash = Fnv1a(tok);
        r.line = NodePos(r.node).line;
        r.end_line = s + 1 < st_nodes.size() ? NodePos(st_nodes[s + 1]).line - 1 : j.end_line;
        j.sig.push_back(r.hash);
        j.steps.push_back(std::move(r));
      }
      out.push_back(std::move(j));
    }
  }
  return out;
}

// ---- similarity ------------------------------------------------------------------------------

size_t Lcs(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() || b.empty()) return 0;
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

double Similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 1;
  return 2.0 * static_cast<double>(Lcs(a, b)) / static_cast<double>(a.size() + b.size());
}

// Matched index pairs of an LCS of a and b, increasing.
std::vector<std::pair<int, int>> Align(const std::vector<uint64_t>& a,
                                       const std::vector<uint64_t>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<uint16_t>> dp(n + 1, std::vector<uint16_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      dp[i][j] = a[i] == b[j] ? static_cast<uint16_t>(dp[i + 1][j + 1] + 1)
                              : std::max(dp[i + 1][j], dp[i][j + 1]);
  std::vector<std::pair<int, int>> out;
  size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] == b[j]) {
      out.push_back({static_cast<int>(i), static_cast<int>(j)});
      ++i, ++j;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(l)))
      out += l;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty() || !std::isalpha(static_cast<unsigned char>(out[0]))) out = "x-" + out;
  if (out.size() > 40) out.resize(40);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// ---- merging members into one reusable workflow ------------------------------------------

enum class VType { kString, kNumber, kBool, kIf, kLiteral, kRunsOn, kScript };

constexpr std::string_view kCallerContexts[] = {"github", "needs",  "strategy",
                                                "matrix", "inputs", "vars"};
constexpr std::string_view kCallerOnly[] = {"needs", "strategy", "matrix", "inputs"};

bool In(std::string_view s, std::span<const std::string_view> set) {
  for (std::string_view x : set)
    if (x == s) return true;
  return false;
}

struct ExprFacts {
  bool ok = true;            // parsed
  bool caller_only = false;  // uses a context only the caller has
  bool callee_only = false;  // uses a context or function only the job has
  bool untrusted = false;
  bool status_fn = false;
};

ExprFacts Facts(std::string_view expr) {
  ExprFacts f;
  auto tree = ParseExpression(expr);
  if (!tree.ok()) {
    f.ok = false;
    return f;
  }
  for (const ContextRef& r : ContextRefs(*tree)) {
    if (r.path.empty()) continue;
    if (In(r.path[0], kCallerOnly)) f.caller_only = true;
    if (!In(r.path[0], kCallerContexts)) f.callee_only = true;
    if (r.reaches_output && UntrustedPattern(r.path, r.whole_object)) f.untrusted = true;
  }
  for (const std::string& fn : CalledFunctions(*tree)) {
    if (fn == "hashfiles") f.callee_only = true;
    if (fn == "success" || fn == "failure" || fn == "always" || fn == "cancelled")
      f.status_fn = true;
  }
  return f;
}

// Facts over every `${{ }}` in a template string (or the bare condition).
ExprFacts TemplateFacts(const std::string& s, bool condition) {
  ExprFacts all;
  auto merge = [&](const ExprFacts& f) {
    all.ok = all.ok && f.ok;
    all.caller_only = all.caller_only || f.caller_only;
    all.callee_only = all.callee_only || f.callee_only;
    all.untrusted = all.untrusted || f.untrusted;
    all.status_fn = all.status_fn || f.status_fn;
  };
  if (condition && s.find("${{") == std::string::npos) {
    merge(Facts(s));
    return all;
  }
  for (const ExprSpan& sp : FindExpressions(s)) {
    if (!sp.closed) {
      all.ok = false;
      continue;
    }
    merge(Facts(std::string_view(s).substr(sp.inner_begin, sp.inner_end - sp.inner_begin)));
  }
  return all;
}

std::string StripBraces(const std::string& s) {
  std::string t = Trim(s);
  if (StartsWith(t, "${{") && t.ends_with("}}") && FindExpressions(t).size() == 1)
    return Trim(t.substr(3, t.size() - 5));
  return t;
}

struct InputOut {
  std::string name, type, description;
  bool required = true;
  std::string def;  // default (for optional-step toggles)
};

class Merger {
 public:
  Merger(const std::vector<SourceFile>& files, const std::vector<JobRec>& jobs,
         std::vector<size_t> members)
      : files_(files), jobs_(jobs), all_(std::move(members)) {}

  // Tries to build the reusable workflow; members that cannot be expressed
  // are dropped with a reason. True when at least two members remain.
  bool Run(const std::string& callee_job_id) {
    active_ = all_;
    for (size_t round = 0; round < all_.size() + 1; ++round) {
      if (active_.size() < 2) return false;
      bad_round_.clear();
      Build(callee_job_id);
      if (bad_round_.empty()) return true;
      std::vector<size_t> keep;
      for (size_t m : active_) {
        auto it = bad_round_.find(m);
        if (it == bad_round_.end())
          keep.push_back(m);
        else
          dropped_[m] = it->second;
      }
      if (keep.size() == active_.size()) return false;
      active_ = std::move(keep);
    }
    return false;
  }

  const std::vector<size_t>& active() const { return active_; }
  const std::map<size_t, std::string>& dropped() const { return dropped_; }
  const std::vector<InputOut>& inputs() const { return inputs_; }
  const std::vector<CiVarying>& varying() const { return varying_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const YOut& callee_job() const { return callee_; }
  const std::vector<std::string>& output_names() const { return outputs_; }
  // Per active member: input name -> value to pass; secret name -> value.
  const std::vector<std::vector<std::pair<std::string, YOut>>>& with() const { return with_; }
  const std::vector<std::vector<std::pair<std::string, std::string>>>& secrets() const {
    return secret_with_;
  }
  const std::set<std::string>& secret_inputs() const { return secret_inputs_; }

 private:
  struct V {
    Node n;
    bool present = false;
  };

  void Bad(size_t m, std::string reason) { bad_round_.emplace(m, std::move(reason)); }

  // Members whose `key(m)` differs from the most common key are bad.
  template <typename KeyFn>
  bool Majority(const std::vector<size_t>& ms, KeyFn key, const std::string& why) {
    std::map<std::string, size_t> count;
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < ms.size(); ++i) {
      std::string k = key(ms[i]);
      if (!count[k]++) first[k] = i;
    }
    if (count.size() <= 1) return true;
    std::string best;
    size_t bc = 0;
    for (const auto& [k, c] : count)
      if (c > bc || (c == bc && first[k] < first[best])) best = k, bc = c;
    for (size_t m : ms)
      if (key(m) != best) Bad(m, why);
    return false;
  }

  std::string UniqueInput(const std::string& hint) {
    std::string base = Slug(hint);
    std::string name = base;
    for (int i = 2; used_inputs_.count(name); ++i) name = base + "-" + std::to_string(i);
    used_inputs_.insert(name);
    return name;
  }

  void AddVarying(const std::string& where, const std::string& input, const std::string& type,
                  const std::vector<std::string>& values) {
    CiVarying v;
    v.where = where;
    v.input = input;
    v.type = type;
    std::set<std::string> seen;
    for (const auto& x : values) {
      if (!seen.insert(x).second) continue;
      if (v.values.size() < 8) v.values.push_back(x.size() > 60 ? x.substr(0, 57) + "..." : x);
    }
    v.distinct = seen.size();
    varying_.push_back(std::move(v));
  }

  // Declares an input and records per-member values.
  std::string Input(const std::string& hint, const std::string& type, const std::string& where,
                    const std::vector<size_t>& ms, const std::vector<std::string>& values,
                    const std::string& def = "") {
    // Two places that vary the same way across callers share one input (an
    // optional step's input may reuse one that agrees on the callers having it).
    for (const InputOut& e : inputs_) {
      if (e.type != type || e.def != def) continue;
      const auto& have = input_values_[e.name];
      bool same = true;
      for (size_t i = 0; i < ms.size() && same; ++i) {
        auto it = have.find(ms[i]);
        same = it != have.end() && it->second == values[i];
      }
      if (same) return e.name;
    }
    std::string name = UniqueInput(hint);
    for (size_t i = 0; i < ms.size(); ++i) input_values_[name][ms[i]] = values[i];
    InputOut in;
    in.name = name;
    in.type = type;
    in.description = "Varies across callers: " + where;
    // An input of an optional step is only passed by the callers that have it.
    in.required = def.empty() && ms.size() == active_.size();
    in.def = def;
    inputs_.push_back(in);
    for (size_t i = 0; i < ms.size(); ++i) {
      if (!def.empty() && values[i] == def) continue;
      YOut v = YOut::S(values[i], type != "string" || !LooksNonString(values[i]));
      with_[ms[i]].push_back({name, v});
    }
    AddVarying(where, name, type, values);
    return name;
  }

  // One expression that only the caller can evaluate becomes an input
  // (shared by every occurrence of the same text).
  std::string ExprInput(const std::string& span_text, const std::vector<size_t>& ms,
                        const std::string& where) {
    auto it = expr_inputs_.find(span_text);
    if (it != expr_inputs_.end()) return it->second;
    std::string inner = StripBraces(span_text);
    std::string hint = inner.size() <= 40 ? inner : "expr";
    std::vector<std::string> vals(ms.size(), span_text);
    std::string name = Input(hint, "string", where + " (" + inner + ")", ms, vals);
    expr_inputs_[span_text] = name;
    return name;
  }

  static std::string NodeKind(const V& v) {
    if (!v.present) return "absent";
    if (!v.n.IsDefined() || v.n.IsNull()) return "null";
    if (v.n.IsScalar()) return "scalar";
    if (v.n.IsSequence()) return "sequence";
    return "mapping";
  }

  std::optional<YOut> Merge(const std::vector<V>& vals, const std::vector<size_t>& ms,
                            const std::string& where, const std::string& hint, VType type) {
    // Defaults for absent scalars with known GitHub defaults.
    std::vector<V> v = vals;
    std::string def;
    if (type == VType::kNumber) def = "360";
    if (type == VType::kBool) def = "false";
    if (type == VType::kIf) def = "true";
    bool any_present = false;
    for (const V& x : v) any_present = any_present || x.present;
    if (!any_present) return std::nullopt;
    if (!def.empty())
      for (V& x : v)
        if (!x.present) {
          x.n = scratch_->NewScalar(def);
          x.present = true;
        }
    if (!Majority(
            ms, [&](size_t m) { return NodeKind(v[Index(ms, m)]); },
            where + " is set in some jobs and not in others (or has a different shape)"))
      return std::nullopt;
    const std::string kind = NodeKind(v[0]);
    if (kind == "null") return FromNode(v[0].n);

    if (type == VType::kRunsOn) return MergeRunsOn(v, ms, where);

    if (kind == "mapping") {
      auto keys = [&](size_t m) {
        std::vector<std::string> k;
        for (const auto& kv : v[Index(ms, m)].n) k.push_back(Str(kv.first));
        std::sort(k.begin(), k.end());
        std::string s;
        for (const auto& x : k) s += x + "\n";
        return s;
      };
      if (!Majority(ms, keys, "the keys under " + where + " differ")) return std::nullopt;
      YOut out = YOut::Map();
      for (const auto& kv : v[0].n) {
        std::string k = Str(kv.first);
        std::vector<V> child;
        for (size_t i = 0; i < v.size(); ++i) child.push_back({Val(v[i].n, k), true});
        VType ct = type == VType::kLiteral ? VType::kLiteral : VType::kString;
        auto c = Merge(child, ms, where + "." + k, k, ct);
        if (!c) return std::nullopt;
        out.Add(k, std::move(*c));
      }
      return out;
    }
    if (kind == "sequence") {
      if (!Majority(
              ms, [&](size_t m) { return std::to_string(v[Index(ms, m)].n.size()); },
              "the lists under " + where + " differ in length"))
        return std::nullopt;
      YOut out = YOut::Seq();
      for (size_t k = 0; k < v[0].n.size(); ++k) {
        std::vector<V> child;
        for (size_t i = 0; i < v.size(); ++i) child.push_back({v[i].n[k], true});
        auto c = Merge(child, ms, where + "[" + std::to_string(k) + "]", hint, type);
        if (!c) return std::nullopt;
        out.seq.push_back(std::move(*c));
      }
      return out;
    }
    return MergeScalar(v, ms, where, hint, type, def);
  }

  static size_t Index(const std::vector<size_t>& ms, size_t m) {
    return static_cast<size_t>(std::find(ms.begin(), ms.end(), m) - ms.begin());
  }

  std::optional<YOut> MergeRunsOn(const std::vector<V>& v, const std::vector<size_t>& ms,
                                  const std::string& where) {
    std::vector<std::string> text;
    bool any_seq = false, all_equal = true;
    for (const V& x : v) {
      any_seq = any_seq || x.n.IsSequence() || x.n.IsMap();
      text.push_back(Canon(x.n));
      all_equal = all_equal && text.back() == text.front();
    }
    if (all_equal) {
      // Equal, but a matrix expression must still come from the caller.
      if (v[0].n.IsScalar() && TemplateFacts(v[0].n.Scalar(), false).caller_only)
        return YOut::S("${{ inputs." + ExprInput(v[0].n.Scalar(), ms, where) + " }}");
      if (!v[0].n.IsScalar() && Canon(v[0].n).find("${{") != std::string::npos) {
        Bad(ms[0], where + " mixes expressions into a label list");
        return std::nullopt;
      }
      return FromNode(v[0].n);
    }
    std::vector<std::string> vals;
    for (size_t i = 0; i < v.size(); ++i) {
      const Node& n = v[i].n;
      if (n.IsMap()) {
        Bad(ms[i], where + " uses a runner group mapping");
        return std::nullopt;
      }
      if (n.IsScalar()) {
        ExprFacts f = TemplateFacts(n.Scalar(), false);
        if (f.callee_only || !f.ok) {
          Bad(ms[i], where + " uses a context the caller cannot evaluate");
          return std::nullopt;
        }
        if (!any_seq) {
          vals.push_back(n.Scalar());
        } else if (n.Scalar().find("${{") != std::string::npos) {
          vals.push_back("${{ toJSON(" + StripBraces(n.Scalar()) + ") }}");
        } else {
          vals.push_back(nlohmann::json(n.Scalar()).dump());
        }
      } else {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& l : n) arr.push_back(Str(l));
        vals.push_back(arr.dump());
      }
    }
    std::string name = Input("runs-on", "string", where, ms, vals);
    return YOut::S(any_seq ? "${{ fromJSON(inputs." + name + ") }}" : "${{ inputs." + name + " }}");
  }

  std::optional<YOut> MergeScalar(const std::vector<V>& v, const std::vector<size_t>& ms,
                                  const std::string& where, const std::string& hint, VType type,
                                  const std::string& def) {
    std::vector<std::string> s;
    bool equal = true;
    for (const V& x : v) {
      s.push_back(x.n.Scalar());
      equal = equal && s.back() == s.front();
    }
    const bool condition = type == VType::kIf;
    if (equal) {
      const std::string& t = s.front();
      ExprFacts f = TemplateFacts(t, condition);
      if (!f.ok) {
        for (size_t m : ms) Bad(m, where + " holds an invalid expression");
        return std::nullopt;
      }
      if (!f.caller_only) return YOut::S(t, v[0].n.Tag() == "?");
      if (f.callee_only || (condition && f.status_fn)) {
        for (size_t m : ms)
          Bad(m, where + " mixes caller contexts (matrix/needs/inputs) with step or job contexts");
        return std::nullopt;
      }
      if (condition) {
        std::vector<std::string> vals(ms.size(), "${{ " + StripBraces(t) + " }}");
        std::string name = Input(hint + "-if", "boolean", where, ms, vals);
        return YOut::S("${{ inputs." + name + " }}");
      }
      // Lift each caller-only expression; keep the rest of the text.
      std::string out;
      size_t pos = 0;
      for (const ExprSpan& sp : FindExpressions(t)) {
        out += t.substr(pos, sp.begin - pos);
        std::string span_text = t.substr(sp.begin, sp.end - sp.begin);
        ExprFacts ef =
            Facts(std::string_view(t).substr(sp.inner_begin, sp.inner_end - sp.inner_begin));
        if (ef.caller_only)
          out += "${{ inputs." + ExprInput(span_text, ms, where) + " }}";
        else
          out += span_text;
        pos = sp.end;
      }
      out += t.substr(pos);
      return YOut::S(out, v[0].n.Tag() == "?");
    }
    if (type == VType::kLiteral) {
      Majority(
          ms, [&](size_t m) { return s[Index(ms, m)]; },
          where + " differs and cannot be an expression");
      return std::nullopt;
    }
    // Differing values: a secret each, or an input.
    bool all_secret = true;
    for (const std::string& x : s) {
      std::string inner = StripBraces(x);
      all_secret = all_secret && x.find("${{") != std::string::npos &&
                   StartsWith(Lower(inner), "secrets.") &&
                   inner.find_first_of(" |&()=!<>'") == std::string::npos;
    }
    if (all_secret) {
      std::string name = UniqueInput(hint);
      std::string secret_name;
      for (char c : name)
        secret_name +=
            c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      secret_inputs_.insert(secret_name);
      for (size_t i = 0; i < ms.size(); ++i) secret_with_[ms[i]].push_back({secret_name, s[i]});
      AddVarying(where, secret_name, "secret", s);
      return YOut::S("${{ secrets." + secret_name + " }}");
    }
    if (type == VType::kScript)
      if (auto t = MergeScriptTokens(s, ms, where, hint)) return t;
    bool ok = true;
    for (size_t i = 0; i < s.size(); ++i) {
      ExprFacts f = TemplateFacts(s[i], condition);
      if (!f.ok || f.callee_only || f.untrusted || (condition && f.status_fn) ||
          Lower(s[i]).find("secrets.") != std::string::npos) {
        Bad(ms[i],
            where + " differs and uses " +
                (f.untrusted ? std::string("untrusted input") : "step/job contexts or secrets") +
                " the caller cannot pass");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    std::string type_name = condition || type == VType::kBool ? "boolean"
                            : type == VType::kNumber          ? "number"
                                                              : "string";
    std::vector<std::string> vals = s;
    if (condition)
      for (auto& x : vals)
        if (x.find("${{") == std::string::npos && x != "true" && x != "false")
          x = "${{ " + x + " }}";
    std::string name = Input(condition                ? hint + "-if"
                             : type == VType::kScript ? hint + "-script"
                                                      : hint,
                             type_name, where, ms, vals,
                             type == VType::kNumber || type == VType::kBool || condition ? "" : "");
    (void)def;
    return YOut::S("${{ inputs." + name + " }}");
  }

  // Scripts that differ only in a few words (a service name inside a path,
  // --shard=2): lift just the differing part of each word into an input and
  // keep the rest of the script, whitespace included, from the first member.
  std::optional<YOut> MergeScriptTokens(const std::vector<std::string>& s,
                                        const std::vector<size_t>& ms, const std::string& where,
                                        const std::string& hint) {
    struct Tok {
      size_t b, e;
    };
    auto split = [](const std::string& x) {
      std::vector<Tok> t;
      size_t i = 0;
      while (i < x.size()) {
        while (i < x.size() && std::isspace(static_cast<unsigned char>(x[i]))) ++i;
        size_t b = i;
        while (i < x.size() && !std::isspace(static_cast<unsigned char>(x[i]))) ++i;
        if (i > b) t.push_back({b, i});
      }
      return t;
    };
    std::vector<std::vector<Tok>> toks;
    for (const auto& x : s) toks.push_back(split(x));
    for (const auto& t : toks)
      if (t.size() != toks[0].size()) return std::nullopt;
    auto safe = [](std::string_view w) {
      for (char c : w)
        if (!(std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("._/-+=:,@%").find(c) != std::string_view::npos))
          return false;
      return true;
    };
    struct Diff {
      size_t tok, prefix, suffix;
    };
    std::vector<Diff> diffs;
    for (size_t k = 0; k < toks[0].size(); ++k) {
      std::vector<std::string_view> w;
      for (size_t i = 0; i < s.size(); ++i)
        w.push_back(std::string_view(s[i]).substr(toks[i][k].b, toks[i][k].e - toks[i][k].b));
      bool same = true;
      for (auto x : w) same = same && x == w[0];
      if (same) continue;
      size_t pre = w[0].size(), suf = w[0].size();
      for (auto x : w) {
        size_t p = 0;
        while (p < pre && p < x.size() && x[p] == w[0][p]) ++p;
        pre = p;
      }
      for (auto x : w) {
        size_t q = 0;
        while (q < suf && q < x.size() && q < w[0].size() &&
               x[x.size() - 1 - q] == w[0][w[0].size() - 1 - q])
          ++q;
        suf = q;
      }
      // Cut at word-part boundaries: "tools/ingest" vs "tools/report" varies in
      // "ingest"/"report", not in "inges"/"repor" (both end in 't').
      auto delim = [](char c) {
        return std::string_view("/=.-_:,@+").find(c) != std::string_view::npos;
      };
      while (pre > 0 && !delim(w[0][pre - 1])) --pre;
      while (suf > 0 && !delim(w[0][w[0].size() - suf])) --suf;
      for (auto x : w) {
        if (pre + suf > x.size()) return std::nullopt;
        if (!safe(x.substr(pre, x.size() - pre - suf)) || x.size() == pre + suf)
          return std::nullopt;
      }
      diffs.push_back({k, pre, suf});
      if (diffs.size() > 3) return std::nullopt;
    }
    if (diffs.empty()) return std::nullopt;
    std::string out = s[0];
    for (size_t d = diffs.size(); d-- > 0;) {
      const Diff& df = diffs[d];
      std::vector<std::string> vals;
      for (size_t i = 0; i < s.size(); ++i) {
        std::string_view w =
            std::string_view(s[i]).substr(toks[i][df.tok].b, toks[i][df.tok].e - toks[i][df.tok].b);
        vals.push_back(std::string(w.substr(df.prefix, w.size() - df.prefix - df.suffix)));
      }
      std::string_view w0 =
          std::string_view(s[0]).substr(toks[0][df.tok].b, toks[0][df.tok].e - toks[0][df.tok].b);
      std::string_view pre = w0.substr(0, df.prefix);
      // "ruff-arg": the argument of ruff that varies (or the script itself).
      std::string name_hint = df.tok == 0 ? std::string("script") : hint + "-arg";
      if (!pre.empty() && pre.back() == '/') {
        std::string_view p = pre.substr(0, pre.size() - 1);
        size_t slash = p.rfind('/');
        std::string_view seg = slash == std::string_view::npos ? p : p.substr(slash + 1);
        if (!seg.empty() && seg != ".") name_hint = std::string(seg);
      } else if (!pre.empty() && pre.back() == '=') {
        std::string_view p = pre.substr(0, pre.size() - 1);
        while (!p.empty() && p.front() == '-') p.remove_prefix(1);
        if (!p.empty()) name_hint = std::string(p);
      }
      std::string name = Input(name_hint, "string", where + " (part of a word)", ms, vals);
      size_t b = toks[0][df.tok].b + df.prefix;
      size_t e = toks[0][df.tok].e - df.suffix;
      out.replace(b, e - b, "${{ inputs." + name + " }}");
    }
    return YOut::S(out, true);
  }

  // Merged env of workflow + job for member m.
  Node MergedMap(size_t job, std::string_view key) {
    const JobRec& j = jobs_[job];
    Node wf = Val(files_[j.file].root, key);
    Node jb = Val(j.node, key);
    // Later sources override earlier ones, key by key.
    auto merge = [](std::vector<std::pair<std::string, Node>>* out, const Node& src) {
      if (!IsMap(src)) return;
      for (const auto& kv : src) {
        std::string k = Str(kv.first);
        bool replaced = false;
        for (auto& [name, v] : *out)
          if (name == k) v = kv.second, replaced = true;
        if (!replaced) out->push_back({k, kv.second});
      }
    };
    auto build = [&](const std::vector<std::pair<std::string, Node>>& entries) {
      std::vector<std::pair<Node, Node>> kv;
      for (const auto& [k, v] : entries) kv.push_back({scratch_->NewScalar(k), v});
      return scratch_->NewMap(kv);
    };
    std::vector<std::pair<std::string, Node>> entries;
    if (key == "defaults") {
      // defaults.run merges shell / working-directory.
      std::vector<std::pair<std::string, Node>> run;
      merge(&run, Val(wf, "run"));
      merge(&run, Val(jb, "run"));
      if (!run.empty()) entries.push_back({"run", build(run)});
      return build(entries);
    }
    merge(&entries, wf);
    merge(&entries, jb);
    return build(entries);
  }

  void Build(const std::string& callee_job_id) {
    inputs_.clear();
    varying_.clear();
    notes_.clear();
    outputs_.clear();
    used_inputs_.clear();
    expr_inputs_.clear();
    input_values_.clear();
    secret_inputs_.clear();
    with_.assign(all_.size() ? *std::max_element(all_.begin(), all_.end()) + 1 : 0, {});
    secret_with_.assign(with_.size(), {});
    callee_ = YOut::Map();
    const std::vector<size_t>& ms = active_;

    auto job_vals = [&](std::string_view key) {
      std::vector<V> v;
      for (size_t m : ms) {
        KeyValue kv = Get(jobs_[m].node, key);
        v.push_back({kv.value, kv.found});
      }
      return v;
    };
    auto map_vals = [&](std::string_view key) {
      std::vector<V> v;
      for (size_t m : ms) v.push_back({MergedMap(m, key), true});
      return v;
    };
    struct JobKey {
      const char* key;
      VType type;
      bool merged;
    };
    for (const JobKey& k :
         {JobKey{"runs-on", VType::kRunsOn, false}, JobKey{"environment", VType::kString, false},
          JobKey{"timeout-minutes", VType::kNumber, false},
          JobKey{"continue-on-error", VType::kBool, false},
          JobKey{"container", VType::kString, false}, JobKey{"services", VType::kString, false},
          JobKey{"env", VType::kString, true}, JobKey{"defaults", VType::kLiteral, true},
          JobKey{"outputs", VType::kString, false}}) {
      std::vector<V> v = k.merged ? map_vals(k.key) : job_vals(k.key);
      bool any = false;
      for (const V& x : v) any = any || (x.present && !(x.n.IsMap() && x.n.size() == 0));
      if (!any) continue;
      if (k.type == VType::kNumber || k.type == VType::kBool) {
        // Absent means GitHub's default; only add the key if someone sets it.
      } else {
        bool all = true;
        for (const V& x : v) all = all && x.present;
        if (!all && std::string_view(k.key) == "outputs")
          for (V& x : v)
            if (!x.present) x = {scratch_->NewMap({}), true};
      }
      auto merged = Merge(v, ms, k.key, k.key, k.type);
      if (!merged) {
        if (!bad_round_.empty()) return;
        continue;
      }
      if (std::string_view(k.key) == "outputs" && merged->kind == YOut::kMap)
        for (const std::string& name : merged->keys) outputs_.push_back(name);
      callee_.Add(k.key, std::move(*merged));
    }

    // Steps: the union of all members' steps in alignment order.
    struct UStep {
      uint64_t hash;
      std::vector<int> at;  // per active member: step index or -1
    };
    std::vector<UStep> u;
    {
      const JobRec& t = jobs_[ms[0]];
      for (size_t s = 0; s < t.steps.size(); ++s) {
        UStep x{t.steps[s].hash, std::vector<int>(ms.size(), -1)};
        x.at[0] = static_cast<int>(s);
        u.push_back(std::move(x));
      }
    }
    for (size_t mi = 1; mi < ms.size(); ++mi) {
      const JobRec& j = jobs_[ms[mi]];
      std::vector<uint64_t> uh;
      for (const auto& x : u) uh.push_back(x.hash);
      auto pairs = Align(uh, j.sig);
      std::vector<UStep> merged;
      size_t ui = 0, ji = 0;
      auto push_member = [&](size_t upto) {
        for (; ji < upto; ++ji) {
          UStep x{j.sig[ji], std::vector<int>(ms.size(), -1)};
          x.at[mi] = static_cast<int>(ji);
          merged.push_back(std::move(x));
        }
      };
      for (const auto& [a, b] : pairs) {
        for (; ui < static_cast<size_t>(a); ++ui) merged.push_back(u[ui]);
        push_member(static_cast<size_t>(b));
        UStep x = u[ui++];
        x.at[mi] = b;
        ++ji;
        merged.push_back(std::move(x));
      }
      for (; ui < u.size(); ++ui) merged.push_back(u[ui]);
      push_member(j.sig.size());
      u = std::move(merged);
    }

    YOut steps = YOut::Seq();
    for (size_t k = 0; k < u.size(); ++k) {
      const UStep& x = u[k];
      std::vector<size_t> sm;  // members having the step
      std::vector<Node> nodes;
      for (size_t mi = 0; mi < ms.size(); ++mi)
        if (x.at[mi] >= 0) {
          sm.push_back(ms[mi]);
          nodes.push_back(jobs_[ms[mi]].steps[static_cast<size_t>(x.at[mi])].node);
        }
      const JobRec& first = jobs_[sm[0]];
      const StepRec& fs = first.steps[static_cast<size_t>(x.at[Index(ms, sm[0])])];
      std::string short_name = Str(Val(fs.node, "name"));
      if (short_name.empty()) {
        short_name = fs.display.substr(0, fs.display.find(" (with:"));
        if (short_name.size() > 32) short_name = short_name.substr(0, 29) + "...";
      }
      std::string label = "steps[" + std::to_string(k + 1) + "] " + short_name;
      // A name for inputs about this step: its id or name, else what it runs
      // ("setup-node", "ruff").
      std::string what;
      if (!Str(Val(fs.node, "uses")).empty()) {
        std::string u = ParseUses(Str(Val(fs.node, "uses"))).NameWithoutRef();
        what = u.substr(u.rfind('/') + 1);
      } else {
        std::vector<ScriptLine> lines = LogicalLines(Str(Val(fs.node, "run")));
        std::vector<std::string_view> w =
            lines.empty() ? std::vector<std::string_view>{} : Words(lines.front().text);
        if (!w.empty()) what = std::string(w[0].substr(w[0].rfind('/') + 1));
      }
      std::string step_slug = Slug(!Str(Val(fs.node, "id")).empty()     ? Str(Val(fs.node, "id"))
                                   : !Str(Val(fs.node, "name")).empty() ? Str(Val(fs.node, "name"))
                                   : !what.empty()                      ? what
                                                   : "step-" + std::to_string(k + 1));
      auto keyset = [&](size_t m) {
        const Node& n = nodes[Index(sm, m)];
        std::vector<std::string> keys;
        for (const auto& kv : n) {
          std::string key = Str(kv.first);
          if (key != "name" && key != "if") keys.push_back(key);
        }
        std::sort(keys.begin(), keys.end());
        std::string s;
        for (const auto& key : keys) s += key + "\n";
        return s;
      };
      if (!Majority(sm, keyset, "the keys of " + label + " differ")) return;
      YOut step = YOut::Map();
      // name: the first member's (cosmetic).
      for (const Node& n : nodes)
        if (Get(n, "name")) {
          step.Add("name", FromNode(Val(n, "name")));
          break;
        }
      // id must match (outputs are referenced by it).
      if (!Majority(
              sm, [&](size_t m) { return Str(Val(nodes[Index(sm, m)], "id")); },
              "the id of " + label + " differs"))
        return;
      if (Get(nodes[0], "id")) step.Add("id", FromNode(Val(nodes[0], "id")));
      // if: absent = true; an optional step adds its toggle.
      std::optional<YOut> cond;
      {
        std::vector<V> v;
        bool any = false;
        for (const Node& n : nodes) {
          KeyValue kv = Get(n, "if");
          any = any || kv.found;
          v.push_back({kv.value, kv.found});
        }
        if (any) {
          cond = Merge(v, sm, label + ".if", step_slug, VType::kIf);
          if (!cond) return;
        }
      }
      if (sm.size() < ms.size()) {
        const bool def = sm.size() * 2 >= ms.size();
        std::vector<std::string> vals;
        for (size_t m : ms)
          vals.push_back(std::find(sm.begin(), sm.end(), m) != sm.end() ? "true" : "false");
        std::string toggle = Input("run-" + step_slug, "boolean", label + " (only in some jobs)",
                                   ms, vals, def ? "true" : "false");
        std::string c = cond ? StripBraces(cond->scalar) : "";
        step.Add("if",
                 YOut::S("${{ inputs." + toggle + (c.empty() ? "" : " && (" + c + ")") + " }}"));
      } else if (cond) {
        step.Add("if", std::move(*cond));
      }
      // The other keys, in the first member's order.
      for (const auto& kv : nodes[0]) {
        std::string key = Str(kv.first);
        if (key == "name" || key == "id" || key == "if") continue;
        if (key == "uses") {
          // The most common reference, but a commit-SHA pin beats any tag:
          // consolidating must never unpin an action.
          std::map<std::string, size_t> count;
          for (const Node& n : nodes) count[Str(Val(n, "uses"))]++;
          auto pinned = [](const std::string& u) { return IsFullSha(ParseUses(u).ref); };
          std::string best = Str(Val(nodes[0], "uses"));
          for (const auto& [val, c] : count)
            if ((pinned(val) && !pinned(best)) || (pinned(val) == pinned(best) && c > count[best]))
              best = val;
          if (count.size() > 1) {
            std::string others;
            for (const auto& [val, c] : count)
              if (val != best)
                others += (others.empty() ? "" : ", ") + val + " in " + std::to_string(c);
            notes_.push_back("standardizes " + best + " (was " + others + ")");
          }
          YOut u = YOut::S(best, true);
          for (size_t i = 0; i < nodes.size() && u.comment.empty(); ++i) {
            KeyValue kv = Get(nodes[i], "uses");
            if (Str(kv.value) != best) continue;
            std::string_view line = files_[jobs_[sm[i]].file].Line(NodePos(kv.value).line);
            size_t hash = line.find(" #");
            if (hash != std::string_view::npos) u.comment = Trim(line.substr(hash + 2));
          }
          step.Add("uses", std::move(u));
          continue;
        }
        std::vector<V> v;
        for (const Node& n : nodes) v.push_back({Val(n, key), static_cast<bool>(Get(n, key))});
        VType t = key == "shell"               ? VType::kLiteral
                  : key == "run"               ? VType::kScript
                  : key == "continue-on-error" ? VType::kBool
                  : key == "timeout-minutes"   ? VType::kNumber
                                               : VType::kString;
        std::string hint = key == "run" ? step_slug : key;
        std::optional<YOut> mv;
        if (key == "with" || key == "env") {
          // Map children get their own key as input name.
          mv = Merge(v, sm, label + "." + key, key, VType::kString);
        } else {
          mv = Merge(v, sm, label + "." + key, hint, t);
        }
        if (!mv) {
          if (!bad_round_.empty()) return;
          continue;
        }
        step.Add(key, std::move(*mv));
      }
      steps.seq.push_back(std::move(step));
    }
    callee_.Add("steps", std::move(steps));
    (void)callee_job_id;
  }

  const std::vector<SourceFile>& files_;
  const std::vector<JobRec>& jobs_;
  std::vector<size_t> all_, active_;
  std::map<size_t, std::string> bad_round_;  // job index -> reason (during a build)
  std::map<size_t, std::string> dropped_;    // job index -> reason
  std::vector<InputOut> inputs_;
  std::vector<CiVarying> varying_;
  std::vector<std::string> notes_;
  std::vector<std::string> outputs_;
  std::set<std::string> used_inputs_;
  std::map<std::string, std::string> expr_inputs_;
  std::map<std::string, std::map<size_t, std::string>> input_values_;  // input -> member -> value
  std::set<std::string> secret_inputs_;
  std::vector<std::vector<std::pair<std::string, YOut>>> with_;
  std::vector<std::vector<std::pair<std::string, std::string>>> secret_with_;
  YOut callee_;
  std::unique_ptr<Doc> scratch_ = std::make_unique<Doc>();  // merged values built here
};

// ---- the plan ---------------------------------------------------------------------------------

// Secrets referenced in `${{ }}` spans of a text (original spelling).
std::set<std::string> SecretsIn(const std::string& text) {
  std::set<std::string> out;
  for (const ExprSpan& sp : FindExpressions(text)) {
    std::string_view inner =
        std::string_view(text).substr(sp.inner_begin, sp.inner_end - sp.inner_begin);
    for (size_t p = inner.find("secrets."); p != std::string_view::npos;
         p = inner.find("secrets.", p + 1)) {
      if (p > 0 && (std::isalnum(static_cast<unsigned char>(inner[p - 1])) || inner[p - 1] == '_' ||
                    inner[p - 1] == '.'))
        continue;
      size_t b = p + 8, e = b;
      while (e < inner.size() && (std::isalnum(static_cast<unsigned char>(inner[e])) ||
                                  inner[e] == '_' || inner[e] == '-'))
        ++e;
      std::string name(inner.substr(b, e - b));
      if (!name.empty() && Lower(name) != "github_token") out.insert(name);
    }
  }
  return out;
}

std::string ToolOf(const JobRec& j) {
  for (const StepRec& s : j.steps) {
    const std::string& d = s.display;
    for (std::string_view tool : {"node", "python", "go", "java", "dotnet", "ruby", "rust", "php",
                                  "terraform", "gradle", "uv", "pnpm", "bun", "deno"}) {
      if (d.find("setup-" + std::string(tool)) != std::string::npos ||
          (tool == "rust" && d.find("rust-toolchain") != std::string::npos))
        return std::string(tool);
    }
    if (d.find("docker/build-push-action") != std::string::npos) return "docker";
  }
  return "";
}

struct Candidate {
  std::vector<size_t> jobs;  // template first
  std::vector<double> sims;
};

// Unique signatures, neighbours above the threshold, star clustering.
std::vector<Candidate> Cluster(const std::vector<JobRec>& jobs, const ConsolidateOptions& opt) {
  std::map<std::vector<uint64_t>, size_t> index;
  std::vector<std::vector<uint64_t>> sigs;
  std::vector<std::vector<size_t>> members;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto [it, inserted] = index.emplace(jobs[i].sig, sigs.size());
    if (inserted) {
      sigs.push_back(jobs[i].sig);
      members.emplace_back();
    }
    members[it->second].push_back(i);
  }
  const size_t n = sigs.size();
  const double t = opt.threshold;
  // Token frequency over unique signatures (for prefix filtering).
  std::unordered_map<uint64_t, size_t> freq;
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings;
  for (size_t u = 0; u < n; ++u) {
    std::set<uint64_t> distinct(sigs[u].begin(), sigs[u].end());
    for (uint64_t h : distinct) {
      freq[h]++;
      postings[h].push_back(static_cast<uint32_t>(u));
    }
  }
  std::vector<std::vector<std::pair<uint32_t, double>>> nb(n);
  std::vector<std::vector<std::pair<uint32_t, double>>> found(n);
  ParallelFor(n, opt.threads, [&](size_t u) {
    const auto& a = sigs[u];
    std::vector<uint64_t> order = a;
    std::sort(order.begin(), order.end(), [&](uint64_t x, uint64_t y) {
      size_t fx = freq.at(x), fy = freq.at(y);
      return fx != fy ? fx < fy : x < y;
    });
    size_t need = static_cast<size_t>(std::ceil(t * static_cast<double>(a.size()) - 1e-9));
    size_t prefix = a.size() >= need ? a.size() - need + 1 : a.size();
    std::set<uint64_t> probe(order.begin(),
                             order.begin() + static_cast<long>(std::min(prefix, order.size())));
    std::set<uint32_t> cand;
    for (uint64_t h : probe)
      for (uint32_t v : postings.at(h)) {
        if (v == u) continue;
        const auto& b = sigs[v];
        // Each pair is computed once, from its shorter side.
        if (b.size() < a.size() || (b.size() == a.size() && v < u)) continue;
        double bound = 2.0 * static_cast<double>(std::min(a.size(), b.size())) /
                       static_cast<double>(a.size() + b.size());
        if (bound + 1e-9 < t) continue;
        cand.insert(v);
      }
    for (uint32_t v : cand) {
      double s = Similarity(a, sigs[v]);
      if (s + 1e-9 >= t) found[u].push_back({v, s});
    }
  });
  for (size_t u = 0; u < n; ++u)
    for (const auto& [v, s] : found[u]) {
      nb[u].push_back({v, s});
      nb[v].push_back({static_cast<uint32_t>(u), s});
    }
  std::vector<bool> assigned(n, false);
  std::vector<Candidate> out;
  while (true) {
    size_t best = n, best_w = 0;
    for (size_t u = 0; u < n; ++u) {
      if (assigned[u]) continue;
      size_t w = members[u].size();
      for (const auto& [v, s] : nb[u])
        if (!assigned[v]) w += members[v].size();
      if (w > best_w) best = u, best_w = w;
    }
    if (best == n || best_w < opt.min_jobs) break;
    Candidate c;
    assigned[best] = true;
    for (size_t j : members[best]) c.jobs.push_back(j), c.sims.push_back(1.0);
    std::vector<std::pair<uint32_t, double>> near = nb[best];
    std::sort(near.begin(), near.end(), [&](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : members[x.first][0] < members[y.first][0];
    });
    for (const auto& [v, s] : near) {
      if (assigned[v]) continue;
      assigned[v] = true;
      for (size_t j : members[v]) c.jobs.push_back(j), c.sims.push_back(s);
    }
    out.push_back(std::move(c));
  }
  return out;
}

CiJobSite Site(const std::vector<SourceFile>& files, const JobRec& j, double sim) {
  CiJobSite s;
  s.path = files[j.file].path;
  s.job = j.id;
  s.line = j.line;
  s.end_line = j.end_line;
  s.lines = j.Lines();
  s.steps = static_cast<int>(j.steps.size());
  s.similarity = sim;
  return s;
}

int CountLines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

struct Replacement {
  int line = 0, end_line = 0;
  std::string text;
};

ConsolidationPlan Plan(std::vector<SourceFile> files, std::vector<Diagnostic> diags,
                       const ConsolidateOptions& opt, const std::string& root) {
  ConsolidationPlan plan;
  plan.root = root;
  plan.threshold = opt.threshold;
  std::set<std::string> existing;
  for (const SourceFile& f : files) {
    existing.insert(f.path);
    if (f.syntax_error)
      diags.push_back(Diagnostic{DiagnosticKind::kParse, f.path, f.error_pos.line,
                                 f.error_pos.column, "skipped: YAML syntax error: " + f.error});
    if (!f.ok || f.kind != FileKind::kWorkflow) continue;
    plan.workflows++;
    plan.lines += f.line_starts.size();
    Node jobs = Val(f.root, "jobs");
    if (!IsMap(jobs)) continue;
    for (const auto& kv : jobs) {
      plan.jobs++;
      Node steps = Val(kv.second, "steps");
      if (IsSeq(steps)) plan.steps += steps.size();
    }
  }
  std::vector<JobRec> jobs = CollectJobs(files, opt.min_steps);
  std::vector<Candidate> cands = Cluster(jobs, opt);

  // After consolidation a cluster holds its steps once: count it once when
  // looking for step sequences shared across jobs.
  std::vector<size_t> group(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) group[j] = j;
  for (size_t c = 0; c < cands.size(); ++c)
    for (size_t j : cands[c].jobs) group[j] = jobs.size() + c;
  std::map<std::string, std::vector<Replacement>> replacements;  // caller path -> edits
  std::set<std::string> names;
  std::set<std::string> touched;
  for (const Candidate& c : cands) {
    CiCluster cl;
    const JobRec& t = jobs[c.jobs[0]];
    // Name: tool + the most common job id.
    std::map<std::string, size_t> ids;
    for (size_t j : c.jobs) ids[Slug(jobs[j].id)]++;
    std::string id = t.id;
    size_t best = 0;
    for (const auto& [k, n] : ids)
      if (n > best) id = k, best = n;
    std::string tool = ToolOf(t);
    std::string name = Slug(id);
    if (!tool.empty() && name.find(tool) == std::string::npos) name = tool + "-" + name;
    std::string unique = name;
    for (int i = 2; names.count(unique); ++i) unique = name + "-" + std::to_string(i);
    names.insert(unique);
    cl.name = unique;
    std::set<size_t> file_set;
    for (size_t j : c.jobs) file_set.insert(jobs[j].file);
    cl.kind = file_set.size() == 1 ? "matrix" : "reusable-workflow";
    std::string target = ".github/workflows/reusable-" + unique + ".yml";
    for (int i = 2; existing.count(target); ++i)
      target = ".github/workflows/reusable-" + unique + "-" + std::to_string(i) + ".yml";
    cl.target = cl.kind == "matrix" ? files[t.file].path : target;
    for (const StepRec& s : t.steps) cl.signature.push_back(s.display);
    double sum = 0;
    cl.min_similarity = 1;
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      cl.members.push_back(Site(files, jobs[c.jobs[i]], c.sims[i]));
      cl.min_similarity = std::min(cl.min_similarity, c.sims[i]);
      sum += c.sims[i];
    }
    cl.mean_similarity = sum / static_cast<double>(c.jobs.size());

    std::vector<size_t> writable_candidates;
    for (size_t j : c.jobs)
      if (!jobs[j].flow) writable_candidates.push_back(j);
    const bool try_write = cl.kind == "reusable-workflow" && writable_candidates.size() >= 2;
    Merger merger(files, jobs, try_write ? writable_candidates : c.jobs);
    // Matrix clusters run the merge too: its varying values are the matrix axes.
    bool ok = merger.Run(Slug(unique)) && try_write;
    cl.varying = merger.varying();
    cl.notes = merger.notes();
    std::set<size_t> writable(merger.active().begin(), merger.active().end());
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      size_t j = c.jobs[i];
      CiJobSite& s = cl.members[i];
      if (ok && writable.count(j)) {
        s.writable = true;
        continue;
      }
      auto d = merger.dropped().find(j);
      s.reason = jobs[j].flow ? "flow-style job ({...}) cannot be rewritten in place"
                 : cl.kind == "matrix"
                     ? "all jobs are in one workflow: merge them with strategy.matrix"
                 : d != merger.dropped().end() ? d->second
                 : !ok ? "fewer than two jobs can share one reusable workflow"
                       : "";
    }
    for (const auto& s : cl.members) cl.lines_before += s.lines;
    if (cl.kind == "matrix") {
      // One job with a matrix replaces the members.
      cl.lines_after = t.Lines() + 2 + static_cast<int>(cl.varying.size()) * 2;
      cl.notes.push_back("merge into one job in " + files[t.file].path +
                         " with strategy.matrix over " + std::to_string(cl.varying.size()) +
                         " varying value(s)");
    } else if (!ok) {
      cl.lines_after = t.Lines() + 8;
      cl.lines_after += static_cast<int>(cl.members.size() * (3 + cl.varying.size()));
    } else {
      // Build the reusable workflow and the callers.
      const std::string jid = Slug(unique);
      YOut doc = YOut::Map();
      doc.Add("name", YOut::S("Reusable " + unique));
      YOut on = YOut::Map();
      YOut wc = YOut::Map();
      if (!merger.inputs().empty()) {
        YOut ins = YOut::Map();
        for (const InputOut& in : merger.inputs()) {
          YOut d = YOut::Map();
          d.Add("description", YOut::S(in.description, false));
          d.Add("type", YOut::S(in.type));
          d.Add("required", YOut::S(in.required ? "true" : "false"));
          if (!in.def.empty()) d.Add("default", YOut::S(in.def));
          ins.Add(in.name, std::move(d));
        }
        wc.Add("inputs", std::move(ins));
      }
      YOut job_doc = YOut::Map();
      job_doc.Add(jid, merger.callee_job());
      std::string job_text = EmitDocument(job_doc);
      std::set<std::string> secrets = SecretsIn(job_text);
      for (const std::string& s : merger.secret_inputs()) secrets.insert(s);
      if (!secrets.empty()) {
        YOut sec = YOut::Map();
        for (const std::string& s : secrets) {
          YOut d = YOut::Map();
          d.Add("required", YOut::S("false"));
          sec.Add(s, std::move(d));
        }
        wc.Add("secrets", std::move(sec));
      }
      if (!merger.output_names().empty()) {
        YOut outs = YOut::Map();
        for (const std::string& o : merger.output_names()) {
          YOut d = YOut::Map();
          d.Add("value", YOut::S("${{ jobs." + jid + ".outputs." + o + " }}"));
          outs.Add(o, std::move(d));
        }
        wc.Add("outputs", std::move(outs));
      }
      on.Add("workflow_call", std::move(wc));
      doc.Add("on", std::move(on));
      // Permissions: the union of the members' explicit grants.
      {
        std::map<std::string, int> level;  // none 0, read 1, write 2
        bool all = true;
        for (size_t j : merger.active()) {
          KeyValue p = Get(jobs[j].node, "permissions");
          if (!p) p = Get(files[jobs[j].file].root, "permissions");
          if (!p || !IsMap(p.value)) {
            all = all && p && IsMap(p.value);
            continue;
          }
          for (const auto& kv : p.value) {
            std::string v = Str(kv.second);
            int l = v == "write" ? 2 : v == "read" ? 1 : 0;
            int& cur = level[Str(kv.first)];
            cur = std::max(cur, l);
          }
        }
        if (all) {
          YOut perms = YOut::Map();
          for (const auto& [scope, l] : level)
            perms.Add(scope, YOut::S(l == 2 ? "write" : l == 1 ? "read" : "none"));
          doc.Add("permissions", std::move(perms));
        }
      }
      YOut jobs_map = YOut::Map();
      jobs_map.Add(jid, merger.callee_job());
      doc.Add("jobs", std::move(jobs_map));
      std::string header = "# Generated by `gatehouse ci consolidate` from " +
                           std::to_string(merger.active().size()) + " near-duplicate jobs:\n";
      for (size_t j : merger.active())
        header += "#   " + files[jobs[j].file].path + ":" + std::to_string(jobs[j].line) + " (" +
                  jobs[j].id + ")\n";
      std::string callee = header + EmitDocument(doc);
      bool parses = true;
      try {
        (void)YAML::Load(callee);
      } catch (const YAML::Exception& e) {
        parses = false;
        diags.push_back(
            Diagnostic{DiagnosticKind::kNote, target, 0, 0,
                       std::string("internal: generated workflow does not parse: ") + e.what()});
      }
      if (parses) {
        plan.files.push_back(CiWrittenFile{target, callee, false});
        cl.lines_after += CountLines(callee);
        for (size_t j : merger.active()) {
          const JobRec& jr = jobs[j];
          const SourceFile& src = files[jr.file];
          auto kept = [](const std::string& k) {
            return k == "name" || k == "needs" || k == "if" || k == "strategy" ||
                   k == "permissions" || k == "concurrency";
          };
          YOut call = YOut::Map();
          call.Add("uses", YOut::S("./" + target));
          YOut with = YOut::Map();
          for (const auto& [k, v] : merger.with()[j]) with.Add(k, v);
          if (!with.keys.empty()) call.Add("with", std::move(with));
          YOut sec = YOut::Map();
          std::set<std::string> passed;
          for (const auto& [k, v] : merger.secrets()[j]) {
            sec.Add(k, YOut::S(v));
            passed.insert(k);
          }
          for (const std::string& s : SecretsIn(job_text))
            if (!passed.count(s)) sec.Add(s, YOut::S("${{ secrets." + s + " }}"));
          if (!sec.keys.empty()) call.Add("secrets", std::move(sec));
          // The keys the call keeps (needs, if, strategy, ...) are copied
          // from the source verbatim, comments and flow style included.
          std::vector<std::pair<int, std::string>> keys;
          int child_col = -1;
          bool raw = true;
          for (const auto& kv : jr.node) {
            keys.push_back({NodePos(kv.first).line, Str(kv.first)});
            int col = kv.first.Mark().column;
            if (child_col < 0) child_col = col;
            raw = raw && col == child_col;
          }
          std::sort(keys.begin(), keys.end());
          for (size_t i = 0; i < keys.size(); ++i)
            raw = raw && keys[i].first > jr.line && (i == 0 || keys[i].first > keys[i - 1].first);
          std::string text;
          if (raw && child_col > jr.indent) {
            text += std::string(src.Line(jr.line)) + "\n";
            for (size_t i = 0; i < keys.size(); ++i) {
              if (!kept(keys[i].second)) continue;
              int b = keys[i].first;
              int e = i + 1 < keys.size() ? keys[i + 1].first - 1 : jr.end_line;
              while (e > b && Trim(src.Line(e)).empty()) --e;
              for (int l = b; l <= e; ++l) text += std::string(src.Line(l)) + "\n";
            }
            EmitMap(call, child_col, &text);
          } else {
            YOut full = YOut::Map();
            for (const auto& kv : jr.node)
              if (kept(Str(kv.first))) full.Add(Str(kv.first), FromNode(kv.second));
            for (size_t k = 0; k < call.keys.size(); ++k)
              full.Add(call.keys[k], std::move(call.vals[k]));
            YOut wrapper = YOut::Map();
            wrapper.Add(jr.id, std::move(full));
            EmitMap(wrapper, jr.indent, &text);
          }
          cl.lines_after += CountLines(text);
          replacements[files[jr.file].path].push_back({jr.line, jr.end_line, text});
          touched.insert(files[jr.file].path);
        }
      } else {
        for (auto& s : cl.members) {
          s.writable = false;
          s.reason = "the generated workflow did not parse (a bug: please report it)";
        }
        cl.lines_after = cl.lines_before;
      }
      // Lines of members that stay as they are count on both sides.
      for (const auto& s : cl.members)
        if (!s.writable) cl.lines_after += s.lines;
    }
    plan.jobs_clustered += cl.members.size();
    plan.clusters.push_back(std::move(cl));
  }
  std::stable_sort(
      plan.clusters.begin(), plan.clusters.end(), [](const CiCluster& a, const CiCluster& b) {
        return a.LinesRemoved() != b.LinesRemoved() ? a.LinesRemoved() > b.LinesRemoved()
                                                    : a.members.size() > b.members.size();
      });
  for (size_t i = 0; i < plan.clusters.size(); ++i) {
    plan.clusters[i].id = static_cast<int>(i + 1);
    plan.lines_removed += plan.clusters[i].LinesRemoved();
  }
  std::set<std::string> wf_touched;
  for (const auto& cl : plan.clusters)
    for (const auto& m : cl.members) wf_touched.insert(m.path);
  plan.workflows_touched = wf_touched.size();

  // Rewritten callers: replace job blocks bottom-up.
  for (auto& [path, reps] : replacements) {
    const SourceFile* f = nullptr;
    for (const SourceFile& x : files)
      if (x.path == path) f = &x;
    if (!f) continue;
    std::sort(reps.begin(), reps.end(),
              [](const Replacement& a, const Replacement& b) { return a.line > b.line; });
    std::string text = f->text;
    if (!text.empty() && text.back() != '\n') text += '\n';
    SourceFile tmp;
    tmp.text = text;
    tmp.IndexLines();
    for (const Replacement& r : reps) {
      size_t b = tmp.line_starts[static_cast<size_t>(r.line - 1)];
      size_t e = static_cast<size_t>(r.end_line) < tmp.line_starts.size()
                     ? tmp.line_starts[static_cast<size_t>(r.end_line)]
                     : text.size();
      text.replace(b, e - b, r.text);
    }
    try {
      (void)YAML::Load(text);
      plan.files.push_back(CiWrittenFile{path, text, true});
    } catch (const YAML::Exception& e) {
      diags.push_back(
          Diagnostic{DiagnosticKind::kNote, path, 0, 0,
                     std::string("internal: rewritten workflow does not parse: ") + e.what()});
    }
  }
  std::sort(plan.files.begin(), plan.files.end(),
            [](const CiWrittenFile& a, const CiWrittenFile& b) { return a.path < b.path; });

  // Shared step sequences → composite actions.
  {
    const size_t min_len = opt.min_sequence, max_len = 12;
    struct Occ {
      size_t job, start;
    };
    struct Win {
      size_t len;
      std::vector<Occ> occ;
      size_t distinct = 0;  // distinct groups (a cluster counts once)
    };
    std::vector<Win> wins;
    for (size_t len = min_len; len <= max_len; ++len) {
      std::unordered_map<uint64_t, size_t> at;
      std::vector<Win> level;
      for (size_t j = 0; j < jobs.size(); ++j) {
        const auto& sig = jobs[j].sig;
        for (size_t s = 0; s + len <= sig.size(); ++s) {
          uint64_t h = 1469598103934665603ull ^ len;
          for (size_t k = 0; k < len; ++k) h = (h ^ sig[s + k]) * 1099511628211ull;
          auto [it, ins] = at.emplace(h, level.size());
          if (ins) level.push_back(Win{len, {}, 0});
          level[it->second].occ.push_back({j, s});
        }
      }
      bool any = false;
      for (Win& w : level) {
        std::set<size_t> d;
        for (const Occ& o : w.occ) d.insert(group[o.job]);
        w.distinct = d.size();
        if (w.distinct >= opt.min_sequence_jobs) {
          any = true;
          wins.push_back(std::move(w));
        }
      }
      if (!any) break;
    }
    std::stable_sort(wins.begin(), wins.end(), [](const Win& a, const Win& b) {
      size_t sa = a.len * a.distinct, sb = b.len * b.distinct;
      return sa != sb ? sa > sb : a.len > b.len;
    });
    std::map<size_t, std::vector<std::pair<size_t, size_t>>> used;  // job -> [start, end)
    std::set<std::string> seq_names;
    for (const Win& w : wins) {
      if (plan.sequences.size() >= opt.max_sequences) break;
      std::vector<Occ> sites;
      std::set<size_t> seen;
      for (const Occ& o : w.occ) {
        if (seen.count(group[o.job])) continue;
        bool overlap = false;
        for (const auto& [b, e] : used[o.job])
          overlap = overlap || (o.start < e && b < o.start + w.len);
        if (overlap) continue;
        seen.insert(group[o.job]);
        sites.push_back(o);
      }
      if (sites.size() < opt.min_sequence_jobs) continue;
      CiStepSequence sq;
      const JobRec& first = jobs[sites[0].job];
      std::string name;
      bool deps = false;
      for (size_t k = 0; k < w.len; ++k) {
        const std::string& d = first.steps[sites[0].start + k].display;
        size_t p = d.find("setup-");
        if (name.empty() && p != std::string::npos) {
          size_t e = d.find_first_of(" (@", p);
          name = Slug(d.substr(p, e == std::string::npos ? std::string::npos : e - p));
        }
        for (std::string_view inst : {"npm ci", "npm install", "yarn install", "pnpm install",
                                      "pip install", "poetry install", "go mod download",
                                      "bundle install", "uv sync", "composer install", "restore"})
          if (d.find(inst) != std::string::npos) deps = true;
        sq.steps.push_back(d);
      }
      if (name.empty()) name = "shared-steps";
      if (deps) name += "-deps";
      std::string unique = name;
      for (int i = 2; seq_names.count(unique); ++i) unique = name + "-" + std::to_string(i);
      seq_names.insert(unique);
      sq.name = unique;
      sq.target = ".github/actions/" + unique + "/action.yml";
      int template_lines = 0;
      for (const Occ& o : sites) {
        const JobRec& j = jobs[o.job];
        CiJobSite s = Site(files, j, 1.0);
        s.line = j.steps[o.start].line;
        s.end_line = j.steps[o.start + w.len - 1].end_line;
        s.lines = s.end_line - s.line + 1;
        s.steps = static_cast<int>(w.len);
        if (!template_lines) template_lines = s.lines;
        sq.lines_removed += s.lines - 3;
        sq.sites.push_back(std::move(s));
        used[o.job].push_back({o.start, o.start + w.len});
      }
      sq.lines_removed -= template_lines + 8;
      if (sq.lines_removed < 5) continue;
      sq.id = static_cast<int>(plan.sequences.size() + 1);
      plan.sequences.push_back(std::move(sq));
    }
  }
  plan.diagnostics = std::move(diags);
  return plan;
}

// ---- rendering ----------------------------------------------------------------------------

std::string Fixed(double v, int prec = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

std::string Count(uint64_t n) {
  const std::string d = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) s += ',';
    s += d[i];
  }
  return s;
}

std::string Signed(int64_t v) {
  return (v > 0 ? "+" : v < 0 ? "−" : "±") + std::to_string(v < 0 ? -v : v);
}

std::string VaryingText(const CiVarying& v) {
  std::string s = v.input.empty() ? v.where : v.input;
  s += " (" + std::to_string(v.distinct) + " value" + (v.distinct == 1 ? "" : "s");
  if (v.type == "secret") {
    s += ", secret";
  } else if (!v.values.empty() && v.distinct <= 4) {
    s += ": ";
    for (size_t i = 0; i < v.values.size(); ++i) s += (i ? ", " : "") + v.values[i];
  }
  return s + ")";
}

std::set<std::string> WorkflowsOf(const std::vector<CiJobSite>& sites) {
  std::set<std::string> s;
  for (const auto& x : sites) s.insert(x.path);
  return s;
}

}  // namespace
}  // namespace ci

using ci::Count;
using ci::Fixed;

ConsolidationPlan PlanConsolidationFiles(const std::vector<CiFile>& files,
                                         const ConsolidateOptions& options) {
  std::vector<ci::PendingFile> pending;
  for (const CiFile& f : files)
    pending.push_back({f.path, f.content, ci::ClassifyPath(f.path, false)});
  std::vector<Diagnostic> diags;
  std::vector<ci::SourceFile> parsed = ci::ParseFiles(std::move(pending), options.threads, &diags);
  return ci::Plan(std::move(parsed), std::move(diags), options, ".");
}

Result<ConsolidationPlan> PlanConsolidation(const std::string& root,
                                            const ConsolidateOptions& options) {
  auto tree = ci::ReadCiTree(root, options.include, options.exclude, options.gitignore, 4ull << 20,
                             options.threads);
  if (!tree.ok()) return tree.error();
  std::vector<Diagnostic> diags = std::move(tree->diagnostics);
  std::vector<ci::SourceFile> parsed =
      ci::ParseFiles(std::move(tree->files), options.threads, &diags);
  return ci::Plan(std::move(parsed), std::move(diags), options, root);
}

Status WriteConsolidation(const ConsolidationPlan& plan, const std::string& dir) {
  for (const CiWrittenFile& f : plan.files) {
    std::filesystem::path p = std::filesystem::path(dir) / f.path;
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec)
      return MakeError(ErrorCode::kIo, "cannot create directory: " + ec.message(),
                       p.parent_path().string());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
    out.close();
    if (!out) return MakeError(ErrorCode::kIo, "cannot write file", p.string());
  }
  return Status::Ok();
}

Result<ConsolidationCheck> CheckConsolidation(const std::string& root,
                                              const ConsolidationPlan& plan, unsigned threads) {
  auto tree = ci::ReadCiTree(root, {}, {}, true, 4ull << 20, threads);
  if (!tree.ok()) return tree.error();
  std::map<std::string, const CiWrittenFile*> written;
  for (const CiWrittenFile& f : plan.files) written[f.path] = &f;
  std::vector<CiFile> before, after;
  std::set<std::string> touched;
  for (const auto& f : tree->files) {
    before.push_back({f.path, f.content});
    auto it = written.find(f.path);
    after.push_back({f.path, it == written.end() ? f.content : it->second->content});
  }
  for (const CiWrittenFile& f : plan.files) {
    touched.insert(f.path);
    bool exists = false;
    for (const auto& b : before) exists = exists || b.path == f.path;
    if (!exists) after.push_back({f.path, f.content});
  }
  CiOptions o;
  o.check_credentials = false;
  o.threads = threads;
  CiResult rb = AnalyzeCiFiles(before, o), ra = AnalyzeCiFiles(after, o);
  std::map<std::string, size_t> was, now;
  for (const Finding& f : rb.report.findings)
    if (f.severity >= Severity::kHigh && touched.count(f.location.path)) was[f.rule_id]++;
  for (const Finding& f : ra.report.findings)
    if (f.severity >= Severity::kHigh && touched.count(f.location.path)) now[f.rule_id]++;
  ConsolidationCheck check;
  check.files = after.size();
  for (const Finding& f : ra.report.findings) {
    if (f.severity < Severity::kHigh || !touched.count(f.location.path)) continue;
    if (f.rule_id == "ci-yaml-syntax") check.parses = false;
    if (now[f.rule_id] > was[f.rule_id])
      check.introduced.push_back(f);
    else
      ++check.carried_over;
  }
  return check;
}

std::string RenderPlanText(const ConsolidationPlan& plan, bool color) {
  auto bold = [&](const std::string& s) { return color ? "\033[1m" + s + "\033[0m" : s; };
  std::string out;
  out += bold("Consolidation plan") + " for " + plan.root + ": " + Count(plan.workflows) +
         " workflows · " + Count(plan.jobs) + " jobs · " + Count(plan.steps) + " steps · " +
         Count(plan.lines) + " lines (threshold " + Fixed(plan.threshold) + ")\n";
  if (plan.clusters.empty()) {
    out += "No near-duplicate jobs found.\n";
  } else {
    int64_t pct = plan.lines ? plan.lines_removed * 100 / static_cast<int64_t>(plan.lines) : 0;
    out +=
        Count(plan.clusters.size()) + " cluster" + (plan.clusters.size() == 1 ? "" : "s") +
        " cover " + Count(plan.jobs_clustered) + " jobs in " + Count(plan.workflows_touched) +
        " workflows; applying the plan changes the YAML by " + ci::Signed(-plan.lines_removed) +
        " lines (" + ci::Signed(-pct) + "%)" +
        (plan.lines_removed < 0 ? ": the duplicates are short, the gain is one place to change them"
                                : "") +
        "\n";
  }
  for (const CiCluster& c : plan.clusters) {
    size_t writable = 0;
    for (const auto& m : c.members) writable += m.writable;
    out += "\n" + bold("[" + std::to_string(c.id) + "] " + c.name) + " → " + c.target + " (" +
           (c.kind == "matrix" ? "one job with a matrix" : "reusable workflow") + ")\n";
    out += "    " + std::to_string(c.members.size()) + " jobs in " +
           std::to_string(ci::WorkflowsOf(c.members).size()) + " workflow(s) · similarity " +
           Fixed(c.min_similarity) + "–1.00 (mean " + Fixed(c.mean_similarity) + ") · " +
           std::to_string(c.lines_before) + " → " + std::to_string(c.lines_after) + " lines (" +
           ci::Signed(-c.LinesRemoved()) + ")";
    if (c.kind != "matrix") out += " · " + std::to_string(writable) + " rewritable by --write";
    out += "\n    steps: ";
    for (size_t i = 0; i < c.signature.size(); ++i) out += (i ? " → " : "") + c.signature[i];
    out += "\n";
    if (!c.varying.empty()) {
      out += "    inputs: ";
      for (size_t i = 0; i < c.varying.size(); ++i)
        out += (i ? " · " : "") + ci::VaryingText(c.varying[i]);
      out += "\n";
    }
    for (const auto& n : c.notes) out += "    note: " + n + "\n";
    out += "    jobs:\n";
    size_t shown = 0;
    for (const auto& m : c.members) {
      if (shown++ == 12) {
        out += "      … and " + std::to_string(c.members.size() - 12) +
               " more (--format json lists all)\n";
        break;
      }
      out += "      " + m.path + ":" + std::to_string(m.line) + "  " + m.job + "  " +
             Fixed(m.similarity) +
             (m.writable || c.kind == "matrix" ? "" : "  (kept: " + m.reason + ")") + "\n";
    }
  }
  if (!plan.sequences.empty()) {
    out += "\n" + bold("Composite-action candidates") + " (step sequences shared across jobs)\n";
    for (const CiStepSequence& s : plan.sequences) {
      out += "  [" + std::string(1, static_cast<char>('A' + (s.id - 1) % 26)) + "] " + s.name +
             " → " + s.target + ": " + std::to_string(s.steps.size()) + " steps in " +
             std::to_string(s.sites.size()) + " jobs (" +
             std::to_string(ci::WorkflowsOf(s.sites).size()) + " workflows), ~" +
             std::to_string(s.lines_removed) + " lines\n      ";
      for (size_t i = 0; i < s.steps.size(); ++i) out += (i ? " → " : "") + s.steps[i];
      out += "\n";
    }
  }
  if (!plan.files.empty()) {
    out += "\n--write DIR writes " + std::to_string(plan.files.size()) + " file(s):\n";
    for (const auto& f : plan.files)
      out += "  " + f.path +
             (f.rewritten_caller ? " (rewritten caller)" : " (new reusable workflow)") + "\n";
  }
  if (!plan.diagnostics.empty()) {
    out += "\n" + std::to_string(plan.diagnostics.size()) + " note(s):\n";
    for (const auto& d : plan.diagnostics)
      out += "  " + d.path + (d.line ? ":" + std::to_string(d.line) : "") + ": " + d.message + "\n";
  }
  return out;
}

std::string RenderPlanMarkdown(const ConsolidationPlan& plan) {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '|')
        o += "\\|";
      else if (c == '\n')
        o += ' ';
      else
        o += c;
    }
    return o;
  };
  std::string out = "# Workflow consolidation plan\n\n";
  out += Count(plan.workflows) + " workflows, " + Count(plan.jobs) + " jobs, " + Count(plan.steps) +
         " steps, " + Count(plan.lines) + " lines; threshold " + Fixed(plan.threshold) + ".\n\n";
  if (plan.clusters.empty())
    out += "No near-duplicate jobs found.\n";
  else
    out +=
        "| # | cluster | target | jobs | workflows | similarity | lines removed "
        "|\n|---|---|---|---|---|---|---|\n";
  for (const CiCluster& c : plan.clusters)
    out += "| " + std::to_string(c.id) + " | " + esc(c.name) + " | `" + esc(c.target) + "` | " +
           std::to_string(c.members.size()) + " | " +
           std::to_string(ci::WorkflowsOf(c.members).size()) + " | " + Fixed(c.min_similarity) +
           "–1.00 | " + std::to_string(c.LinesRemoved()) + " |\n";
  for (const CiCluster& c : plan.clusters) {
    out += "\n## " + std::to_string(c.id) + ". " + esc(c.name) + "\n\n";
    out += "Steps: ";
    for (size_t i = 0; i < c.signature.size(); ++i)
      out += (i ? " → " : "") + std::string("`") + esc(c.signature[i]) + "`";
    out += "\n\n";
    if (!c.varying.empty()) {
      out += "Inputs: ";
      for (size_t i = 0; i < c.varying.size(); ++i)
        out += (i ? ", " : "") + esc(ci::VaryingText(c.varying[i]));
      out += "\n\n";
    }
    out += "| job | similarity | rewritable |\n|---|---|---|\n";
    for (const auto& m : c.members)
      out += "| `" + esc(m.path) + ":" + std::to_string(m.line) + "` " + esc(m.job) + " | " +
             Fixed(m.similarity) + " | " + (m.writable ? "yes" : esc(m.reason)) + " |\n";
  }
  if (!plan.sequences.empty()) {
    out +=
        "\n## Composite-action candidates\n\n| action | steps | jobs | lines removed "
        "|\n|---|---|---|---|\n";
    for (const auto& s : plan.sequences) {
      std::string st;
      for (size_t i = 0; i < s.steps.size(); ++i) st += (i ? " → " : "") + s.steps[i];
      out += "| `" + esc(s.target) + "` | " + esc(st) + " | " + std::to_string(s.sites.size()) +
             " | " + std::to_string(s.lines_removed) + " |\n";
    }
  }
  return out;
}

std::string RenderPlanJson(const ConsolidationPlan& plan) {
  using OJson = nlohmann::ordered_json;
  auto site = [](const CiJobSite& s) {
    OJson j = OJson::object();
    j["path"] = s.path;
    j["job"] = s.job;
    j["line"] = s.line;
    j["end_line"] = s.end_line;
    j["lines"] = s.lines;
    j["steps"] = s.steps;
    j["similarity"] = std::round(s.similarity * 1000) / 1000;
    j["writable"] = s.writable;
    if (!s.reason.empty()) j["reason"] = s.reason;
    return j;
  };
  OJson j = OJson::object();
  j["schema_version"] = 1;
  j["tool"] = {{"name", "gatehouse"}, {"version", GATEHOUSE_VERSION}};
  j["command"] = "ci consolidate";
  j["root"] = plan.root;
  j["threshold"] = plan.threshold;
  j["summary"] = {{"workflows", plan.workflows},
                  {"jobs", plan.jobs},
                  {"steps", plan.steps},
                  {"lines", plan.lines},
                  {"clusters", plan.clusters.size()},
                  {"jobs_clustered", plan.jobs_clustered},
                  {"workflows_touched", plan.workflows_touched},
                  {"lines_removed", plan.lines_removed},
                  {"composite_action_candidates", plan.sequences.size()}};
  OJson clusters = OJson::array();
  for (const CiCluster& c : plan.clusters) {
    OJson x = OJson::object();
    x["id"] = c.id;
    x["name"] = c.name;
    x["kind"] = c.kind;
    x["target"] = c.target;
    x["similarity"] = {{"min", std::round(c.min_similarity * 1000) / 1000},
                       {"mean", std::round(c.mean_similarity * 1000) / 1000}};
    x["signature"] = c.signature;
    OJson vary = OJson::array();
    for (const CiVarying& v : c.varying)
      vary.push_back({{"where", v.where},
                      {"input", v.input},
                      {"type", v.type},
                      {"distinct", v.distinct},
                      {"values", v.type == "secret" ? std::vector<std::string>{} : v.values}});
    x["varying"] = std::move(vary);
    x["notes"] = c.notes;
    x["lines_before"] = c.lines_before;
    x["lines_after"] = c.lines_after;
    x["lines_removed"] = c.LinesRemoved();
    OJson members = OJson::array();
    for (const auto& m : c.members) members.push_back(site(m));
    x["members"] = std::move(members);
    clusters.push_back(std::move(x));
  }
  j["clusters"] = std::move(clusters);
  OJson seqs = OJson::array();
  for (const CiStepSequence& s : plan.sequences) {
    OJson x = OJson::object();
    x["id"] = s.id;
    x["name"] = s.name;
    x["target"] = s.target;
    x["steps"] = s.steps;
    x["lines_removed"] = s.lines_removed;
    OJson sites = OJson::array();
    for (const auto& m : s.sites) sites.push_back(site(m));
    x["sites"] = std::move(sites);
    seqs.push_back(std::move(x));
  }
  j["composite_actions"] = std::move(seqs);
  OJson files = OJson::array();
  for (const auto& f : plan.files)
    files.push_back(
        {{"path", f.path}, {"kind", f.rewritten_caller ? "caller" : "reusable-workflow"}});
  j["files"] = std::move(files);
  OJson diags = OJson::array();
  for (const auto& d : plan.diagnostics)
    diags.push_back({{"kind", DiagnosticKindName(d.kind)},
                     {"path", d.path},
                     {"line", d.line},
                     {"message", d.message}});
  j["diagnostics"] = std::move(diags);
  return j.dump(2, ' ', false, OJson::error_handler_t::replace) + "\n";
}

}  // namespace gatehouse
