// The secret-matching engine: prefilter with Vectorscan, confirm with RE2.
//
// The problem. A rule set has a couple of hundred regular expressions, and a
// repository has gigabytes of text in which almost nothing is a secret. The
// gitleaks approach — find a rule's keywords with Aho-Corasick, then run the
// rule's regex over the whole file — re-reads a file once per rule whose
// keyword occurs in it, and common keywords ("key", "token", "secret") occur
// in most source files. Its cost grows with rules × bytes.
//
// The approach here reads each file's bytes once:
//
//  1. Prefilter. At compile time every rule's regex goes into one Vectorscan
//     (Hyperscan) database in HS_FLAG_PREFILTER mode, which accepts
//     constructs Vectorscan cannot match exactly by widening them, and
//     guarantees a superset of the true matches' end offsets. Each distinct
//     keyword goes into the same database as a caseless literal reported at
//     most once per scan. One hs_scan() over the (memory-mapped) file gives,
//     in a single pass, every candidate (rule, end offset) and which keywords
//     occur.
//
//  2. Windows. A candidate end offset E for rule r says "if r matches here,
//     its match ends at E". Vectorscan tells us the rule's maximum match
//     width W (unbounded widths are capped at kMaxWindow), so a real match
//     lies inside [E - W, E]. We widen that to whole lines (so `\b` and
//     line-oriented context behave as in the full text) and merge
//     overlapping windows of the same rule. Most files yield no candidates
//     at all; typical ones a handful of short windows.
//
//  3. Confirm. RE2 (linear time, the same syntax and semantics as Go's
//     regexp, which gitleaks configs are written for) runs only on merged
//     windows, with the whole file as context for `^` and `\b`. It extracts
//     the secret group. RE2 programs are compiled lazily, the first time a
//     rule has a candidate, so start-up pays only for rules that fire.
//
//  4. Filter. Keyword gating (a rule whose keywords do not occur in the file
//     does not fire — gitleaks semantics), the rule's path regex, Shannon
//     entropy of the secret, placeholder filtering for generic rules, and
//     offline checksums (GitHub/npm CRC32) run last on the few confirmed
//     matches. Allowlists, inline markers and baselines are the scanner's
//     job (they need commit and configuration context), not the engine's.
//
// Rules Vectorscan rejects even in prefilter mode (rare: e.g. Unicode
// classes) fall back to the gitleaks strategy — RE2 over the whole file when
// a keyword occurs — and are listed as diagnostics so the cost is visible.
// Compiling the database takes tens to hundreds of milliseconds, so the
// serialized database is cached on disk keyed by a hash of the patterns
// (see CacheDir()); a warm start deserializes it in about a millisecond.
//
// Thread safety: after Compile() the engine is immutable except for the
// scratch pool (mutex-protected) and lazily built RE2 objects (call_once).
#include <hs/hs.h>
#include <re2/re2.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/secrets.h"
#include "secrets/cache.h"

namespace gatehouse {

std::string CacheDir() {
  if (const char* d = std::getenv("GATEHOUSE_CACHE_DIR"); d && *d)
    return std::string_view(d) == "off" ? std::string() : std::string(d);
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/gatehouse";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/gatehouse";
  return {};
}

void StoreText(const std::string& dir, const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

namespace {

constexpr size_t kMaxWindow = 64 * 1024;  // cap for rules of unbounded width

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

// Obvious placeholders in generic assignments: template syntax, variable
// references, and words people write instead of a value.
bool IsPlaceholder(std::string_view s) {
  if (s.empty()) return true;
  std::string v = AsciiLower(s);
  // Template syntax and references: anywhere in the value.
  static constexpr std::string_view kMarkers[] = {
      "${",      "{{",    "<%",    "#{",    "%(",   "$(",   "env(", "getenv",      "env.",
      "environ", "<your", "your_", "your-", "xxxx", "****", "....", "placeholder", "redacted"};
  for (auto m : kMarkers)
    if (v.find(m) != std::string::npos) return true;
  // Words typed instead of a value count only as whole words, so a random
  // token that happens to contain "here" or "todo" is still reported.
  static constexpr std::string_view kWordMarkers[] = {
      "changeme", "changeit", "change-me", "example", "dummy", "sample",
      "replace",  "todo",     "fixme",     "insert",  "here"};
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (auto w : kWordMarkers) {
    for (size_t pos = v.find(w); pos != std::string::npos; pos = v.find(w, pos + 1)) {
      size_t end = pos + w.size();
      if ((pos == 0 || !alnum(v[pos - 1])) && (end == v.size() || !alnum(v[end]))) return true;
    }
  }
  if (v.front() == '$' || v.front() == '%' || v.front() == '<' || v.front() == '@') return true;
  bool all_same = std::all_of(v.begin(), v.end(), [&](char c) { return c == v.front(); });
  if (all_same) return true;
  static constexpr std::string_view kWords[] = {
      "password", "passwd", "secret", "token",   "none",  "null",    "nil",    "undefined",
      "true",     "false",  "test",   "testing", "admin", "default", "string", "value"};
  for (auto w : kWords)
    if (v == w) return true;
  return false;
}

}  // namespace

struct SecretEngine::Impl {
  RuleSet rules;
  HsDatabase db;
  HsScratch proto_scratch;

  // Vectorscan pattern ids: [0, rules) are rule regexes, [rules, ...) keywords.
  std::vector<std::string> keywords;                 // distinct, lower-case
  std::vector<std::vector<uint32_t>> rule_keywords;  // rule -> keyword ids
  std::vector<size_t> max_width;                     // per rule
  std::vector<bool> in_db;                           // rule regex is in the database
  std::vector<uint32_t> fallback_rules;              // regex rules not in the database
  std::vector<uint32_t> path_only_rules;             // no regex: match by path

  // Per-thread state, pooled: a Vectorscan scratch and this worker's own
  // RE2 programs (compiled lazily, the first time a rule has a candidate).
  // RE2 objects are thread-safe, but one shared across threads serializes
  // them on its DFA cache lock; private copies let confirmation scale.
  struct Worker {
    HsScratch scratch;
    std::vector<std::unique_ptr<RE2>> re;
  };
  std::mutex worker_mu;
  mutable std::vector<std::unique_ptr<Worker>> workers;

  const RE2* Regex(Worker& w, uint32_t r) const {
    if (w.re.size() != rules.rules.size()) w.re.resize(rules.rules.size());
    if (!w.re[r]) {
      RE2::Options opt;
      opt.set_log_errors(false);
      // RE2's default budget: its DFA cache grows with the variety of text a
      // rule sees, so a larger budget mostly buys memory on long scans.
      opt.set_max_mem(8 << 20);
      w.re[r] = std::make_unique<RE2>(rules.rules[r].regex, opt);
    }
    return w.re[r]->ok() ? w.re[r].get() : nullptr;
  }

  // Lazily compiled path filters (rarely used: only rules with `path`).
  struct Lazy {
    std::once_flag once;
    std::unique_ptr<RE2> re;
  };
  mutable std::vector<std::unique_ptr<Lazy>> path_re;

  const RE2* PathRegex(uint32_t r) const {
    Lazy& l = *path_re[r];
    std::call_once(l.once, [&] {
      RE2::Options opt;
      opt.set_log_errors(false);
      l.re = std::make_unique<RE2>(rules.rules[r].path, opt);
    });
    return l.re->ok() ? l.re.get() : nullptr;
  }

  std::unique_ptr<Worker> AcquireWorker() const {
    {
      std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(worker_mu));
      if (!workers.empty()) {
        std::unique_ptr<Worker> w = std::move(workers.back());
        workers.pop_back();
        return w;
      }
    }
    auto w = std::make_unique<Worker>();
    if (proto_scratch) {
      hs_scratch_t* s = nullptr;
      if (hs_clone_scratch(proto_scratch.get(), &s) == HS_SUCCESS) w->scratch.reset(s);
    }
    return w;
  }
  void ReleaseWorker(std::unique_ptr<Worker> w) const {
    std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(worker_mu));
    workers.push_back(std::move(w));
  }

  void Confirm(Worker& w, uint32_t r, std::string_view data, size_t from, size_t to,
               std::vector<SecretMatch>* out) const;
};

SecretEngine::SecretEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SecretEngine::~SecretEngine() = default;
const RuleSet& SecretEngine::rules() const { return impl_->rules; }
std::vector<std::string> SecretEngine::Keywords() const { return impl_->keywords; }

namespace {

// Escapes a literal for a Vectorscan pattern.
std::string EscapeLiteral(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || u >= 0x80) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

struct PatternSet {
  std::vector<std::string> exprs;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
};

std::string PatternSetKey(const PatternSet& p) {
  std::string key = hs_version();
  for (size_t i = 0; i < p.exprs.size(); ++i) {
    key += '\0';
    key += std::to_string(p.ids[i]) + ":" + std::to_string(p.flags[i]) + ":" + p.exprs[i];
  }
  return Sha256Hex(key);
}

HsDatabase LoadCached(const std::string& path) {
  auto bytes = ReadFileToString(path);
  if (!bytes.ok()) return nullptr;
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(bytes->data(), bytes->size(), &db) != HS_SUCCESS) return nullptr;
  return HsDatabase(db);
}

void StoreCached(const std::string& dir, const std::string& path, hs_database_t* db) {
  char* bytes = nullptr;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f.write(bytes, static_cast<std::streamsize>(len));
    if (!f) {
      std::free(bytes);
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::free(bytes);
  std::filesystem::rename(tmp, path, ec);  // atomic: readers see old or new
  if (ec) std::filesystem::remove(tmp, ec);
}

// Everything Compile() learns per rule set besides the database itself:
// which rules are usable, their match widths, which fall back, and the
// diagnostics to repeat. Cached beside the database so a warm start skips
// validating and analysing every regex.
struct CompileMeta {
  std::vector<bool> usable;
  std::vector<size_t> max_width;
  std::vector<uint32_t> fallback;
  std::vector<std::string> notes;
  std::string db_key;
};

std::string RuleSetKey(const RuleSet& rules, bool lenient) {
  std::string key = std::string(hs_version()) + (lenient ? "L" : "S");
  for (const auto& r : rules.rules) {
    key += '\0' + r.id + '\0' + r.regex + '\0' + r.path + '\0' + std::to_string(r.secret_group);
    for (const auto& k : r.keywords) key += '\1' + k;
  }
  return Sha256Hex(key);
}

std::optional<CompileMeta> LoadMeta(const std::string& path, size_t nrules) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    CompileMeta m;
    m.usable = j.at("usable").get<std::vector<bool>>();
    m.max_width = j.at("max_width").get<std::vector<size_t>>();
    m.fallback = j.at("fallback").get<std::vector<uint32_t>>();
    m.notes = j.at("notes").get<std::vector<std::string>>();
    m.db_key = j.at("db_key").get<std::string>();
    if (m.usable.size() != nrules || m.max_width.size() != nrules) return std::nullopt;
    for (uint32_t f : m.fallback)
      if (f >= nrules) return std::nullopt;
    return m;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged cache is just a cache miss
  }
}

}  // namespace

Result<std::unique_ptr<SecretEngine>> SecretEngine::Compile(const RuleSet& rules, bool lenient,
                                                            std::vector<Diagnostic>* diagnostics) {
  auto impl = std::make_unique<Impl>();
  impl->rules = rules;
  const size_t n = rules.rules.size();
  impl->rule_keywords.resize(n);
  impl->max_width.assign(n, kMaxWindow);
  impl->in_db.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    impl->path_re.push_back(std::make_unique<Impl::Lazy>());
  }
  const bool trusted = rules.source == "builtin";  // validated by tests

  // Warm start: metadata and database from the cache.
  const std::string cache_dir = CacheDir();
  const std::string meta_path =
      cache_dir.empty() ? "" : cache_dir + "/meta-" + RuleSetKey(rules, lenient) + ".json";
  if (!meta_path.empty()) {
    if (auto meta = LoadMeta(meta_path, n)) {
      HsDatabase db =
          meta->db_key.empty() ? nullptr : LoadCached(cache_dir + "/hs-" + meta->db_key + ".db");
      if (db || meta->db_key.empty()) {
        impl->db = std::move(db);
        impl->max_width = meta->max_width;
        impl->fallback_rules = meta->fallback;
        std::map<std::string, uint32_t> kw_ids;
        for (uint32_t i = 0; i < n; ++i) {
          const SecretRule& r = rules.rules[i];
          if (!meta->usable[i]) {
            impl->rules.rules[i].regex.clear();
            impl->rules.rules[i].path.clear();
            continue;
          }
          for (const auto& kw : r.keywords) {
            if (kw.empty()) continue;
            auto [it, inserted] = kw_ids.emplace(kw, static_cast<uint32_t>(impl->keywords.size()));
            if (inserted) impl->keywords.push_back(kw);
            impl->rule_keywords[i].push_back(it->second);
          }
          if (r.regex.empty())
            impl->path_only_rules.push_back(i);
          else
            impl->in_db[i] = true;
        }
        for (uint32_t f : impl->fallback_rules) impl->in_db[f] = false;
        for (const auto& note : meta->notes)
          diagnostics->push_back({DiagnosticKind::kRule, rules.source, 0, 0, note});
        if (impl->db) {
          hs_scratch_t* s = nullptr;
          if (hs_alloc_scratch(impl->db.get(), &s) != HS_SUCCESS)
            return MakeError(ErrorCode::kInternal, "cannot allocate Vectorscan scratch");
          impl->proto_scratch.reset(s);
        }
        return std::unique_ptr<SecretEngine>(new SecretEngine(std::move(impl)));
      }
    }
  }
  const size_t first_note = diagnostics->size();

  // Validate with RE2 (the confirming engine). Our own rules are checked by
  // the test suite, so they skip this and compile lazily.
  std::vector<bool> usable(n, true);
  for (uint32_t i = 0; i < n; ++i) {
    const SecretRule& r = rules.rules[i];
    if (trusted) continue;
    auto check = [&](const std::string& pattern, const char* what) -> Status {
      if (pattern.empty()) return {};
      RE2::Options opt;
      opt.set_log_errors(false);
      RE2 re(pattern, opt);
      if (re.ok()) {
        if (std::string_view(what) == "regex" && r.secret_group > re.NumberOfCapturingGroups())
          return MakeError(ErrorCode::kConfig,
                           "rule '" + r.id + "': secretGroup " + std::to_string(r.secret_group) +
                               " but the regex has only " +
                               std::to_string(re.NumberOfCapturingGroups()) + " groups",
                           rules.source);
        return {};
      }
      return MakeError(ErrorCode::kConfig,
                       "rule '" + r.id + "': " + what + " does not compile: " + re.error(),
                       rules.source);
    };
    Status st = check(r.regex, "regex");
    if (st.ok()) st = check(r.path, "path");
    if (!st.ok()) {
      if (!lenient) return st.error();
      usable[i] = false;
      diagnostics->push_back(
          {DiagnosticKind::kRule, rules.source, 0, 0, st.error().message + " (rule skipped)"});
    }
  }

  // Keywords, deduplicated.
  std::map<std::string, uint32_t> kw_ids;
  for (uint32_t i = 0; i < n; ++i) {
    if (!usable[i]) continue;
    for (const auto& kw : rules.rules[i].keywords) {
      if (kw.empty()) continue;
      auto [it, inserted] = kw_ids.emplace(kw, static_cast<uint32_t>(impl->keywords.size()));
      if (inserted) impl->keywords.push_back(kw);
      impl->rule_keywords[i].push_back(it->second);
    }
  }

  // Vectorscan patterns: probe each rule regex with hs_expression_info (cheap)
  // to learn its width and weed out what the compiler will reject.
  PatternSet ps;
  for (uint32_t i = 0; i < n; ++i) {
    const SecretRule& r = rules.rules[i];
    if (!usable[i]) continue;
    if (r.regex.empty()) {
      impl->path_only_rules.push_back(i);
      continue;
    }
    const unsigned flags = HS_FLAG_PREFILTER | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(r.regex.c_str(), flags, &info, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      impl->fallback_rules.push_back(i);
      continue;
    }
    if (info->max_width != UINT_MAX)
      impl->max_width[i] = std::min<size_t>(info->max_width, kMaxWindow);
    std::free(info);
    // Exact (non-prefilter) info gives a tighter width when available.
    if (hs_expression_info(r.regex.c_str(), HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY, &info, &err) ==
        HS_SUCCESS) {
      if (info->max_width != UINT_MAX)
        impl->max_width[i] = std::min<size_t>(info->max_width, kMaxWindow);
      std::free(info);
    } else {
      hs_free_compile_error(err);
    }
    ps.exprs.push_back(r.regex);
    ps.flags.push_back(flags);
    ps.ids.push_back(i);
  }
  for (uint32_t k = 0; k < impl->keywords.size(); ++k) {
    ps.exprs.push_back(EscapeLiteral(impl->keywords[k]));
    ps.flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    ps.ids.push_back(static_cast<uint32_t>(n + k));
  }

  // Compile (or load from cache). If the compiler rejects an expression,
  // move that rule to the fallback list and try again.
  std::string db_key;
  while (!ps.exprs.empty()) {
    std::string cache_path;
    db_key = PatternSetKey(ps);
    if (!cache_dir.empty()) cache_path = cache_dir + "/hs-" + db_key + ".db";
    if (!cache_path.empty()) impl->db = LoadCached(cache_path);
    if (impl->db) break;
    std::vector<const char*> cexprs;
    for (auto& e : ps.exprs) cexprs.push_back(e.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    hs_platform_info_t platform;
    hs_populate_platform(&platform);
    if (hs_compile_multi(cexprs.data(), ps.flags.data(), ps.ids.data(),
                         static_cast<unsigned>(ps.exprs.size()), HS_MODE_BLOCK, &platform, &db,
                         &err) == HS_SUCCESS) {
      impl->db.reset(db);
      if (!cache_path.empty()) StoreCached(cache_dir, cache_path, db);
      break;
    }
    int bad = err->expression;
    std::string why = err->message;
    hs_free_compile_error(err);
    if (bad < 0 || static_cast<size_t>(bad) >= ps.exprs.size() || ps.ids[bad] >= n)
      return MakeError(ErrorCode::kInternal, "Vectorscan compile failed: " + why);
    uint32_t rule = ps.ids[bad];
    impl->fallback_rules.push_back(rule);
    ps.exprs.erase(ps.exprs.begin() + bad);
    ps.flags.erase(ps.flags.begin() + bad);
    ps.ids.erase(ps.ids.begin() + bad);
  }
  for (unsigned id : ps.ids)
    if (id < n) impl->in_db[id] = true;
  for (uint32_t r : impl->fallback_rules) {
    diagnostics->push_back(
        {DiagnosticKind::kRule, rules.source, 0, 0,
         "rule '" + rules.rules[r].id +
             "' cannot be prefiltered; it runs on whole files that contain its keywords"});
  }
  if (impl->db) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(impl->db.get(), &s) != HS_SUCCESS)
      return MakeError(ErrorCode::kInternal, "cannot allocate Vectorscan scratch");
    impl->proto_scratch.reset(s);
  }
  // Unused rules stay in the set (indices must not move) but never run.
  for (uint32_t i = 0; i < n; ++i)
    if (!usable[i]) impl->in_db[i] = false;
  impl->rules = rules;
  for (uint32_t i = 0; i < n; ++i)
    if (!usable[i]) impl->rules.rules[i].regex.clear(), impl->rules.rules[i].path.clear();
  std::erase_if(impl->path_only_rules, [&](uint32_t r) { return !usable[r]; });
  if (!meta_path.empty()) {
    nlohmann::json j;
    j["usable"] = usable;
    j["max_width"] = impl->max_width;
    j["fallback"] = impl->fallback_rules;
    std::vector<std::string> notes;
    for (size_t i = first_note; i < diagnostics->size(); ++i)
      notes.push_back((*diagnostics)[i].message);
    j["notes"] = notes;
    j["db_key"] = impl->db ? db_key : std::string();
    StoreText(cache_dir, meta_path, j.dump());
  }
  return std::unique_ptr<SecretEngine>(new SecretEngine(std::move(impl)));
}

void SecretEngine::Impl::Confirm(Worker& w, uint32_t r, std::string_view data, size_t from,
                                 size_t to, std::vector<SecretMatch>* out) const {
  const RE2* re = Regex(w, r);
  if (!re) return;
  const SecretRule& rule = rules.rules[r];
  const int ngroups = re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups) + 1);
  re2::StringPiece text(data.data(), data.size());
  size_t pos = from;
  while (pos <= to) {
    if (!re->Match(text, pos, to, RE2::UNANCHORED, groups.data(), ngroups + 1)) break;
    const re2::StringPiece& whole = groups[0];
    size_t start = static_cast<size_t>(whole.data() - data.data());
    size_t end = start + whole.size();
    pos = end > start ? end : end + 1;
    // The secret: the configured group, else the first non-empty group, else all.
    re2::StringPiece secret = whole;
    if (rule.secret_group > 0 && rule.secret_group <= ngroups) {
      secret = groups[rule.secret_group];
    } else if (rule.secret_group == 0) {
      for (int g = 1; g <= ngroups; ++g)
        if (!groups[g].empty()) {
          secret = groups[g];
          break;
        }
    }
    if (secret.data() == nullptr || secret.empty()) continue;
    std::string_view sv(secret.data(), secret.size());
    SecretMatch m;
    m.rule = r;
    m.start = start;
    m.end = end;
    m.secret_start = static_cast<size_t>(secret.data() - data.data());
    m.secret_end = m.secret_start + secret.size();
    m.entropy = ShannonEntropy(sv);
    if (rule.entropy && m.entropy <= *rule.entropy) continue;
    if (rule.placeholder_filter && IsPlaceholder(sv)) continue;
    if (rule.checksum != ChecksumKind::kNone) m.checksum_valid = ValidTokenChecksum(sv);
    out->push_back(m);
  }
}

std::vector<SecretMatch> SecretEngine::Scan(std::string_view path, std::string_view data) const {
  const Impl& im = *impl_;
  const size_t n = im.rules.rules.size();
  std::vector<SecretMatch> out;

  struct Ctx {
    size_t nrules;
    std::vector<bool>* kw_seen;
    std::vector<std::pair<uint32_t, size_t>>* cands;
  };
  std::vector<bool> kw_seen(im.keywords.size(), false);
  std::vector<std::pair<uint32_t, size_t>> cands;
  struct WorkerLease {
    const Impl& im;
    std::unique_ptr<Impl::Worker> w;
    ~WorkerLease() { im.ReleaseWorker(std::move(w)); }
  } lease{im, im.AcquireWorker()};
  Impl::Worker& worker = *lease.w;
  if (im.db && !data.empty()) {
    Ctx ctx{n, &kw_seen, &cands};
    hs_scratch_t* scratch = worker.scratch.get();
    if (scratch) {
      auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                         void* p) -> int {
        auto* c = static_cast<Ctx*>(p);
        if (id >= c->nrules)
          (*c->kw_seen)[id - c->nrules] = true;
        else
          c->cands->emplace_back(id, static_cast<size_t>(to));
        return 0;
      };
      // hs_scan takes a 32-bit length; scan huge buffers in overlapping blocks.
      constexpr size_t kBlock = size_t{1} << 30;
      for (size_t off = 0; off < data.size(); off += kBlock) {
        size_t len = std::min(data.size() - off, kBlock + kMaxWindow);
        size_t before = cands.size();
        hs_scan(im.db.get(), data.data() + off, static_cast<unsigned>(len), 0, scratch, on_match,
                &ctx);
        for (size_t i = before; i < cands.size(); ++i) cands[i].second += off;
        if (off + len >= data.size()) break;
      }
    }
  }

  auto keywords_ok = [&](uint32_t r) {
    const auto& ids = im.rule_keywords[r];
    if (ids.empty()) return true;
    for (uint32_t k : ids)
      if (kw_seen[k]) return true;
    return false;
  };
  auto path_ok = [&](uint32_t r) {
    if (im.rules.rules[r].path.empty()) return true;
    const RE2* pre = im.PathRegex(r);
    return pre && RE2::PartialMatch(re2::StringPiece(path.data(), path.size()), *pre);
  };

  // Candidates -> merged line-aligned windows per rule -> RE2.
  std::sort(cands.begin(), cands.end());
  cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
  auto line_start = [&](size_t p) {
    size_t s = data.rfind('\n', p == 0 ? 0 : p - 1);
    return (s == std::string_view::npos || p == 0) ? size_t{0} : s + 1;
  };
  auto line_end = [&](size_t p) {
    size_t e = data.find('\n', p);
    return e == std::string_view::npos ? data.size() : e + 1;
  };
  for (size_t i = 0; i < cands.size();) {
    uint32_t r = cands[i].first;
    size_t j = i;
    while (j < cands.size() && cands[j].first == r) ++j;
    if (keywords_ok(r) && path_ok(r)) {
      size_t cur_from = 0, cur_to = 0;
      bool open = false;
      for (size_t k = i; k < j; ++k) {
        size_t e = cands[k].second;
        size_t w = im.max_width[r];
        size_t from = line_start(e > w ? e - w : 0);
        size_t to = line_end(e == 0 ? 0 : e - 1);
        if (open && from <= cur_to) {
          cur_to = std::max(cur_to, to);
        } else {
          if (open) im.Confirm(worker, r, data, cur_from, cur_to, &out);
          cur_from = from;
          cur_to = to;
          open = true;
        }
      }
      if (open) im.Confirm(worker, r, data, cur_from, cur_to, &out);
    }
    i = j;
  }

  for (uint32_t r : im.fallback_rules)
    if (!im.rules.rules[r].regex.empty() && keywords_ok(r) && path_ok(r))
      im.Confirm(worker, r, data, 0, data.size(), &out);

  for (uint32_t r : im.path_only_rules) {
    if (path_ok(r)) {
      SecretMatch m;
      m.rule = r;
      out.push_back(m);  // whole-file match: empty offsets
    }
  }

  std::sort(out.begin(), out.end(), [](const SecretMatch& a, const SecretMatch& b) {
    return std::tie(a.start, a.rule, a.secret_start) < std::tie(b.start, b.rule, b.secret_start);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const SecretMatch& a, const SecretMatch& b) {
                          return a.rule == b.rule && a.start == b.start && a.end == b.end;
                        }),
            out.end());
  return out;
}

}  // namespace gatehouse
