// Reading rule sets from TOML: our built-in rules and users' gitleaks
// configurations use the same syntax, so both go through this one loader.
//
// gitleaks keys understood: title, [extend] (useDefault, path,
// disabledRules), [allowlist] and [[allowlists]] (description, condition,
// commits, paths, regexes, regexTarget, stopwords, targetRules), [[rules]]
// (id, description, regex, secretGroup, entropy, keywords, path, tags,
// [rules.allowlist] and [[rules.allowlists]]). Gatehouse extension keys on
// rules: title, severity, confidence, checksum, placeholder_filter,
// remediation, help_uri, test_positive, test_negative. gitleaks ignores
// unknown keys (viper), and so do we for gitleaks files; we report them as
// notes so typos are visible. This is the only file that includes toml++.
#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/secrets.h"

namespace gatehouse {

namespace {

int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }
int ColumnOf(const toml::node& n) { return static_cast<int>(n.source().begin.column); }

class Loader {
 public:
  Loader(std::string path, std::vector<Diagnostic>* notes)
      : path_(std::move(path)), notes_(notes) {}

  Error TypeError(const toml::node& n, std::string_view key, std::string_view want) {
    return MakeError(ErrorCode::kConfig, "'" + std::string(key) + "' must be " + std::string(want),
                     path_, LineOf(n), ColumnOf(n));
  }

  void Unknown(const toml::node& n, std::string_view where, std::string_view key) {
    notes_->push_back(
        {DiagnosticKind::kConfig, path_, LineOf(n), ColumnOf(n),
         "unknown key '" + std::string(key) + "' in " + std::string(where) + " (ignored)"});
  }

  Status GetString(const toml::node& n, std::string_view key, std::string* out) {
    auto s = n.as_string();
    if (!s) return TypeError(n, key, "a string");
    *out = s->get();
    return {};
  }

  Status GetStrings(const toml::node& n, std::string_view key, std::vector<std::string>* out) {
    auto arr = n.as_array();
    if (!arr) return TypeError(n, key, "an array of strings");
    for (const auto& item : *arr) {
      auto s = item.as_string();
      if (!s) return TypeError(item, key, "an array of strings");
      out->push_back(s->get());
    }
    return {};
  }

  Status GetBool(const toml::node& n, std::string_view key, bool* out) {
    auto b = n.as_boolean();
    if (!b) return TypeError(n, key, "true or false");
    *out = b->get();
    return {};
  }

  Status GetNumber(const toml::node& n, std::string_view key, double* out) {
    if (auto f = n.as_floating_point())
      *out = f->get();
    else if (auto i = n.as_integer())
      *out = static_cast<double>(i->get());
    else
      return TypeError(n, key, "a number");
    return {};
  }

  Status ParseAllowlist(const toml::table& t, bool global, Allowlist* out) {
    for (const auto& [k, v] : t) {
      std::string_view key = k.str();
      Status st;
      if (key == "description")
        st = GetString(v, key, &out->description);
      else if (key == "condition") {
        std::string c;
        st = GetString(v, key, &c);
        if (st.ok()) {
          std::string up = AsciiLower(c);
          if (up == "and" || up == "&&")
            out->require_all = true;
          else if (up == "or" || up == "||" || up.empty())
            out->require_all = false;
          else
            return TypeError(v, key, "\"OR\" or \"AND\"");
        }
      } else if (key == "commits")
        st = GetStrings(v, key, &out->commits);
      else if (key == "paths")
        st = GetStrings(v, key, &out->paths);
      else if (key == "regexes")
        st = GetStrings(v, key, &out->regexes);
      else if (key == "stopwords")
        st = GetStrings(v, key, &out->stopwords);
      else if (key == "regexTarget") {
        std::string target;
        st = GetString(v, key, &target);
        if (st.ok()) {
          if (target == "secret" || target.empty())
            out->regex_target = RegexTarget::kSecret;
          else if (target == "match")
            out->regex_target = RegexTarget::kMatch;
          else if (target == "line")
            out->regex_target = RegexTarget::kLine;
          else
            return TypeError(v, key, "\"secret\", \"match\" or \"line\"");
        }
      } else if (key == "targetRules" && global)
        st = GetStrings(v, key, &out->target_rules);
      else
        Unknown(v, "allowlist", key);
      if (!st.ok()) return st;
    }
    for (auto& s : out->stopwords) s = AsciiLower(s);
    return {};
  }

  // [allowlist] (legacy, one table) and/or [[allowlists]] (array of tables).
  Status ParseAllowlists(const toml::table& parent, bool global, std::vector<Allowlist>* out) {
    if (auto node = parent.get("allowlist")) {
      auto t = node->as_table();
      if (!t) return TypeError(*node, "allowlist", "a table");
      Allowlist a;
      if (auto st = ParseAllowlist(*t, global, &a); !st.ok()) return st;
      out->push_back(std::move(a));
    }
    if (auto node = parent.get("allowlists")) {
      auto arr = node->as_array();
      if (!arr) return TypeError(*node, "allowlists", "an array of tables ([[allowlists]])");
      for (const auto& item : *arr) {
        auto t = item.as_table();
        if (!t) return TypeError(item, "allowlists", "an array of tables ([[allowlists]])");
        Allowlist a;
        if (auto st = ParseAllowlist(*t, global, &a); !st.ok()) return st;
        out->push_back(std::move(a));
      }
    }
    return {};
  }

  Status ParseRule(const toml::table& t, SecretRule* r, std::set<std::string>* seen_keys) {
    for (const auto& [k, v] : t) {
      std::string_view key = k.str();
      seen_keys->insert(std::string(key));
      Status st;
      if (key == "id")
        st = GetString(v, key, &r->id);
      else if (key == "description")
        st = GetString(v, key, &r->description);
      else if (key == "regex")
        st = GetString(v, key, &r->regex);
      else if (key == "secretGroup") {
        auto i = v.as_integer();
        if (!i || i->get() < 0 || i->get() > 100) return TypeError(v, key, "an integer 0..100");
        r->secret_group = static_cast<int>(i->get());
      } else if (key == "entropy") {
        double e = 0;
        st = GetNumber(v, key, &e);
        if (st.ok()) r->entropy = e;
      } else if (key == "keywords")
        st = GetStrings(v, key, &r->keywords);
      else if (key == "path")
        st = GetString(v, key, &r->path);
      else if (key == "tags")
        st = GetStrings(v, key, &r->tags);
      else if (key == "allowlist" || key == "allowlists")
        continue;  // below
      else if (key == "title")
        st = GetString(v, key, &r->title);
      else if (key == "severity") {
        std::string s;
        st = GetString(v, key, &s);
        if (st.ok()) {
          auto sev = ParseSeverity(s);
          if (!sev) return TypeError(v, key, "one of critical, high, medium, low, info");
          r->severity = *sev;
        }
      } else if (key == "confidence") {
        std::string s;
        st = GetString(v, key, &s);
        if (st.ok()) {
          auto c = ParseConfidence(s);
          if (!c) return TypeError(v, key, "one of high, medium, low");
          r->confidence = *c;
        }
      } else if (key == "checksum") {
        std::string s;
        st = GetString(v, key, &s);
        if (st.ok()) {
          if (s == "github-crc32")
            r->checksum = ChecksumKind::kGithubCrc32;
          else if (s == "npm-crc32")
            r->checksum = ChecksumKind::kNpmCrc32;
          else
            return TypeError(v, key, "\"github-crc32\" or \"npm-crc32\"");
        }
      } else if (key == "placeholder_filter")
        st = GetBool(v, key, &r->placeholder_filter);
      else if (key == "remediation")
        st = GetString(v, key, &r->remediation);
      else if (key == "help_uri")
        st = GetString(v, key, &r->help_uri);
      else if (key == "test_positive")
        st = GetStrings(v, key, &r->test_positive);
      else if (key == "test_negative")
        st = GetStrings(v, key, &r->test_negative);
      else
        Unknown(v, "rule", key);
      if (!st.ok()) return st;
    }
    for (auto& kw : r->keywords) kw = AsciiLower(kw);
    if (auto st = ParseAllowlists(t, false, &r->allowlists); !st.ok()) return st;
    if (r->id.empty())
      return MakeError(ErrorCode::kConfig, "rule has no 'id'", path_, LineOf(t), ColumnOf(t));
    return {};
  }

  // Rule from an extending config overrides the base rule with the same id,
  // field by field (as gitleaks does); allowlists accumulate.
  static void MergeRule(SecretRule& base, SecretRule&& over, const std::set<std::string>& keys) {
    auto has = [&](const char* k) { return keys.count(k) > 0; };
    if (has("description")) base.description = std::move(over.description);
    if (has("regex")) base.regex = std::move(over.regex);
    if (has("secretGroup")) base.secret_group = over.secret_group;
    if (has("entropy")) base.entropy = over.entropy;
    if (has("keywords")) base.keywords = std::move(over.keywords);
    if (has("path")) base.path = std::move(over.path);
    if (has("tags")) base.tags = std::move(over.tags);
    if (has("title")) base.title = std::move(over.title);
    if (has("severity")) base.severity = over.severity;
    if (has("confidence")) base.confidence = over.confidence;
    if (has("remediation")) base.remediation = std::move(over.remediation);
    for (auto& a : over.allowlists) base.allowlists.push_back(std::move(a));
  }

  Result<RuleSet> Load(std::string_view text, int depth) {
    // Debian's toml++ is built with exceptions: this is the one place one can
    // come from, and it becomes a Result here.
    toml::table root;
    try {
      root = toml::parse(text, path_);
    } catch (const toml::parse_error& err) {
      return MakeError(ErrorCode::kParse, std::string(err.description()), path_,
                       static_cast<int>(err.source().begin.line),
                       static_cast<int>(err.source().begin.column));
    }
    RuleSet set;
    set.source = path_;

    // [extend]: start from a base rule set.
    std::vector<std::string> disabled;
    if (auto node = root.get("extend")) {
      auto t = node->as_table();
      if (!t) return TypeError(*node, "extend", "a table");
      bool use_default = false;
      std::string base_path;
      for (const auto& [k, v] : *t) {
        std::string_view key = k.str();
        Status st;
        if (key == "useDefault")
          st = GetBool(v, key, &use_default);
        else if (key == "path")
          st = GetString(v, key, &base_path);
        else if (key == "disabledRules")
          st = GetStrings(v, key, &disabled);
        else
          Unknown(v, "extend", key);
        if (!st.ok()) return st.error();
      }
      if (use_default) {
        const RuleSet& def = DefaultRuleSet();
        set.rules = def.rules;
        set.allowlists = def.allowlists;
      } else if (!base_path.empty()) {
        if (depth >= 2)
          return MakeError(ErrorCode::kConfig, "[extend] nests deeper than 2 levels", path_,
                           LineOf(*node), ColumnOf(*node));
        std::filesystem::path p(base_path);
        if (p.is_relative()) p = std::filesystem::path(path_).parent_path() / p;
        auto base_text = ReadFileToString(p.string());
        if (!base_text.ok()) {
          Error e = base_text.error();
          e.message = "[extend] path: " + e.message;
          return e;
        }
        Loader sub(p.string(), notes_);
        auto base = sub.Load(*base_text, depth + 1);
        if (!base.ok()) return base.error();
        set.rules = std::move(base->rules);
        set.allowlists = std::move(base->allowlists);
      }
    }

    if (auto st = ParseAllowlists(root, true, &set.allowlists); !st.ok()) return st.error();

    if (auto node = root.get("rules")) {
      auto arr = node->as_array();
      if (!arr) return TypeError(*node, "rules", "an array of tables ([[rules]])");
      std::set<std::string> ids;
      for (const auto& item : *arr) {
        auto t = item.as_table();
        if (!t) return TypeError(item, "rules", "an array of tables ([[rules]])");
        SecretRule r;
        std::set<std::string> keys;
        if (auto st = ParseRule(*t, &r, &keys); !st.ok()) return st.error();
        if (!ids.insert(r.id).second)
          return MakeError(ErrorCode::kConfig, "duplicate rule id '" + r.id + "'", path_,
                           LineOf(*t), ColumnOf(*t));
        auto it = std::find_if(set.rules.begin(), set.rules.end(),
                               [&](const SecretRule& b) { return b.id == r.id; });
        SecretRule* merged = nullptr;
        if (it != set.rules.end()) {
          MergeRule(*it, std::move(r), keys);
          merged = &*it;
        } else {
          set.rules.push_back(std::move(r));
          merged = &set.rules.back();
        }
        // An overriding rule may omit fields; the merged result may not.
        if (merged->regex.empty() && merged->path.empty())
          return MakeError(ErrorCode::kConfig,
                           "rule '" + merged->id + "' has neither 'regex' nor 'path'", path_,
                           LineOf(*t), ColumnOf(*t));
        if (merged->title.empty())
          merged->title = merged->description.empty() ? merged->id : merged->description;
      }
    }
    for (const auto& [k, v] : root) {
      std::string_view key = k.str();
      if (key != "title" && key != "description" && key != "extend" && key != "rules" &&
          key != "allowlist" && key != "allowlists")
        Unknown(v, "the top level", key);
    }
    if (!disabled.empty()) {
      std::set<std::string> off(disabled.begin(), disabled.end());
      std::erase_if(set.rules, [&](const SecretRule& r) { return off.count(r.id) > 0; });
    }
    return set;
  }

 private:
  std::string path_;
  std::vector<Diagnostic>* notes_;
};

}  // namespace

Result<RuleSet> LoadGitleaksToml(std::string_view text, const std::string& path) {
  std::vector<Diagnostic> notes;
  Loader loader(path, &notes);
  auto r = loader.Load(text, 0);
  if (!r.ok()) return r;
  for (auto& n : notes) r->diagnostics.push_back(std::move(n));
  return r;
}

}  // namespace gatehouse
