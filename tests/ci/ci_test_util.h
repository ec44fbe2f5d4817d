// Helpers for the CI analyzer tests: loading the hand-written fixtures in
// tests/data/ci/rules (one or more files per fixture, expectations in
// trailing comments), a shared secret scanner, and in-memory analysis.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gatehouse/ci.h"
#include "gatehouse/secrets_scan.h"
#include "test_util.h"

namespace gatehouse::testing {

// A fixture: `<rule-id>[.<variant>].{pos,neg}.yml`. The text is split into
// files at lines `# --- file: <path>`; the first file's path is given by a
// `# path: <path>` line (default .github/workflows/<fixture name>.yml).
// `# expect: LINE:COL` (or `# expect: PATH LINE:COL`) lists where the rule
// must fire; a .neg fixture expects nothing. `{{GITHUB_TOKEN}}` and
// `{{PASSWORD}}` are replaced with values generated at run time, so no
// credential-shaped string is committed.
struct CiFixture {
  std::string name;  // file name without .yml
  std::string rule;
  bool positive = false;
  std::vector<CiFile> files;
  std::vector<std::string> expect;  // "path:line:col", sorted
};

inline CiFixture LoadCiFixture(const std::filesystem::path& p) {
  CiFixture fx;
  fx.name = p.stem().string();
  fx.rule = fx.name.substr(0, fx.name.find('.'));
  fx.positive = fx.name.ends_with(".pos");
  std::string text = ReadAll(p.string());
  std::mt19937_64 rng(4242);
  const std::string token = FakeGithubToken(rng);
  const std::string password = "Zq8" + RandomChars(rng, kBase62, 17) + "!x";
  for (auto [needle, value] : {std::pair<std::string, std::string>{"{{GITHUB_TOKEN}}", token},
                               {"{{PASSWORD}}", password}}) {
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at))
      text.replace(at, needle.size(), value);
  }
  std::string first_path = ".github/workflows/" + fx.name + ".yml";
  CiFile cur{"", ""};
  std::vector<std::string> raw_expect;
  size_t b = 0;
  while (b < text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    std::string line = text.substr(b, e - b);
    if (line.rfind("# --- file: ", 0) == 0) {
      fx.files.push_back(cur);
      cur = CiFile{line.substr(12), ""};
    } else {
      if (line.rfind("# path: ", 0) == 0 && fx.files.empty()) first_path = line.substr(8);
      if (line.rfind("# expect: ", 0) == 0) raw_expect.push_back(line.substr(10));
      cur.content += line + "\n";
    }
    b = e + 1;
  }
  fx.files.push_back(cur);
  fx.files[0].path = first_path;
  for (const std::string& x : raw_expect) {
    size_t sp = x.find(' ');
    fx.expect.push_back(sp == std::string::npos ? first_path + ":" + x
                                                : x.substr(0, sp) + ":" + x.substr(sp + 1));
  }
  std::sort(fx.expect.begin(), fx.expect.end());
  return fx;
}

inline std::vector<std::filesystem::path> CiFixturePaths() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(SourceDir()) /
                                                           "tests/data/ci/rules"))
    if (e.path().extension() == ".yml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// One secret scanner for all tests (compiling the engine is the slow part).
inline const SecretScanner* SharedSecretScanner() {
  static std::unique_ptr<SecretScanner> scanner = [] {
    auto s = SecretScanner::Create(SourceDir() + "/tests/data/ci", {});
    return s.ok() ? std::move(s).value() : nullptr;
  }();
  return scanner.get();
}

inline CiResult AnalyzeFixture(const CiFixture& fx) {
  CiOptions o;
  o.secret_scanner = SharedSecretScanner();
  o.threads = 2;
  return AnalyzeCiFiles(fx.files, o);
}

inline std::string FindingKey(const Finding& f) {
  return f.location.path + ":" + std::to_string(f.location.line) + ":" +
         std::to_string(f.location.column);
}

}  // namespace gatehouse::testing
