// The secret scan pipeline: configuration → rules → engine, then for each
// file: never-commit check, engine matches, Terraform checks, allowlists and
// inline markers → Findings. Baseline and ignore-file suppression run once at
// the end (Finish), so history scans can reuse ScanContent per blob.
#include <re2/re2.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <unordered_set>

#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/secrets_scan.h"
#include "gatehouse/walk.h"

namespace gatehouse {

namespace {

struct CompiledAllowlist {
  bool require_all = false;
  std::unordered_set<std::string> commits;
  std::vector<std::unique_ptr<RE2>> paths;
  std::vector<std::unique_ptr<RE2>> regexes;
  RegexTarget target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;
  std::unordered_set<std::string> target_rules;

  bool OnlyPaths() const {
    return !paths.empty() && commits.empty() && regexes.empty() && stopwords.empty();
  }
};

bool AnyMatch(const std::vector<std::unique_ptr<RE2>>& res, std::string_view s) {
  re2::StringPiece sp(s.data(), s.size());
  for (const auto& re : res)
    if (RE2::PartialMatch(sp, *re)) return true;
  return false;
}

// gitleaks semantics: OR = any criterion that is set matches; AND = every
// criterion that is set matches.
bool Allowed(const CompiledAllowlist& a, std::string_view path, std::string_view commit,
             std::string_view secret, std::string_view match, std::string_view line) {
  std::string_view target = a.target == RegexTarget::kSecret  ? secret
                            : a.target == RegexTarget::kMatch ? match
                                                              : line;
  int set = 0, hit = 0;
  if (!a.commits.empty()) {
    ++set;
    if (!commit.empty() && a.commits.count(std::string(commit))) ++hit;
  }
  if (!a.paths.empty()) {
    ++set;
    if (AnyMatch(a.paths, path)) ++hit;
  }
  if (!a.regexes.empty()) {
    ++set;
    if (AnyMatch(a.regexes, target)) ++hit;
  }
  if (!a.stopwords.empty()) {
    ++set;
    std::string low = AsciiLower(secret);
    for (const auto& w : a.stopwords)
      if (!w.empty() && low.find(w) != std::string::npos) {
        ++hit;
        break;
      }
  }
  if (set == 0) return false;
  return a.require_all ? hit == set : hit > 0;
}

// Offsets → 1-based line numbers, advancing monotonically through a file.
class LineCounter {
 public:
  explicit LineCounter(std::string_view data) : data_(data) {}
  int LineAt(size_t off) {
    if (off < pos_) {  // rewind (rare: matches are sorted by start)
      pos_ = 0;
      line_ = 1;
    }
    for (; pos_ < off && pos_ < data_.size(); ++pos_)
      if (data_[pos_] == '\n') ++line_;
    return line_;
  }
  size_t LineStart(size_t off) const {
    size_t s = data_.rfind('\n', off == 0 ? 0 : off - 1);
    return (off == 0 || s == std::string_view::npos) ? 0 : s + 1;
  }
  size_t LineEnd(size_t off) const {
    size_t e = data_.find('\n', off);
    return e == std::string_view::npos ? data_.size() : e;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  int line_ = 1;
};

// A printable, bounded evidence snippet of one line with the secret replaced.
std::string Evidence(std::string_view line, size_t secret_from, size_t secret_to,
                     std::string_view replacement) {
  constexpr size_t kContext = 60;
  size_t from = secret_from > kContext ? secret_from - kContext : 0;
  size_t to = std::min(line.size(), secret_to + kContext);
  std::string out;
  if (from > 0) out += "…";
  auto clean = [&](std::string_view s) {
    for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  };
  clean(line.substr(from, secret_from - from));
  out += replacement;
  if (secret_to < to) clean(line.substr(secret_to, to - secret_to));
  if (to < line.size()) out += "…";
  // Trim leading indentation: it carries no information.
  size_t b = out.find_first_not_of(" \t");
  return b == std::string::npos ? out : out.substr(b);
}

std::string Fingerprint(std::string_view rule, std::string_view path, std::string_view secret) {
  std::string key(rule);
  key += '\n';
  key += path;
  key += '\n';
  key += Sha256Hex(secret);
  return Sha256Hex(key).substr(0, 32);
}

bool HasInlineAllow(std::string_view line) {
  return line.find("gitleaks:allow") != std::string_view::npos ||
         line.find("gatehouse:allow") != std::string_view::npos;
}

}  // namespace

struct SecretScanner::Impl {
  SecretsOptions options;
  Config config;
  std::vector<Diagnostic> load_diagnostics;
  std::unique_ptr<SecretEngine> engine;
  std::vector<CompiledAllowlist> global_allow;
  std::vector<std::vector<CompiledAllowlist>> rule_allow;  // per engine rule
  mutable std::vector<std::once_flag> rule_allow_once;
  bool lazy_rule_allow = false;
  std::unordered_set<std::string> baseline;      // fingerprints
  std::unordered_set<std::string> ignore_lines;  // .gitleaksignore entries
  std::vector<std::string> never_commit_allow;   // globs
  Severity fail_on = Severity::kLow;

  Status CompileAllowlist(const Allowlist& a, const std::string& where, bool lenient,
                          CompiledAllowlist* out) {
    out->require_all = a.require_all;
    out->commits.insert(a.commits.begin(), a.commits.end());
    out->target = a.regex_target;
    out->stopwords = a.stopwords;
    out->target_rules.insert(a.target_rules.begin(), a.target_rules.end());
    auto compile = [&](const std::vector<std::string>& in,
                       std::vector<std::unique_ptr<RE2>>* res) -> Status {
      for (const auto& p : in) {
        RE2::Options opt;
        opt.set_log_errors(false);
        auto re = std::make_unique<RE2>(p, opt);
        if (!re->ok()) {
          std::string msg =
              where + ": allowlist regex '" + p + "' does not compile: " + re->error();
          if (!lenient) return MakeError(ErrorCode::kConfig, msg, config.path);
          load_diagnostics.push_back(
              {DiagnosticKind::kConfig, config.path, 0, 0, msg + " (ignored)"});
          continue;
        }
        res->push_back(std::move(re));
      }
      return {};
    };
    if (auto st = compile(a.paths, &out->paths); !st.ok()) return st;
    return compile(a.regexes, &out->regexes);
  }

  bool GloballyAllowed(std::string_view rule_id, std::string_view path, std::string_view commit,
                       std::string_view secret, std::string_view match,
                       std::string_view line) const {
    for (const auto& a : global_allow) {
      if (!a.target_rules.empty() && !a.target_rules.count(std::string(rule_id))) continue;
      if (Allowed(a, path, commit, secret, match, line)) return true;
    }
    return false;
  }

  Status CompileRuleAllowlists(size_t i, bool lenient) {
    const SecretRule& rule = engine->rules().rules[i];
    for (const auto& a : rule.allowlists) {
      CompiledAllowlist ca;
      if (auto st = CompileAllowlist(a, "rule '" + rule.id + "'", lenient, &ca); !st.ok())
        return st;
      rule_allow[i].push_back(std::move(ca));
    }
    return {};
  }

  const std::vector<CompiledAllowlist>& RuleAllowlists(size_t i) const {
    if (lazy_rule_allow) {
      auto* self = const_cast<Impl*>(this);
      std::call_once(self->rule_allow_once[i], [&] { (void)self->CompileRuleAllowlists(i, true); });
    }
    return rule_allow[i];
  }

  bool FileAllowed(std::string_view path) const {
    for (const auto& a : global_allow)
      if (a.target_rules.empty() && !a.require_all && !a.paths.empty() && AnyMatch(a.paths, path))
        return true;
    return false;
  }
};

SecretScanner::SecretScanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SecretScanner::~SecretScanner() = default;
const Config& SecretScanner::config() const { return impl_->config; }
const std::vector<Diagnostic>& SecretScanner::load_diagnostics() const {
  return impl_->load_diagnostics;
}
Severity SecretScanner::default_fail_on() const { return impl_->fail_on; }
std::vector<std::string> SecretScanner::Keywords() const { return impl_->engine->Keywords(); }

Result<std::unique_ptr<SecretScanner>> SecretScanner::Create(const std::string& root,
                                                             const SecretsOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;

  // 1. Configuration: --config is YAML or gitleaks TOML (told apart by content).
  std::string gitleaks_path;
  if (!options.config_path.empty()) {
    auto text = ReadFileToString(options.config_path);
    if (!text.ok()) {
      Error e = text.error();
      e.message = "cannot read configuration: " + e.message;
      return e;
    }
    if (LooksLikeToml(*text)) {
      gitleaks_path = options.config_path;
    } else {
      auto c = ParseConfig(*text, options.config_path);
      if (!c.ok()) return c.error();
      impl->config = std::move(c).value();
    }
  } else {
    auto c = LoadConfig(root, "");
    if (!c.ok()) return c.error();
    impl->config = std::move(c).value();
  }
  const SecretsConfig& sc = impl->config.secrets;
  std::filesystem::path root_dir(root);
  std::error_code ec;
  if (!std::filesystem::is_directory(root_dir, ec)) root_dir = root_dir.parent_path();
  if (gitleaks_path.empty()) gitleaks_path = sc.gitleaks_config;
  if (gitleaks_path.empty() && options.config_path.empty()) {
    auto auto_path = root_dir / ".gitleaks.toml";
    if (std::filesystem::exists(auto_path, ec)) gitleaks_path = auto_path.string();
  }

  // 2. Rules.
  RuleSet rules;
  bool lenient = false;
  if (!gitleaks_path.empty()) {
    auto text = ReadFileToString(gitleaks_path);
    if (!text.ok()) {
      Error e = text.error();
      e.message = "cannot read gitleaks configuration: " + e.message;
      return e;
    }
    auto r = LoadGitleaksToml(*text, gitleaks_path);
    if (!r.ok()) return r.error();
    rules = std::move(r).value();
    lenient = true;
    impl->load_diagnostics.insert(impl->load_diagnostics.end(), rules.diagnostics.begin(),
                                  rules.diagnostics.end());
  } else if (sc.use_default_rules) {
    rules = DefaultRuleSet();
  }
  // Rules from .gatehouse.yaml (validated with positions while parsing) add
  // to the set, replacing a rule with the same id.
  for (const auto& r : sc.rules) {
    auto it = std::find_if(rules.rules.begin(), rules.rules.end(),
                           [&](const SecretRule& b) { return b.id == r.id; });
    if (it != rules.rules.end())
      *it = r;
    else
      rules.rules.push_back(r);
    if (rules.source == "builtin") rules.source = impl->config.path;
  }
  if (!sc.disabled_rules.empty()) {
    std::unordered_set<std::string> off(sc.disabled_rules.begin(), sc.disabled_rules.end());
    std::erase_if(rules.rules, [&](const SecretRule& r) { return off.count(r.id) > 0; });
  }

  // 3. Engine.
  auto engine = SecretEngine::Compile(rules, lenient, &impl->load_diagnostics);
  if (!engine.ok()) return engine.error();
  impl->engine = std::move(engine).value();
  const RuleSet& compiled = impl->engine->rules();

  // 4. Allowlists: the rule set's global ones, then the YAML ones.
  for (const auto& a : compiled.allowlists) {
    CompiledAllowlist ca;
    if (auto st = impl->CompileAllowlist(a, "global allowlist", lenient, &ca); !st.ok())
      return st.error();
    impl->global_allow.push_back(std::move(ca));
  }
  for (const auto& a : sc.allowlists) {
    CompiledAllowlist ca;
    if (auto st = impl->CompileAllowlist(a, "secrets.allowlists", false, &ca); !st.ok())
      return st.error();
    impl->global_allow.push_back(std::move(ca));
  }
  impl->rule_allow.resize(compiled.rules.size());
  impl->rule_allow_once = std::vector<std::once_flag>(compiled.rules.size());
  // The built-in rules' allowlists are checked by the test suite and compile
  // lazily, on a rule's first match; a user's rules are compiled (and their
  // errors reported) now.
  impl->lazy_rule_allow = compiled.source == "builtin";
  if (!impl->lazy_rule_allow) {
    for (size_t i = 0; i < compiled.rules.size(); ++i) {
      Status st;
      std::call_once(impl->rule_allow_once[i],
                     [&] { st = impl->CompileRuleAllowlists(i, lenient); });
      if (!st.ok()) return st.error();
    }
  }
  impl->never_commit_allow = sc.never_commit_allow;
  impl->fail_on = sc.fail_on.value_or(Severity::kLow);

  // 5. .gitleaksignore at the root: gitleaks fingerprints or ours.
  auto ignore_path = root_dir / ".gitleaksignore";
  if (std::filesystem::exists(ignore_path, ec)) {
    auto text = ReadFileToString(ignore_path.string());
    if (text.ok()) {
      size_t pos = 0;
      while (pos < text->size()) {
        size_t eol = text->find('\n', pos);
        std::string line =
            text->substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? text->size() : eol + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty() && line[0] != '#') impl->ignore_lines.insert(line);
      }
    }
  }

  // 6. Baseline: fingerprints of an earlier JSON report.
  std::string baseline = options.baseline_path.empty() ? sc.baseline : options.baseline_path;
  if (!baseline.empty()) {
    auto text = ReadFileToString(baseline);
    if (!text.ok()) {
      Error e = text.error();
      e.message = "cannot read baseline: " + e.message;
      return e;
    }
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("findings") || !j["findings"].is_array())
      return MakeError(ErrorCode::kParse,
                       "baseline is not a gatehouse JSON report (expected an object with a "
                       "\"findings\" array; create one with --format json)",
                       baseline);
    for (const auto& f : j["findings"]) {
      if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
        impl->baseline.insert(f["fingerprint"].get<std::string>());
    }
  }
  return std::unique_ptr<SecretScanner>(new SecretScanner(std::move(impl)));
}

std::vector<RuleInfo> SecretScanner::RuleInfos() const {
  std::vector<RuleInfo> out;
  for (const auto& r : impl_->engine->rules().rules) {
    RuleInfo info;
    info.id = r.id;
    info.title = r.title;
    info.description = r.description.empty() ? r.title : r.description;
    info.remediation = r.remediation.empty()
                           ? "Revoke and rotate the credential, remove it from the code, and load "
                             "it from a secret manager or the CI secret store at run time."
                           : r.remediation;
    info.help_uri = r.help_uri;
    info.severity = r.severity;
    info.area = Area::kSecurity;
    info.tags = r.tags;
    info.tags.insert(info.tags.begin(), "secrets");
    out.push_back(std::move(info));
  }
  for (auto& r : FileRuleInfos()) out.push_back(std::move(r));
  return out;
}

void SecretScanner::ScanContent(std::string_view path, std::string_view data,
                                const ContentContext& ctx, std::vector<Finding>* out) const {
  const Impl& im = *impl_;
  if (im.FileAllowed(path)) return;
  const bool redact = im.options.redact;

  auto base_finding = [&](const std::string& rule_id, const std::string& title, Severity sev,
                          Confidence conf) {
    Finding f;
    f.rule_id = rule_id;
    f.title = title;
    f.area = Area::kSecurity;
    f.severity = sev;
    f.confidence = conf;
    f.location.path = std::string(path);
    if (!ctx.commit.empty()) {
      f.properties["commit"] = ctx.commit;
      if (!ctx.author.empty()) f.properties["author"] = ctx.author;
      if (!ctx.email.empty()) f.properties["email"] = ctx.email;
      if (!ctx.date.empty()) f.properties["date"] = ctx.date;
    }
    return f;
  };

  // Never-commit files: a finding by themselves, text or binary.
  if (im.config.secrets.never_commit_files) {
    bool exempt = false;
    for (const auto& g : im.never_commit_allow)
      if (GlobMatch(g, path)) exempt = true;
    if (const RuleInfo* rule = exempt ? nullptr : NeverCommitRule(path, data)) {
      if (!im.GloballyAllowed(rule->id, path, ctx.commit, "", "", "")) {
        Finding f = base_finding(rule->id, rule->title, rule->severity, Confidence::kHigh);
        f.message = rule->title + ": " + std::string(path);
        f.remediation = rule->remediation;
        f.help_uri = rule->help_uri;
        f.fingerprint = Fingerprint(rule->id, path, "");
        f.properties["gitleaks_fingerprint"] = (ctx.commit.empty() ? "" : ctx.commit + ":") +
                                               std::string(path) + ":" + rule->id + ":0";
        out->push_back(std::move(f));
      }
    }
  }
  if (LooksBinary(data)) return;

  LineCounter lines(data);
  const RuleSet& rs = im.engine->rules();
  std::vector<SecretMatch> matches = im.engine->Scan(path, data);
  // One finding per secret: when several rules match overlapping secret
  // spans, keep the most specific (severity, then a vendor rule over a
  // generic one, then confidence) and name the others in `also_matched`.
  std::vector<std::string> also(matches.size());
  {
    auto generic = [&](const SecretRule& r) {
      return r.id.starts_with("generic") ||
             std::find(r.tags.begin(), r.tags.end(), "generic") != r.tags.end();
    };
    auto better = [&](const SecretMatch& a, const SecretMatch& b) {
      const SecretRule &ra = rs.rules[a.rule], &rb = rs.rules[b.rule];
      if (ra.severity != rb.severity) return ra.severity > rb.severity;
      if (generic(ra) != generic(rb)) return !generic(ra);
      if (ra.confidence != rb.confidence) return ra.confidence > rb.confidence;
      return a.rule < b.rule;
    };
    std::vector<size_t> order(matches.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return matches[a].secret_start < matches[b].secret_start;
    });
    std::vector<bool> keep(matches.size(), true);
    for (size_t i = 0; i < order.size();) {
      size_t j = i, best = order[i];
      size_t group_end = matches[order[i]].secret_end;
      const bool whole_file = matches[order[i]].end == 0;
      while (++j < order.size() && !whole_file && matches[order[j]].end != 0 &&
             matches[order[j]].secret_start < group_end) {
        group_end = std::max(group_end, matches[order[j]].secret_end);
        if (better(matches[order[j]], matches[best])) best = order[j];
      }
      for (size_t k = i; k < j; ++k) {
        if (order[k] == best) continue;
        keep[order[k]] = false;
        std::string& a = also[best];
        a += (a.empty() ? "" : ",") + rs.rules[matches[order[k]].rule].id;
      }
      i = j;
    }
    std::vector<SecretMatch> kept;
    std::vector<std::string> kept_also;
    for (size_t i = 0; i < matches.size(); ++i)
      if (keep[i]) kept.push_back(matches[i]), kept_also.push_back(std::move(also[i]));
    matches = std::move(kept);
    also = std::move(kept_also);
  }
  for (size_t mi = 0; mi < matches.size(); ++mi) {
    const SecretMatch& m = matches[mi];
    const SecretRule& rule = rs.rules[m.rule];
    std::string_view secret = data.substr(m.secret_start, m.secret_end - m.secret_start);
    std::string_view match = data.substr(m.start, m.end - m.start);
    const bool whole_file = m.end == 0 && m.start == 0;
    size_t ls = lines.LineStart(m.secret_start), le = lines.LineEnd(m.secret_start);
    std::string_view line = whole_file ? std::string_view() : data.substr(ls, le - ls);
    if (!whole_file && HasInlineAllow(line)) continue;
    if (im.GloballyAllowed(rule.id, path, ctx.commit, secret, match, line)) continue;
    bool allowed = false;
    for (const auto& a : im.RuleAllowlists(m.rule))
      if (Allowed(a, path, ctx.commit, secret, match, line)) allowed = true;
    if (allowed) continue;

    Confidence conf = rule.confidence;
    if (m.checksum_valid) conf = *m.checksum_valid ? Confidence::kHigh : Confidence::kLow;
    Finding f = base_finding(rule.id, rule.title, rule.severity, conf);
    f.remediation = rule.remediation.empty()
                        ? "Revoke and rotate the credential, remove it from the code, and load it "
                          "from a secret manager or the CI secret store at run time."
                        : rule.remediation;
    f.help_uri = rule.help_uri;
    if (whole_file) {
      f.message = rule.title + ": " + std::string(path);
      f.fingerprint = Fingerprint(rule.id, path, "");
      f.properties["gitleaks_fingerprint"] =
          (ctx.commit.empty() ? "" : ctx.commit + ":") + std::string(path) + ":" + rule.id + ":0";
      out->push_back(std::move(f));
      continue;
    }
    int line_no = lines.LineAt(m.secret_start);
    f.location.line = line_no;
    f.location.column = static_cast<int>(m.secret_start - ls) + 1;
    int end_line = lines.LineAt(m.secret_end);
    f.location.end_line = end_line;
    f.location.end_column = static_cast<int>(m.secret_end - lines.LineStart(m.secret_end)) + 1;
    std::string shown = redact ? RedactSecret(secret) : std::string(secret);
    size_t sec_to_in_line = std::min(m.secret_end, le) - ls;
    f.evidence = Evidence(line, m.secret_start - ls, sec_to_in_line, shown);
    f.message = rule.title + ": " + shown;
    if (m.checksum_valid)
      f.message +=
          *m.checksum_valid ? " (checksum valid)" : " (checksum invalid: may be a test value)";
    f.fingerprint = Fingerprint(rule.id, path, secret);
    f.properties["secret_length"] = std::to_string(secret.size());
    char ent[16];
    std::snprintf(ent, sizeof ent, "%.2f", m.entropy);
    f.properties["entropy"] = ent;
    if (!redact) f.properties["secret"] = std::string(secret);
    if (!also[mi].empty()) f.properties["also_matched"] = also[mi];
    f.properties["gitleaks_fingerprint"] = (ctx.commit.empty() ? "" : ctx.commit + ":") +
                                           std::string(path) + ":" + rule.id + ":" +
                                           std::to_string(line_no);
    out->push_back(std::move(f));
  }

  // Terraform variables and arguments holding secrets.
  if (path.ends_with(".tf") || path.ends_with(".tfvars")) {
    for (const TerraformHit& h : CheckTerraform(path, data)) {
      const RuleInfo* info = nullptr;
      static const std::vector<RuleInfo> kInfos = FileRuleInfos();
      for (const auto& r : kInfos)
        if (r.id == h.rule_id) info = &r;
      if (!info) continue;
      size_t ls = 0;
      {
        int n = 1;
        for (size_t i = 0; i < data.size() && n < h.line; ++i)
          if (data[i] == '\n') ++n, ls = i + 1;
      }
      std::string_view line =
          data.substr(ls, data.find('\n', ls) == std::string_view::npos ? std::string_view::npos
                                                                        : data.find('\n', ls) - ls);
      if (HasInlineAllow(line)) continue;
      if (im.GloballyAllowed(h.rule_id, path, ctx.commit, h.secret, line, line)) continue;
      Finding f = base_finding(info->id, info->title, info->severity, Confidence::kMedium);
      f.location.line = f.location.end_line = h.line;
      f.location.column = h.column;
      f.location.end_column = h.end_column;
      f.remediation = info->remediation;
      f.help_uri = info->help_uri;
      std::string shown = h.secret.empty() ? "" : (redact ? RedactSecret(h.secret) : h.secret);
      f.message = h.message + (shown.empty() ? "" : ": " + shown);
      if (!h.secret.empty()) {
        size_t col = static_cast<size_t>(h.column - 1);
        f.evidence = Evidence(line, col, std::min(line.size(), col + h.secret.size()), shown);
      } else {
        f.evidence = Evidence(line, 0, 0, "");
      }
      f.fingerprint = Fingerprint(info->id, path, h.name + "\n" + h.secret);
      f.properties["gitleaks_fingerprint"] = (ctx.commit.empty() ? "" : ctx.commit + ":") +
                                             std::string(path) + ":" + info->id + ":" +
                                             std::to_string(h.line);
      out->push_back(std::move(f));
    }
  }
}

Result<Report> SecretScanner::ScanTree(const std::string& root) const {
  const Impl& im = *impl_;
  const double t0 = MonotonicSeconds();
  WalkOptions wo;
  wo.root = root;
  wo.include = im.config.scan.include;
  wo.exclude = im.config.scan.exclude;
  wo.include.insert(wo.include.end(), im.options.include.begin(), im.options.include.end());
  wo.exclude.insert(wo.exclude.end(), im.options.exclude.begin(), im.options.exclude.end());
  wo.respect_gitignore = im.options.gitignore && im.config.scan.gitignore.value_or(true);
  wo.follow_symlinks = im.options.follow_symlinks || im.config.scan.follow_symlinks.value_or(false);
  wo.max_file_size = im.config.scan.max_file_size.value_or(im.options.max_file_size);
  wo.threads = im.options.threads;
  auto walked = Walk(wo);
  if (!walked.ok()) return walked.error();

  // Tracked files that .gitignore hides are committed all the same: scan them.
  if (wo.respect_gitignore && !im.options.tracked_files.empty()) {
    std::unordered_set<std::string> have;
    for (const auto& e : walked->files) have.insert(e.path);
    bool added = false;
    for (const auto& rel : im.options.tracked_files) {
      if (have.count(rel)) continue;
      bool excluded = false;
      for (const auto& g : wo.exclude)
        if (GlobMatch(g, rel) || GlobMatch("**/" + g, rel)) excluded = true;
      if (excluded) continue;
      std::string abs = root + "/" + rel;
      struct stat st;
      if (::lstat(abs.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (wo.max_file_size && static_cast<uint64_t>(st.st_size) > wo.max_file_size) continue;
      walked->files.push_back({rel, abs, static_cast<uint64_t>(st.st_size)});
      added = true;
    }
    if (added)
      std::sort(walked->files.begin(), walked->files.end(),
                [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  }

  Report report;
  report.command = "secrets";
  report.root = root;
  report.diagnostics = im.load_diagnostics;
  for (auto& d : walked->diagnostics) report.diagnostics.push_back(std::move(d));
  report.stats.files_ignored = walked->ignored;
  report.stats.files_skipped_size = walked->skipped_size;

  const auto& files = walked->files;
  std::vector<std::vector<Finding>> per_file(files.size());
  std::vector<std::optional<Diagnostic>> per_diag(files.size());
  std::atomic<uint64_t> scanned{0}, bytes{0}, binary{0}, unreadable{0};
  ParallelFor(files.size(), im.options.threads, [&](size_t i) {
    const WalkEntry& e = files[i];
    auto content = ReadFile(e.abs_path, wo.max_file_size);
    if (!content.ok()) {
      unreadable.fetch_add(1, std::memory_order_relaxed);
      per_diag[i] = Diagnostic{DiagnosticKind::kUnreadable, e.path, 0, 0, content.error().message};
      return;
    }
    std::string_view data = content->view();
    if (LooksBinary(data)) {
      binary.fetch_add(1, std::memory_order_relaxed);
      // Binary files still get the never-commit check (e.g. keystores).
    } else {
      scanned.fetch_add(1, std::memory_order_relaxed);
      bytes.fetch_add(data.size(), std::memory_order_relaxed);
    }
    ScanContent(e.path, data, ContentContext{}, &per_file[i]);
    if (im.options.progress && (i % 256) == 0) im.options.progress(scanned.load(), bytes.load());
  });
  for (size_t i = 0; i < files.size(); ++i) {
    if (per_diag[i]) report.diagnostics.push_back(std::move(*per_diag[i]));
    for (auto& f : per_file[i]) report.findings.push_back(std::move(f));
  }
  report.stats.files_scanned = scanned.load();
  report.stats.bytes_scanned = bytes.load();
  report.stats.files_skipped_binary = binary.load();
  report.stats.files_unreadable = unreadable.load();
  report.stats.seconds = MonotonicSeconds() - t0;
  return report;
}

void SecretScanner::Finish(Report* report) const {
  const Impl& im = *impl_;
  auto suppressed = [&](const Finding& f) {
    if (im.baseline.count(f.fingerprint) || im.ignore_lines.count(f.fingerprint)) return true;
    auto it = f.properties.find("gitleaks_fingerprint");
    return it != f.properties.end() && im.ignore_lines.count(it->second) > 0;
  };
  size_t before = report->findings.size();
  std::erase_if(report->findings, suppressed);
  report->stats.findings_suppressed += before - report->findings.size();
  SortFindings(report->findings);
  // SARIF wants a descriptor for every rule that fired; list exactly those.
  std::unordered_set<std::string> fired;
  for (const auto& f : report->findings) fired.insert(f.rule_id);
  report->rules.clear();
  for (auto& r : RuleInfos())
    if (fired.count(r.id)) report->rules.push_back(std::move(r));
  std::sort(report->rules.begin(), report->rules.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
}

}  // namespace gatehouse
