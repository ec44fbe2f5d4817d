// Table-driven IaC fixtures: every file under tests/data/iac/k8s/*.yaml,
// every chart directory under tests/data/iac/helm/ and every Dockerfile
// under tests/data/iac/docker/ carries its expectations in comments:
//
//   # test: level=restricted only=k8s/pss-   (optional header, first file)
//   some: field  # expect: rule-a, rule-b     (findings on this line)
//   # expect-next: rule-a                     (findings on the next line)
//
// The run must produce exactly the expected (path, line, rule) multiset —
// nothing missing, nothing extra — among the rules selected by `only`
// (comma-separated rule-id prefixes; default: every rule).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "gatehouse/iac.h"
#include "test_util.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::vector<IacFile> files;
  IacOptions options;
  std::string only;
  std::multiset<std::string> expected;  // "path:line rule"
};

std::vector<std::string> SplitRules(std::string s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string r;
  while (std::getline(ss, r, ',')) {
    r.erase(0, r.find_first_not_of(" \t"));
    r.erase(r.find_last_not_of(" \t\r") + 1);
    if (!r.empty()) out.push_back(r);
  }
  return out;
}

void ReadExpectations(const IacFile& f, Case* c) {
  std::stringstream ss(f.content);
  std::string line;
  int n = 0;
  while (std::getline(ss, line)) {
    ++n;
    size_t h = line.find("# test:");
    if (h != std::string::npos) {
      std::stringstream hs(line.substr(h + 7));
      std::string kv;
      while (hs >> kv) {
        if (kv.starts_with("level="))
          c->options.pss_level = kv == "level=restricted"   ? PssLevel::kRestricted
                                 : kv == "level=privileged" ? PssLevel::kPrivileged
                                                            : PssLevel::kBaseline;
        if (kv.starts_with("only=")) c->only = kv.substr(5);
      }
    }
    size_t e = line.find("# expect: ");
    if (e != std::string::npos)
      for (const std::string& r : SplitRules(line.substr(e + 10)))
        c->expected.insert(f.path + ":" + std::to_string(n) + " " + r);
    e = line.find("# expect-next: ");
    if (e != std::string::npos)
      for (const std::string& r : SplitRules(line.substr(e + 15)))
        c->expected.insert(f.path + ":" + std::to_string(n + 1) + " " + r);
  }
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  const fs::path root = fs::path(testing::SourceDir()) / "tests/data/iac";
  auto add_files = [&](const std::string& name, const std::vector<fs::path>& paths,
                       const fs::path& base) {
    Case c;
    c.name = name;
    for (const fs::path& p : paths)
      c.files.push_back(
          IacFile{fs::relative(p, base).generic_string(), testing::ReadAll(p.string())});
    std::sort(c.files.begin(), c.files.end(),
              [](const IacFile& a, const IacFile& b) { return a.path < b.path; });
    for (const IacFile& f : c.files) ReadExpectations(f, &c);
    cases.push_back(std::move(c));
  };
  for (const auto& e : fs::directory_iterator(root / "k8s"))
    if (e.is_regular_file() && e.path().extension() == ".yaml")
      add_files("k8s/" + e.path().filename().string(), {e.path()}, root / "k8s");
  for (const auto& e : fs::directory_iterator(root / "docker"))
    if (e.is_regular_file())
      add_files("docker/" + e.path().filename().string(), {e.path()}, root / "docker");
  for (const auto& e : fs::directory_iterator(root / "helm")) {
    if (!e.is_directory()) continue;
    std::vector<fs::path> paths;
    for (const auto& f : fs::recursive_directory_iterator(e.path()))
      if (f.is_regular_file()) paths.push_back(f.path());
    add_files("helm/" + e.path().filename().string(), paths, root / "helm");
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

TEST(IacFixturesTest, EveryFixtureProducesExactlyItsExpectations) {
  std::vector<Case> cases = LoadCases();
  ASSERT_GE(cases.size(), 8u);
  size_t total_expected = 0;
  for (Case& c : cases) {
    SCOPED_TRACE(c.name);
    IacResult r = AnalyzeIacFiles(c.files, c.options);
    std::multiset<std::string> got;
    for (const Finding& f : r.report.findings) {
      if (!c.only.empty()) {
        bool selected = false;
        for (const std::string& prefix : SplitRules(c.only))
          if (f.rule_id.starts_with(prefix)) selected = true;
        if (!selected) continue;
      }
      got.insert(f.location.path + ":" + std::to_string(f.location.line) + " " + f.rule_id);
    }
    std::vector<std::string> missing, extra;
    std::set_difference(c.expected.begin(), c.expected.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), c.expected.begin(), c.expected.end(),
                        std::back_inserter(extra));
    std::string msg;
    for (const auto& m : missing) msg += "  missing: " + m + "\n";
    for (const auto& x : extra) {
      msg += "  extra:   " + x;
      for (const Finding& f : r.report.findings)
        if (f.location.path + ":" + std::to_string(f.location.line) + " " + f.rule_id == x)
          msg += "  (" + f.message + ")";
      msg += "\n";
    }
    EXPECT_TRUE(missing.empty() && extra.empty()) << c.name << "\n" << msg;
    total_expected += c.expected.size();
  }
  EXPECT_GE(total_expected, 60u);
}

// Every rule of the native table is exercised by at least one fixture.
TEST(IacFixturesTest, EveryNativeRuleHasAPositiveFixture) {
  std::set<std::string> expected;
  for (const Case& c : LoadCases())
    for (const std::string& e : c.expected) expected.insert(e.substr(e.rfind(' ') + 1));
  for (const RuleInfo& r : IacRuleInfos()) {
    if (r.id.starts_with("tf/")) continue;  // Terraform has its own suite
    EXPECT_TRUE(expected.count(r.id)) << "no fixture expects " << r.id;
  }
}

}  // namespace
}  // namespace gatehouse
