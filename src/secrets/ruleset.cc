// The built-in rule set, checksums and redaction.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/secrets.h"
#include "secrets/cache.h"

namespace gatehouse {

namespace {
constexpr std::string_view kDefaultRulesToml =
#include "default_rules.inc"
    ;
}  // namespace

// ---- a compact binary form of a RuleSet --------------------------------------
//
// Parsing the built-in TOML (about 300 rules) is the largest single cost of
// starting up; the parsed set is cached as length-prefixed fields keyed by a
// hash of the embedded text, and read back in a fraction of a millisecond.

namespace {

constexpr std::string_view kRulesMagic = "GHRULES2";

class BinWriter {
 public:
  void U32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void F64(double v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void Strs(const std::vector<std::string>& v) {
    U32(static_cast<uint32_t>(v.size()));
    for (const auto& x : v) Str(x);
  }
  void Allow(const Allowlist& a) {
    Str(a.description);
    U32(a.require_all);
    Strs(a.commits);
    Strs(a.paths);
    Strs(a.regexes);
    U32(static_cast<uint32_t>(a.regex_target));
    Strs(a.stopwords);
    Strs(a.target_rules);
  }
  void Allows(const std::vector<Allowlist>& v) {
    U32(static_cast<uint32_t>(v.size()));
    for (const auto& a : v) Allow(a);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class BinReader {
 public:
  explicit BinReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint32_t U32() {
    uint32_t v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  double F64() {
    double v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  std::string Str() {
    uint32_t n = U32();
    if (!ok_ || n > in_.size() - pos_) return ok_ = false, std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> Strs() {
    uint32_t n = U32();
    std::vector<std::string> v;
    for (uint32_t i = 0; i < n && ok_; ++i) v.push_back(Str());
    return v;
  }
  Allowlist Allow() {
    Allowlist a;
    a.description = Str();
    a.require_all = U32() != 0;
    a.commits = Strs();
    a.paths = Strs();
    a.regexes = Strs();
    a.regex_target = static_cast<RegexTarget>(std::min<uint32_t>(U32(), 2));
    a.stopwords = Strs();
    a.target_rules = Strs();
    return a;
  }
  std::vector<Allowlist> Allows() {
    uint32_t n = U32();
    std::vector<Allowlist> v;
    for (uint32_t i = 0; i < n && ok_; ++i) v.push_back(Allow());
    return v;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  void Raw(void* dst, size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    std::memcpy(dst, in_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string SerializeRuleSet(const RuleSet& set) {
  BinWriter w;
  w.out().append(kRulesMagic);
  w.U32(static_cast<uint32_t>(set.rules.size()));
  for (const auto& r : set.rules) {
    w.Str(r.id);
    w.Str(r.description);
    w.Str(r.regex);
    w.U32(static_cast<uint32_t>(r.secret_group));
    w.U32(r.entropy.has_value());
    w.F64(r.entropy.value_or(0));
    w.Strs(r.keywords);
    w.Str(r.path);
    w.Strs(r.tags);
    w.Allows(r.allowlists);
    w.Str(r.title);
    w.U32(static_cast<uint32_t>(r.severity));
    w.U32(static_cast<uint32_t>(r.confidence));
    w.U32(static_cast<uint32_t>(r.checksum));
    w.U32(r.placeholder_filter);
    w.Str(r.remediation);
    w.Str(r.help_uri);
    w.Strs(r.test_positive);
    w.Strs(r.test_negative);
  }
  w.Allows(set.allowlists);
  return std::move(w.out());
}

std::optional<RuleSet> DeserializeRuleSet(std::string_view bytes) {
  if (!bytes.starts_with(kRulesMagic)) return std::nullopt;
  BinReader r(bytes.substr(kRulesMagic.size()));
  RuleSet set;
  uint32_t n = r.U32();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    SecretRule x;
    x.id = r.Str();
    x.description = r.Str();
    x.regex = r.Str();
    x.secret_group = static_cast<int>(r.U32());
    bool has_entropy = r.U32() != 0;
    double entropy = r.F64();
    if (has_entropy) x.entropy = entropy;
    x.keywords = r.Strs();
    x.path = r.Str();
    x.tags = r.Strs();
    x.allowlists = r.Allows();
    x.title = r.Str();
    x.severity = static_cast<Severity>(std::min<uint32_t>(r.U32(), 4));
    x.confidence = static_cast<Confidence>(std::min<uint32_t>(r.U32(), 2));
    x.checksum = static_cast<ChecksumKind>(std::min<uint32_t>(r.U32(), 2));
    x.placeholder_filter = r.U32() != 0;
    x.remediation = r.Str();
    x.help_uri = r.Str();
    x.test_positive = r.Strs();
    x.test_negative = r.Strs();
    set.rules.push_back(std::move(x));
  }
  set.allowlists = r.Allows();
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  return set;
}

const RuleSet& DefaultRuleSet() {
  static const RuleSet rules = [] {
    const std::string dir = CacheDir();
    const std::string path =
        dir.empty() ? "" : dir + "/rules-" + Sha256Hex(kDefaultRulesToml).substr(0, 32) + ".bin";
    if (!path.empty()) {
      if (auto bytes = ReadFileToString(path); bytes.ok()) {
        if (auto cached = DeserializeRuleSet(*bytes)) {
          cached->source = "builtin";
          return std::move(*cached);
        }
      }
    }
    auto r = LoadGitleaksToml(kDefaultRulesToml, "builtin:default_rules.toml");
    if (!r.ok()) {
      // The built-in file is validated by tests; failing here is a build bug.
      std::fprintf(stderr, "gatehouse: built-in rules do not load: %s\n",
                   r.error().ToString().c_str());
      std::abort();
    }
    RuleSet set = std::move(r).value();
    set.source = "builtin";
    if (!path.empty()) StoreText(dir, path, SerializeRuleSet(set));
    return set;
  }();
  return rules;
}

bool LooksLikeToml(std::string_view text) {
  // gitleaks configs have [[rules]], [extend] or [allowlist] tables; YAML
  // never starts a line with '['  followed by a bare key and ']'.
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
    size_t b = line.find_first_not_of(" \t");
    if (b != std::string_view::npos) {
      line = line.substr(b);
      if (line.starts_with("[[rules]]") || line.starts_with("[extend]") ||
          line.starts_with("[allowlist]") || line.starts_with("[[allowlists]]") ||
          line.starts_with("[[rules.allowlists]]"))
        return true;
      if (line.starts_with("title") && line.find('=') != std::string_view::npos) return true;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return false;
}

namespace {
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
}

// GitHub (2021 format) and npm tokens: PREFIX_ + random + 6 base62 digits of
// CRC32(random), most significant first, zero-padded.
bool ValidTokenChecksum(std::string_view token) {
  size_t us = token.rfind('_');
  if (us == std::string_view::npos) return false;
  std::string_view body = token.substr(us + 1);
  if (body.size() <= 6) return false;
  std::string_view random = body.substr(0, body.size() - 6);
  std::string_view check = body.substr(body.size() - 6);
  uint32_t crc = Crc32(random);
  char enc[6];
  for (int i = 5; i >= 0; --i) {
    enc[i] = kBase62[crc % 62];
    crc /= 62;
  }
  return check == std::string_view(enc, 6);
}

std::string RedactSecret(std::string_view secret) {
  // Show at most 4 leading characters, and never more than a quarter of a
  // short secret, so a redacted value never narrows the search much.
  size_t show = std::min<size_t>(4, secret.size() / 4);
  std::string out(secret.substr(0, show));
  out += "…(" + std::to_string(secret.size()) + ")";
  return out;
}

}  // namespace gatehouse
