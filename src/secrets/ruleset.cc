// The built-in rule set, checksums and redaction.
#include <cstdio>
#include <cstdlib>

#include "gatehouse/base.h"
#include "gatehouse/secrets.h"

namespace gatehouse {

namespace {
constexpr std::string_view kDefaultRulesToml =
#include "default_rules.inc"
    ;
}  // namespace

const RuleSet& DefaultRuleSet() {
  static const RuleSet rules = [] {
    auto r = LoadGitleaksToml(kDefaultRulesToml, "builtin:default_rules.toml");
    if (!r.ok()) {
      // The built-in file is validated by tests; failing here is a build bug.
      std::fprintf(stderr, "gatehouse: built-in rules do not load: %s\n",
                   r.error().ToString().c_str());
      std::abort();
    }
    RuleSet set = std::move(r).value();
    set.source = "builtin";
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
