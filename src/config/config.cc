// .gatehouse.yaml loading. yaml-cpp gives every node a mark (0-based line and
// column), which is how unknown keys and type errors name file:line:column.
// yaml-cpp reports syntax errors by exception; they stop here and become
// Results.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>

#include "gatehouse/base.h"
#include "gatehouse/config.h"
#include "gatehouse/fs.h"

namespace gatehouse {

namespace {

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  Error At(const YAML::Node& n, std::string message) const {
    const YAML::Mark m = n.Mark();
    return MakeError(ErrorCode::kConfig, std::move(message), path_, m.line < 0 ? 0 : m.line + 1,
                     m.column < 0 ? 0 : m.column + 1);
  }

  Status String(const YAML::Node& n, std::string_view key, std::string* out) const {
    if (!n.IsScalar()) return At(n, "'" + std::string(key) + "' must be a string");
    *out = n.Scalar();
    return {};
  }
  Status Bool(const YAML::Node& n, std::string_view key, bool* out) const {
    if (n.IsScalar()) {
      std::string v = AsciiLower(n.Scalar());
      if (v == "true" || v == "yes" || v == "on") return (*out = true), Status();
      if (v == "false" || v == "no" || v == "off") return (*out = false), Status();
    }
    return At(n, "'" + std::string(key) + "' must be true or false");
  }
  Status Strings(const YAML::Node& n, std::string_view key, std::vector<std::string>* out) const {
    if (!n.IsSequence()) return At(n, "'" + std::string(key) + "' must be a list of strings");
    for (const auto& item : n) {
      if (!item.IsScalar()) return At(item, "'" + std::string(key) + "' must be a list of strings");
      out->push_back(item.Scalar());
    }
    return {};
  }
  Status Size(const YAML::Node& n, std::string_view key, std::optional<uint64_t>* out) const {
    if (n.IsScalar()) {
      if (auto v = ParseSize(n.Scalar())) return (*out = *v), Status();
    }
    return At(n, "'" + std::string(key) + "' must be a size such as 1048576, 512k or 10MiB");
  }
  Status Sev(const YAML::Node& n, std::string_view key, std::optional<Severity>* out) const {
    if (n.IsScalar()) {
      if (auto s = ParseSeverity(n.Scalar())) return (*out = *s), Status();
    }
    return At(n, "'" + std::string(key) + "' must be one of critical, high, medium, low, info");
  }

  using Handler = std::function<Status(const YAML::Node&)>;
  // Visits a mapping, dispatching each key; unknown keys are errors.
  Status Map(const YAML::Node& n, std::string_view where,
             const std::map<std::string, Handler>& handlers) const {
    if (n.IsNull()) return {};
    if (!n.IsMap()) return At(n, "'" + std::string(where) + "' must be a mapping");
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      auto it = handlers.find(key);
      if (it == handlers.end()) {
        std::string known;
        for (const auto& [k, _] : handlers) known += (known.empty() ? "" : ", ") + k;
        return At(kv.first, "unknown key '" + key + "' in " + std::string(where) +
                                " (expected one of: " + known + ")");
      }
      if (auto st = it->second(kv.second); !st.ok()) return st;
    }
    return {};
  }

  Status ParseAllowlist(const YAML::Node& n, Allowlist* a) const {
    return Map(
        n, "secrets.allowlists[]",
        {{"description", [&](auto& v) { return String(v, "description", &a->description); }},
         {"condition",
          [&](auto& v) -> Status {
            std::string c;
            if (auto st = String(v, "condition", &c); !st.ok()) return st;
            c = AsciiLower(c);
            if (c != "and" && c != "or") return At(v, "'condition' must be OR or AND");
            a->require_all = c == "and";
            return {};
          }},
         {"commits", [&](auto& v) { return Strings(v, "commits", &a->commits); }},
         {"paths", [&](auto& v) { return Strings(v, "paths", &a->paths); }},
         {"regexes", [&](auto& v) { return Strings(v, "regexes", &a->regexes); }},
         {"regex_target",
          [&](auto& v) -> Status {
            std::string t;
            if (auto st = String(v, "regex_target", &t); !st.ok()) return st;
            if (t == "secret")
              a->regex_target = RegexTarget::kSecret;
            else if (t == "match")
              a->regex_target = RegexTarget::kMatch;
            else if (t == "line")
              a->regex_target = RegexTarget::kLine;
            else
              return At(v, "'regex_target' must be secret, match or line");
            return {};
          }},
         {"stopwords",
          [&](auto& v) -> Status {
            auto st = Strings(v, "stopwords", &a->stopwords);
            for (auto& s : a->stopwords) s = AsciiLower(s);
            return st;
          }},
         {"target_rules", [&](auto& v) { return Strings(v, "target_rules", &a->target_rules); }}});
  }

  Status Regex(const YAML::Node& n, std::string_view key, const std::string& rule_id,
               std::string* out) const {
    if (auto st = String(n, key, out); !st.ok()) return st;
    RE2::Options opt;
    opt.set_log_errors(false);
    RE2 re(*out, opt);
    if (!re.ok())
      return At(n,
                "rule '" + rule_id + "': " + std::string(key) + " does not compile: " + re.error());
    return {};
  }

  Status ParseRule(const YAML::Node& n, SecretRule* r) const {
    if (!n.IsMap()) return At(n, "each entry of 'secrets.rules' must be a mapping");
    if (n["id"] && n["id"].IsScalar()) r->id = n["id"].Scalar();
    if (r->id.empty()) return At(n, "rule has no 'id'");
    Status st =
        Map(n, "secrets.rules[]",
            {{"id", [&](auto&) { return Status(); }},
             {"description", [&](auto& v) { return String(v, "description", &r->description); }},
             {"title", [&](auto& v) { return String(v, "title", &r->title); }},
             {"regex", [&](auto& v) { return Regex(v, "regex", r->id, &r->regex); }},
             {"path", [&](auto& v) { return Regex(v, "path", r->id, &r->path); }},
             {"secret_group",
              [&](auto& v) -> Status {
                if (!v.IsScalar()) return At(v, "'secret_group' must be an integer");
                try {
                  r->secret_group = std::stoi(v.Scalar());
                } catch (...) {
                  return At(v, "'secret_group' must be an integer");
                }
                if (r->secret_group < 0) return At(v, "'secret_group' must be >= 0");
                return {};
              }},
             {"entropy",
              [&](auto& v) -> Status {
                if (!v.IsScalar()) return At(v, "'entropy' must be a number");
                try {
                  r->entropy = std::stod(v.Scalar());
                } catch (...) {
                  return At(v, "'entropy' must be a number");
                }
                return {};
              }},
             {"keywords",
              [&](auto& v) -> Status {
                auto s = Strings(v, "keywords", &r->keywords);
                for (auto& k : r->keywords) k = AsciiLower(k);
                return s;
              }},
             {"tags", [&](auto& v) { return Strings(v, "tags", &r->tags); }},
             {"severity",
              [&](auto& v) -> Status {
                std::optional<Severity> sev;
                if (auto s = Sev(v, "severity", &sev); !s.ok()) return s;
                r->severity = *sev;
                return {};
              }},
             {"remediation", [&](auto& v) { return String(v, "remediation", &r->remediation); }},
             {"help_uri", [&](auto& v) { return String(v, "help_uri", &r->help_uri); }},
             {"placeholder_filter",
              [&](auto& v) { return Bool(v, "placeholder_filter", &r->placeholder_filter); }},
             {"allowlists", [&](auto& v) -> Status {
                if (!v.IsSequence()) return At(v, "'allowlists' must be a list");
                for (const auto& item : v) {
                  Allowlist a;
                  if (auto s = ParseAllowlist(item, &a); !s.ok()) return s;
                  r->allowlists.push_back(std::move(a));
                }
                return {};
              }}});
    if (!st.ok()) return st;
    if (r->regex.empty() && r->path.empty())
      return At(n, "rule '" + r->id + "' has neither 'regex' nor 'path'");
    if (r->title.empty()) r->title = r->description.empty() ? r->id : r->description;
    if (!r->regex.empty()) {
      RE2 re(r->regex);
      if (r->secret_group > re.NumberOfCapturingGroups())
        return At(n["secret_group"], "rule '" + r->id + "': secret_group " +
                                         std::to_string(r->secret_group) +
                                         " but the regex has only " +
                                         std::to_string(re.NumberOfCapturingGroups()) + " groups");
    }
    return {};
  }

  Result<Config> Parse(std::string_view text) const {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return MakeError(ErrorCode::kParse, e.msg, path_, e.mark.line < 0 ? 0 : e.mark.line + 1,
                       e.mark.column < 0 ? 0 : e.mark.column + 1);
    }
    Config c;
    c.path = path_;
    if (root.IsNull()) return c;
    ScanConfig& sc = c.scan;
    SecretsConfig& sec = c.secrets;
    Status st = Map(
        root, "the top level",
        {{"version",
          [&](auto& v) -> Status {
            if (!v.IsScalar() || v.Scalar() != "1") return At(v, "'version' must be 1");
            return {};
          }},
         {"scan",
          [&](auto& v) {
            return Map(v, "scan",
                       {{"include", [&](auto& x) { return Strings(x, "include", &sc.include); }},
                        {"exclude", [&](auto& x) { return Strings(x, "exclude", &sc.exclude); }},
                        {"max_file_size",
                         [&](auto& x) { return Size(x, "max_file_size", &sc.max_file_size); }},
                        {"follow_symlinks",
                         [&](auto& x) -> Status {
                           bool b = false;
                           auto s = Bool(x, "follow_symlinks", &b);
                           if (s.ok()) sc.follow_symlinks = b;
                           return s;
                         }},
                        {"gitignore", [&](auto& x) -> Status {
                           bool b = true;
                           auto s = Bool(x, "gitignore", &b);
                           if (s.ok()) sc.gitignore = b;
                           return s;
                         }}});
          }},
         {"secrets", [&](auto& v) {
            return Map(
                v, "secrets",
                {{"fail_on", [&](auto& x) { return Sev(x, "fail_on", &sec.fail_on); }},
                 {"gitleaks_config",
                  [&](auto& x) { return String(x, "gitleaks_config", &sec.gitleaks_config); }},
                 {"use_default_rules",
                  [&](auto& x) { return Bool(x, "use_default_rules", &sec.use_default_rules); }},
                 {"disabled_rules",
                  [&](auto& x) { return Strings(x, "disabled_rules", &sec.disabled_rules); }},
                 {"never_commit_files",
                  [&](auto& x) { return Bool(x, "never_commit_files", &sec.never_commit_files); }},
                 {"never_commit_allow",
                  [&](auto& x) {
                    return Strings(x, "never_commit_allow", &sec.never_commit_allow);
                  }},
                 {"baseline", [&](auto& x) { return String(x, "baseline", &sec.baseline); }},
                 {"rules",
                  [&](auto& x) -> Status {
                    if (!x.IsSequence()) return At(x, "'rules' must be a list");
                    for (const auto& item : x) {
                      SecretRule r;
                      if (auto s = ParseRule(item, &r); !s.ok()) return s;
                      for (const auto& other : sec.rules)
                        if (other.id == r.id) return At(item, "duplicate rule id '" + r.id + "'");
                      sec.rules.push_back(std::move(r));
                    }
                    return {};
                  }},
                 {"allowlists", [&](auto& x) -> Status {
                    if (!x.IsSequence()) return At(x, "'allowlists' must be a list");
                    for (const auto& item : x) {
                      Allowlist a;
                      if (auto s = ParseAllowlist(item, &a); !s.ok()) return s;
                      sec.allowlists.push_back(std::move(a));
                    }
                    return {};
                  }}});
          }}});
    if (!st.ok()) return st.error();
    // Relative paths in the file are relative to the file.
    auto dir = std::filesystem::path(path_).parent_path();
    auto resolve = [&](std::string& p) {
      if (!p.empty() && std::filesystem::path(p).is_relative()) p = (dir / p).string();
    };
    resolve(sec.gitleaks_config);
    resolve(sec.baseline);
    return c;
  }

 private:
  std::string path_;
};

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  return Reader(path).Parse(text);
}

Result<Config> LoadConfig(const std::string& root, const std::string& explicit_path) {
  std::string path = explicit_path;
  if (path.empty()) {
    std::error_code ec;
    std::filesystem::path base(root);
    if (!std::filesystem::is_directory(base, ec)) base = base.parent_path();
    auto candidate = base / ".gatehouse.yaml";
    if (!std::filesystem::exists(candidate, ec)) candidate = base / ".gatehouse.yml";
    if (!std::filesystem::exists(candidate, ec)) return Config{};
    path = candidate.string();
  }
  auto text = ReadFileToString(path);
  if (!text.ok()) {
    Error e = text.error();
    e.message = "cannot read configuration: " + e.message;
    return e;
  }
  return ParseConfig(*text, path);
}

}  // namespace gatehouse
