// Reporter tests: structure and escaping per format, determinism, and golden
// files (tests/data/report/; GH_UPDATE_GOLDEN=1 rewrites them).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/report.h"

namespace gatehouse {
namespace {

using nlohmann::json;

constexpr ReportFormat kAllFormats[] = {ReportFormat::kText,   ReportFormat::kJson,
                                        ReportFormat::kSarif,  ReportFormat::kJunit,
                                        ReportFormat::kGithub, ReportFormat::kMarkdown};

Finding MakeFinding(std::string rule_id, Severity severity, Area area, std::string path, int line,
                    int column, std::string message) {
  Finding f;
  f.rule_id = std::move(rule_id);
  f.title = "Title of " + f.rule_id;
  f.severity = severity;
  f.area = area;
  f.confidence = Confidence::kMedium;
  f.message = std::move(message);
  f.location.path = std::move(path);
  f.location.line = line;
  f.location.column = column;
  f.fingerprint = "fp-" + f.rule_id + "-" + std::to_string(line);
  return f;
}

// The fixed Report behind the golden files: every severity, several areas,
// history properties, a whole-file finding, and the characters that break
// naive escaping (quotes, <, &, |, newlines, %, commas and colons in paths,
// non-ASCII, a terminal escape in evidence).
Report FixtureReport() {
  Report r;
  r.tool_name = "gatehouse";
  r.tool_version = "0.1.0";
  r.command = "secrets";
  r.root = ".";

  RuleInfo aws;
  aws.id = "aws-access-key";
  aws.title = "AWS access key";
  aws.description = "An AWS access key id (AKIA...) committed to the repository.";
  aws.remediation =
      "Deactivate the key in IAM, then remove it from the file.\nUse a secret manager.";
  aws.help_uri = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html";
  aws.severity = Severity::kCritical;
  aws.area = Area::kSecurity;
  aws.tags = {"secret", "aws"};
  RuleInfo slack;
  slack.id = "slack-webhook";
  slack.title = "Slack incoming webhook";
  slack.description = "A Slack incoming webhook URL.";
  slack.remediation = "Revoke the webhook in Slack.";
  slack.severity = Severity::kHigh;
  slack.area = Area::kSecurity;
  slack.tags = {"secret"};
  r.rules = {slack, aws};

  Finding f1 = MakeFinding("aws-access-key", Severity::kCritical, Area::kSecurity,
                           "config/prod settings.env", 3, 12, "AWS access key \"AKIA…\" found");
  f1.title = "AWS access key";
  f1.confidence = Confidence::kHigh;
  f1.location.end_line = 3;
  f1.location.end_column = 32;
  f1.evidence = "AWS_KEY=\"AKIA************MPLE\"";
  f1.remediation = aws.remediation;
  f1.help_uri = aws.help_uri;
  f1.fingerprint = "0f3a9c2e1b7d4a58";

  Finding f2 = MakeFinding("generic-api-key", Severity::kHigh, Area::kSecurity, "src/app/main.cc",
                           42, 5, "Token <redacted> & more | pipes");
  f2.evidence = "const char* kToken = \"sk_****\";  // <b>&amp;</b>";
  f2.remediation = "Move the token to the CI secret store.";
  f2.properties = {{"commit", "3f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e"},
                   {"author", "Dev O'Neil <dev@example.com>"},
                   {"date", "2024-01-02T03:04:05Z"}};

  Finding f3 = MakeFinding("gha-unpinned-action", Severity::kMedium, Area::kCiCd,
                           ".github/workflows/ci,build:1.yml", 10, 9,
                           "Action actions/checkout@v4 is not pinned to a commit SHA (100% of "
                           "steps, 2 of 2)");
  f3.location.end_line = 10;
  f3.location.end_column = 30;
  f3.confidence = Confidence::kHigh;
  f3.evidence = "uses: actions/checkout@v4";
  f3.remediation = "Pin to a full commit SHA: uses: actions/checkout@<sha> # v4";

  Finding f4 = MakeFinding("missing-codeowners", Severity::kLow, Area::kRepoHygiene, "CODEOWNERS",
                           0, 0, "No CODEOWNERS file; reviews are not routed");
  f4.confidence = Confidence::kLow;
  f4.remediation = "Add a CODEOWNERS file naming an owner for each top-level directory.";

  Finding f5 =
      MakeFinding("k8s-latest-tag", Severity::kInfo, Area::kIac, "deploy/ünïcödé/app.yaml", 7, 14,
                  "Image uses the mutable :latest tag\nPin an image digest instead");
  f5.evidence = "image: nginx:latest \x1b[31mred\x1b[0m";
  f5.remediation = "Use image: nginx@sha256:<digest>.";

  r.findings = {f1, f2, f3, f4, f5};
  SortFindings(r.findings);

  r.diagnostics = {
      {DiagnosticKind::kUnreadable, "secrets/locked.pem", 0, 0, "permission denied"},
      {DiagnosticKind::kBinary, "assets/logo.png", 0, 0, "looks binary; skipped"},
  };
  r.stats.files_scanned = 120;
  r.stats.bytes_scanned = 3565158;
  r.stats.files_skipped_binary = 2;
  r.stats.files_skipped_size = 1;
  r.stats.files_unreadable = 1;
  r.stats.files_ignored = 7;
  r.stats.findings_suppressed = 3;
  return r;
}

const Finding* FindRule(const Report& r, std::string_view id) {
  for (const Finding& f : r.findings)
    if (f.rule_id == id) return &f;
  return nullptr;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// ---- format names ---------------------------------------------------------

TEST(ReportFormatTest, ParseAndNameRoundTrip) {
  for (ReportFormat f : kAllFormats) EXPECT_EQ(ParseReportFormat(ReportFormatName(f)), f);
  EXPECT_FALSE(ParseReportFormat("html-ish"));
  EXPECT_FALSE(ParseReportFormat(""));
}

// ---- json -----------------------------------------------------------------

TEST(ReportJsonTest, HasSchemaFields) {
  const Report r = FixtureReport();
  const json j = json::parse(Render(r, ReportFormat::kJson));
  EXPECT_EQ(j["schema_version"], kJsonSchemaVersion);
  EXPECT_EQ(j["tool"]["name"], "gatehouse");
  EXPECT_EQ(j["tool"]["version"], "0.1.0");
  EXPECT_EQ(j["command"], "secrets");
  EXPECT_EQ(j["root"], ".");

  const json& s = j["summary"];
  EXPECT_EQ(s["findings"], 5);
  for (const char* sev : {"critical", "high", "medium", "low", "info"}) {
    EXPECT_EQ(s["by_severity"][sev], 1) << sev;
  }
  EXPECT_EQ(s["by_area"]["security"], 2);
  EXPECT_EQ(s["by_area"]["ci-cd"], 1);
  EXPECT_EQ(s["by_area"]["dr"], 0);
  EXPECT_EQ(s["by_area"].size(), 9u);
  EXPECT_EQ(s["files_scanned"], 120);
  EXPECT_EQ(s["bytes_scanned"], 3565158);
  EXPECT_EQ(s["files_skipped_binary"], 2);
  EXPECT_EQ(s["files_skipped_size"], 1);
  EXPECT_EQ(s["files_unreadable"], 1);
  EXPECT_EQ(s["files_ignored"], 7);
  EXPECT_EQ(s["findings_suppressed"], 3);
  EXPECT_EQ(s["diagnostics"], 2);
  EXPECT_TRUE(s["seconds"].is_number());

  ASSERT_EQ(j["findings"].size(), r.findings.size());
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const json& f = j["findings"][i];
    for (const char* key :
         {"rule_id", "title", "area", "severity", "confidence", "message", "location",
          "fingerprint", "remediation", "help_uri", "evidence", "properties"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
    for (const char* key : {"path", "line", "column", "end_line", "end_column"}) {
      EXPECT_TRUE(f["location"].contains(key)) << key;
    }
    // Baselines read findings[].fingerprint.
    EXPECT_EQ(f["fingerprint"], r.findings[i].fingerprint);
    EXPECT_EQ(f["rule_id"], r.findings[i].rule_id);
    EXPECT_EQ(f["message"], r.findings[i].message);
    EXPECT_EQ(f["location"]["path"], r.findings[i].location.path);
  }
  const json* with_commit = nullptr;
  for (const json& f : j["findings"])
    if (f["rule_id"] == "generic-api-key") with_commit = &f;
  ASSERT_NE(with_commit, nullptr);
  EXPECT_EQ((*with_commit)["properties"]["commit"], "3f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e");
  EXPECT_EQ((*with_commit)["severity"], "high");
  EXPECT_EQ((*with_commit)["area"], "security");

  ASSERT_EQ(j["diagnostics"].size(), 2u);
  EXPECT_EQ(j["diagnostics"][0]["kind"], "unreadable");
  EXPECT_EQ(j["diagnostics"][0]["path"], "secrets/locked.pem");
}

TEST(ReportJsonTest, KeyOrderIsStable) {
  const std::string out = Render(FixtureReport(), ReportFormat::kJson);
  const size_t a = out.find("\"schema_version\"");
  const size_t b = out.find("\"tool\"");
  const size_t c = out.find("\"summary\"");
  const size_t d = out.find("\"findings\": [");
  const size_t e = out.find("\"diagnostics\": [");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_LT(d, e);
}

TEST(ReportJsonTest, InvalidUtf8IsReplacedNotThrown) {
  Report r;
  r.findings.push_back(
      MakeFinding("r", Severity::kLow, Area::kSecurity, "bad\xff.txt", 1, 1, "msg \xc3("));
  std::string out;
  ASSERT_NO_THROW(out = Render(r, ReportFormat::kJson));
  const json j = json::parse(out);
  EXPECT_EQ(j["findings"][0]["location"]["path"], "bad\xef\xbf\xbd.txt");
  ASSERT_NO_THROW(json::parse(Render(r, ReportFormat::kSarif)));
}

TEST(ReportJsonTest, EmptyReport) {
  const json j = json::parse(Render(Report{}, ReportFormat::kJson));
  EXPECT_TRUE(j["findings"].is_array());
  EXPECT_TRUE(j["findings"].empty());
  EXPECT_TRUE(j["diagnostics"].empty());
  EXPECT_EQ(j["summary"]["findings"], 0);
}

// ---- sarif ----------------------------------------------------------------

TEST(ReportSarifTest, TopLevelShape) {
  const json s = json::parse(Render(FixtureReport(), ReportFormat::kSarif));
  EXPECT_EQ(s["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(s["version"], "2.1.0");
  ASSERT_EQ(s["runs"].size(), 1u);
  const json& run = s["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "gatehouse");
  EXPECT_EQ(driver["version"], "0.1.0");
  EXPECT_EQ(driver["semanticVersion"], "0.1.0");
  EXPECT_FALSE(driver.contains("informationUri"));  // not set in options
  EXPECT_EQ(run["automationDetails"]["id"], "gatehouse/secrets/");
  EXPECT_TRUE(run["originalUriBaseIds"].contains("%SRCROOT%"));
  ASSERT_EQ(run["invocations"].size(), 1u);
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
  EXPECT_EQ(run["results"].size(), 5u);
}

TEST(ReportSarifTest, RulesAndResultsAgree) {
  const Report r = FixtureReport();
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  const json& rules = run["tool"]["driver"]["rules"];

  // Every rule with a result, plus the Report's rules (slack-webhook has none).
  std::set<std::string> ids;
  for (const json& rule : rules) ids.insert(rule["id"].get<std::string>());
  EXPECT_EQ(ids.size(), rules.size()) << "rule ids must be unique";
  for (const Finding& f : r.findings) EXPECT_TRUE(ids.count(f.rule_id)) << f.rule_id;
  EXPECT_TRUE(ids.count("slack-webhook"));

  for (const json& result : run["results"]) {
    const size_t index = result["ruleIndex"].get<size_t>();
    ASSERT_LT(index, rules.size());
    EXPECT_EQ(rules[index]["id"], result["ruleId"]);
  }

  const std::map<std::string, std::string> kSecuritySeverity = {
      {"aws-access-key", "9.5"},     {"generic-api-key", "8.0"}, {"gha-unpinned-action", "5.5"},
      {"missing-codeowners", "3.0"}, {"k8s-latest-tag", "0.0"},  {"slack-webhook", "8.0"}};
  for (const json& rule : rules) {
    const std::string id = rule["id"];
    ASSERT_TRUE(rule["properties"]["security-severity"].is_string()) << id;
    EXPECT_EQ(rule["properties"]["security-severity"], kSecuritySeverity.at(id)) << id;
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty()) << id;
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty()) << id;
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty()) << id;
    EXPECT_TRUE(rule["help"].contains("markdown")) << id;
    const std::string precision = rule["properties"]["precision"];
    EXPECT_TRUE(precision == "very-high" || precision == "high" || precision == "medium" ||
                precision == "low")
        << id;
    EXPECT_TRUE(rule["properties"]["tags"].is_array());
  }
  const json& aws = rules[0];
  EXPECT_EQ(aws["id"], "aws-access-key");
  EXPECT_EQ(aws["name"], "AwsAccessKey");
  EXPECT_EQ(aws["shortDescription"]["text"], "AWS access key");
  EXPECT_EQ(aws["helpUri"], FixtureReport().rules[1].help_uri);
  EXPECT_EQ(aws["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(aws["properties"]["precision"], "high");
  EXPECT_EQ(aws["properties"]["tags"], json({"secret", "aws", "security"}));
}

TEST(ReportSarifTest, ResultLevelsLocationsAndFingerprints) {
  const Report r = FixtureReport();
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  const std::map<std::string, std::string> kLevel = {{"aws-access-key", "error"},
                                                     {"generic-api-key", "error"},
                                                     {"gha-unpinned-action", "warning"},
                                                     {"missing-codeowners", "note"},
                                                     {"k8s-latest-tag", "note"}};
  for (const json& result : run["results"]) {
    const std::string id = result["ruleId"];
    EXPECT_EQ(result["level"], kLevel.at(id)) << id;
    EXPECT_FALSE(result["message"]["text"].get<std::string>().empty());
    ASSERT_EQ(result["locations"].size(), 1u) << id;
    const json& physical = result["locations"][0]["physicalLocation"];
    const std::string uri = physical["artifactLocation"]["uri"];
    EXPECT_NE(uri.front(), '/') << uri;
    EXPECT_EQ(uri.find(' '), std::string::npos) << uri;
    EXPECT_EQ(uri.find(':'), std::string::npos) << uri;
    EXPECT_EQ(uri.find(','), std::string::npos) << uri;
    EXPECT_EQ(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    const Finding* f = FindRule(r, id);
    ASSERT_NE(f, nullptr);
    if (f->location.line == 0) {
      EXPECT_FALSE(physical.contains("region")) << id;
    } else {
      ASSERT_TRUE(physical.contains("region")) << id;
      EXPECT_GE(physical["region"]["startLine"].get<int>(), 1);
      EXPECT_EQ(physical["region"]["startLine"], f->location.line);
      EXPECT_EQ(physical["region"]["startColumn"], f->location.column);
    }
    EXPECT_EQ(result["partialFingerprints"]["primaryLocationLineHash"], f->fingerprint + ":1");
    EXPECT_EQ(result["properties"]["confidence"], ConfidenceName(f->confidence));
    EXPECT_EQ(result["properties"]["area"], AreaId(f->area));
  }
  for (const json& result : run["results"]) {
    const std::string uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    if (result["ruleId"] == "aws-access-key") {
      EXPECT_EQ(uri, "config/prod%20settings.env");
      const json& region = result["locations"][0]["physicalLocation"]["region"];
      EXPECT_EQ(region["endLine"], 3);
      EXPECT_EQ(region["endColumn"], 32);
    }
    if (result["ruleId"] == "gha-unpinned-action") {
      EXPECT_EQ(uri, ".github/workflows/ci%2Cbuild%3A1.yml");
    }
    if (result["ruleId"] == "k8s-latest-tag") {
      EXPECT_EQ(uri, "deploy/%C3%BCn%C3%AFc%C3%B6d%C3%A9/app.yaml");
    }
    if (result["ruleId"] == "generic-api-key") {
      EXPECT_EQ(result["properties"]["commit"], "3f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e");
      EXPECT_EQ(result["properties"]["author"], "Dev O'Neil <dev@example.com>");
    }
  }
}

TEST(ReportSarifTest, DiagnosticsBecomeNotifications) {
  const json run = json::parse(Render(FixtureReport(), ReportFormat::kSarif))["runs"][0];
  const json& notes = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]["level"], "warning");
  EXPECT_EQ(notes[0]["message"]["text"], "permission denied");
  EXPECT_EQ(notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "secrets/locked.pem");
  EXPECT_EQ(notes[1]["level"], "note");
}

TEST(ReportSarifTest, LeadingSlashAndDotSlashAreStripped) {
  Report r;
  r.findings.push_back(MakeFinding("a", Severity::kHigh, Area::kSecurity, "/abs/x.txt", 1, 0, "m"));
  r.findings.push_back(
      MakeFinding("b", Severity::kHigh, Area::kSecurity, "./rel/y.txt", 2, 0, "m"));
  r.findings.push_back(
      MakeFinding("c", Severity::kHigh, Area::kSecurity, "a b/50%#?.txt", 3, 0, "m"));
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  std::vector<std::string> uris;
  for (const json& result : run["results"]) {
    uris.push_back(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]);
    EXPECT_FALSE(result["locations"][0]["physicalLocation"]["region"].contains("startColumn"));
  }
  EXPECT_EQ(uris, (std::vector<std::string>{"abs/x.txt", "rel/y.txt", "a%20b/50%25%23%3F.txt"}));
}

TEST(ReportSarifTest, AbsoluteRootBecomesFileUri) {
  Report r;
  r.root = "/home/ci/my repo";
  json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///home/ci/my%20repo/");
  r.root = "checkout";
  run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  EXPECT_FALSE(run["originalUriBaseIds"]["%SRCROOT%"].contains("uri"));
}

TEST(ReportSarifTest, RepeatedFingerprintGetsOccurrenceCounter) {
  Report r;
  Finding a = MakeFinding("k", Severity::kHigh, Area::kSecurity, "x.env", 1, 1, "m");
  a.fingerprint = "abc";
  a.properties["commit"] = "1111";
  Finding b = a;
  b.properties["commit"] = "2222";
  r.findings = {a, b};
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  EXPECT_EQ(run["results"][0]["partialFingerprints"]["primaryLocationLineHash"], "abc:1");
  EXPECT_EQ(run["results"][1]["partialFingerprints"]["primaryLocationLineHash"], "abc:2");
}

TEST(ReportSarifTest, OccurrenceCounterIsPerFile) {
  Report r;
  Finding a = MakeFinding("k", Severity::kHigh, Area::kSecurity, "a.env", 1, 1, "m");
  a.fingerprint = "same";
  Finding b = a;
  b.location.path = "b.env";
  r.findings = {a, b};
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  EXPECT_EQ(run["results"][0]["partialFingerprints"]["primaryLocationLineHash"], "same:1");
  EXPECT_EQ(run["results"][1]["partialFingerprints"]["primaryLocationLineHash"], "same:1");
}

TEST(ReportSarifTest, RuleWithoutInfoIsSynthesizedFromFinding) {
  Report r;
  Finding f = MakeFinding("custom.rule_v2", Severity::kMedium, Area::kCiCd, "a.yml", 4, 2, "m");
  f.title = "";
  f.remediation = "";
  r.findings.push_back(f);
  const json rule =
      json::parse(Render(r, ReportFormat::kSarif))["runs"][0]["tool"]["driver"]["rules"][0];
  EXPECT_EQ(rule["id"], "custom.rule_v2");
  EXPECT_EQ(rule["name"], "CustomRuleV2");
  EXPECT_EQ(rule["shortDescription"]["text"], "custom.rule_v2");  // never empty
  EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "warning");
  EXPECT_EQ(rule["properties"]["tags"], json({"ci-cd"}));
}

TEST(ReportSarifTest, RegionRules) {
  Report r;
  Finding multi = MakeFinding("m", Severity::kHigh, Area::kSecurity, "a", 5, 3, "m");
  multi.location.end_line = 8;
  multi.location.end_column = 2;  // before startColumn, but on a later line: kept
  Finding bad = MakeFinding("n", Severity::kHigh, Area::kSecurity, "b", 5, 9, "m");
  bad.location.end_line = 5;
  bad.location.end_column = 4;  // ends before it starts: dropped
  r.findings = {multi, bad};
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  const json& r0 = run["results"][0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(r0, json({{"startLine", 5}, {"startColumn", 3}, {"endLine", 8}, {"endColumn", 2}}));
  const json& r1 = run["results"][1]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(r1, json({{"startLine", 5}, {"startColumn", 9}, {"endLine", 5}}));
}

TEST(ReportSarifTest, LongTextIsTruncatedWithANote) {
  Report r;
  RuleInfo info;
  info.id = "long";
  info.title = std::string(2000, 'T');
  info.description = std::string(1500, 'D') + "é";
  r.rules.push_back(info);
  std::string message;
  for (int i = 0; i < 5000; ++i) message += "é";  // 10,000 bytes, 2-byte code points
  r.findings.push_back(MakeFinding("long", Severity::kHigh, Area::kSecurity, "a", 1, 1, message));
  const std::string out = Render(r, ReportFormat::kSarif);
  const json run = json::parse(out);  // still valid UTF-8
  const json& rule = run["runs"][0]["tool"]["driver"]["rules"][0];
  const std::string short_text = rule["shortDescription"]["text"];
  EXPECT_LE(short_text.size(), 1024u);
  EXPECT_NE(short_text.find("[truncated]"), std::string::npos);
  EXPECT_LE(rule["fullDescription"]["text"].get<std::string>().size(), 1024u);
  const std::string text = run["runs"][0]["results"][0]["message"]["text"];
  EXPECT_LT(text.size(), message.size());
  EXPECT_NE(text.find("[truncated]"), std::string::npos);
}

TEST(ReportSarifTest, KeepsMostSevereWhenOverGithubResultLimit) {
  Report r;
  const size_t n = kSarifMaxResults + 3;
  r.findings.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Finding f;
    f.rule_id = "r";
    f.severity = Severity::kLow;
    f.location.path = "f" + std::to_string(i);
    f.location.line = 1;
    r.findings.push_back(std::move(f));
  }
  r.findings[n - 1].severity = Severity::kCritical;  // last in order, first in importance
  SortFindings(r.findings);
  const json run = json::parse(Render(r, ReportFormat::kSarif))["runs"][0];
  ASSERT_EQ(run["results"].size(), kSarifMaxResults);
  bool critical_kept = false;
  for (const json& result : run["results"]) critical_kept |= result["level"] == "error";
  EXPECT_TRUE(critical_kept);
  const json& notes = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["level"], "warning");
  EXPECT_NE(notes[0]["message"]["text"].get<std::string>().find("3 of"), std::string::npos);
}

TEST(ReportSarifTest, InformationUriAndNonSemverVersion) {
  Report r;
  r.tool_version = "dev-build";
  RenderOptions options;
  options.information_uri = "https://example.com/gatehouse";
  const json driver =
      json::parse(Render(r, ReportFormat::kSarif, options))["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["informationUri"], "https://example.com/gatehouse");
  EXPECT_EQ(driver["version"], "dev-build");
  EXPECT_FALSE(driver.contains("semanticVersion"));
}

// ---- junit ----------------------------------------------------------------

TEST(ReportJunitTest, WellFormedWithOneCasePerFinding) {
  Report r = FixtureReport();
  // Control characters XML 1.0 cannot carry must be dropped, not emitted.
  ASSERT_EQ(r.findings[2].rule_id, "aws-access-key");
  r.findings[2].message = "quote \" apos ' lt < gt > amp & bell \x07 nul-free\nsecond line";
  const std::string xml = Render(r, ReportFormat::kJunit);
  EXPECT_EQ(xml.find('\x07'), std::string::npos);
  EXPECT_EQ(xml.find("\x1b"), std::string::npos);

  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_string(xml.c_str());
  ASSERT_TRUE(parsed) << parsed.description() << " at " << parsed.offset;
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  ASSERT_TRUE(suite);
  EXPECT_STREQ(suite.attribute("name").value(), "gatehouse secrets");
  EXPECT_EQ(suite.attribute("tests").as_int(), 5);
  EXPECT_EQ(suite.attribute("failures").as_int(), 5);

  std::vector<pugi::xml_node> cases;
  for (pugi::xml_node c : suite.children("testcase")) cases.push_back(c);
  ASSERT_EQ(cases.size(), 5u);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Finding& f = r.findings[i];
    EXPECT_EQ(cases[i].attribute("classname").value(), f.rule_id);
    const pugi::xml_node failure = cases[i].child("failure");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure.attribute("type").value(), std::string(SeverityName(f.severity)));
  }
  EXPECT_STREQ(cases[0].attribute("name").value(), ".github/workflows/ci,build:1.yml:10");
  EXPECT_STREQ(cases[1].attribute("name").value(), "CODEOWNERS");  // line 0: path only
  // Attribute round trip, newline kept via &#10;.
  EXPECT_EQ(std::string(cases[2].child("failure").attribute("message").value()),
            "quote \" apos ' lt < gt > amp & bell  nul-free\nsecond line");
  EXPECT_NE(std::string(cases[2].child("failure").text().get()).find("Remediation: Deactivate"),
            std::string::npos);
  EXPECT_NE(std::string(cases[4].child("failure").text().get())
                .find("commit: 3f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e"),
            std::string::npos);
  EXPECT_NE(std::string(suite.child("system-out").text().get()).find("permission denied"),
            std::string::npos);
}

TEST(ReportJunitTest, NoFindingsIsOnePassingCase) {
  Report r;
  r.command = "ci";
  const std::string xml = Render(r, ReportFormat::kJunit);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "gatehouse ci");
  EXPECT_EQ(suite.attribute("tests").as_int(), 1);
  EXPECT_EQ(suite.attribute("failures").as_int(), 0);
  const pugi::xml_node c = suite.child("testcase");
  EXPECT_STREQ(c.attribute("name").value(), "no findings");
  EXPECT_FALSE(c.child("failure"));
}

TEST(ReportJunitTest, InvalidUtf8AndNonCharactersStayWellFormed) {
  Report r;
  r.findings.push_back(MakeFinding("r<&>", Severity::kHigh, Area::kSecurity, "p\xff\xfe.txt", 1, 1,
                                   "a\xef\xbf\xbe b \xed\xa0\x80 c"));  // U+FFFE, surrogate
  const std::string xml = Render(r, ReportFormat::kJunit);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const pugi::xml_node c = doc.child("testsuites").child("testsuite").child("testcase");
  EXPECT_STREQ(c.attribute("classname").value(), "r<&>");
  EXPECT_EQ(xml.find("\xef\xbf\xbe"), std::string::npos);  // U+FFFE dropped
}

// ---- github ---------------------------------------------------------------

TEST(ReportGithubTest, AnnotationsAndEscaping) {
  const Report r = FixtureReport();
  const std::vector<std::string> lines = Lines(Render(r, ReportFormat::kGithub));
  ASSERT_EQ(lines.size(), 6u);
  // Sorted by path: .github/..., CODEOWNERS, config/..., deploy/..., src/...
  EXPECT_EQ(lines[0],
            "::warning file=.github/workflows/ci%2Cbuild%3A1.yml,line=10,col=9,endColumn=30,"
            "title=gha-unpinned-action::Action actions/checkout@v4 is not pinned to a commit SHA "
            "(100%25 of steps, 2 of 2)%0AEvidence: uses: actions/checkout@v4%0AFix: Pin to a full "
            "commit SHA: uses: actions/checkout@<sha> # v4");
  EXPECT_EQ(lines[1],
            "::notice file=CODEOWNERS,title=missing-codeowners::No CODEOWNERS file; reviews are "
            "not routed%0AFix: Add a CODEOWNERS file naming an owner for each top-level "
            "directory.");
  EXPECT_EQ(lines[2].rfind("::error file=config/prod settings.env,line=3,col=12,endColumn=32,"
                           "title=aws-access-key::AWS access key \"AKIA…\" found%0A",
                           0),
            0u)
      << lines[2];
  EXPECT_EQ(lines[3].rfind("::notice file=deploy/ünïcödé/app.yaml,line=7,col=14,"
                           "title=k8s-latest-tag::Image uses the mutable :latest tag%0APin an "
                           "image digest instead%0AEvidence: ",
                           0),
            0u)
      << lines[3];
  EXPECT_EQ(lines[4].rfind("::error file=src/app/main.cc,line=42,col=5,title=generic-api-key::", 0),
            0u);
  EXPECT_EQ(lines[5],
            "::notice::gatehouse secrets: 5 findings (1 critical, 1 high, 1 medium, 1 low, 1 "
            "info) in 120 files; 3 suppressed; 2 diagnostics");
}

TEST(ReportGithubTest, PropertyAndDataEscapingMatchActionsCore) {
  Report r;
  Finding f = MakeFinding("rule:with,odd%chars", Severity::kCritical, Area::kSecurity,
                          "dir,1/file:2%3.txt", 4, 0, "line1\r\nline2 100% a:b,c");
  f.location.end_line = 6;
  f.location.end_column = 3;
  r.findings.push_back(f);
  const std::vector<std::string> lines = Lines(Render(r, ReportFormat::kGithub));
  ASSERT_EQ(lines.size(), 2u);
  // Multi-line range: no columns.
  EXPECT_EQ(lines[0],
            "::error file=dir%2C1/file%3A2%253.txt,line=4,endLine=6,"
            "title=rule%3Awith%2Codd%25chars::line1%0D%0Aline2 100%25 a:b,c");
  EXPECT_EQ(lines[1],
            "::notice::gatehouse: 1 finding (1 critical, 0 high, 0 medium, 0 low, 0 info) in 0 "
            "files; 0 suppressed; 0 diagnostics");
}

TEST(ReportGithubTest, NoFindingsIsOnlyTheSummary) {
  Report r;
  r.command = "ci";
  r.stats.files_scanned = 1;
  EXPECT_EQ(Render(r, ReportFormat::kGithub),
            "::notice::gatehouse ci: 0 findings in 1 file; 0 suppressed; 0 diagnostics\n");
}

// ---- markdown -------------------------------------------------------------

// Unescaped '|' in a Markdown table row.
int CellSeparators(const std::string& row) {
  int n = 0;
  for (size_t i = 0; i < row.size(); ++i)
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++n;
  return n;
}

TEST(ReportMarkdownTest, TableCellsAreEscaped) {
  Report r;
  r.command = "secrets";
  r.findings.push_back(MakeFinding("rule|x", Severity::kHigh, Area::kSecurity, "a|b.txt", 2, 1,
                                   "pipe | and\nnewline <script>alert(1)</script> & @org/team "
                                   "(@alice) dev@example.com *bold* _it_ `code` [link](x)"));
  const std::string md = Render(r, ReportFormat::kMarkdown);
  std::string row;
  for (const std::string& line : Lines(md))
    if (line.rfind("| High | ", 0) == 0 && line.find("rule") != std::string::npos) row = line;
  ASSERT_FALSE(row.empty()) << md;
  EXPECT_EQ(CellSeparators(row), 5) << row;
  EXPECT_EQ(row,
            "| High | rule\\|x | a\\|b.txt:2 | pipe \\| and<br>newline &lt;script&gt;alert(1)&lt;/"
            "script&gt; &amp; @&#8203;org/team (@&#8203;alice) dev@example.com \\*bold\\* \\_it\\_ "
            "\\`code\\` \\[link\\](x) |");
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST(ReportMarkdownTest, SummaryFindingsAndRuleDetails) {
  const std::string md = Render(FixtureReport(), ReportFormat::kMarkdown);
  EXPECT_EQ(md.rfind("## Gatehouse secrets report\n", 0), 0u);
  EXPECT_NE(md.find("| Critical | 1 |"), std::string::npos);
  EXPECT_NE(md.find("| Info | 1 |"), std::string::npos);
  EXPECT_NE(md.find("| Severity | Rule | Location | Message |"), std::string::npos);
  EXPECT_NE(md.find("Diagnostics: 2"), std::string::npos);
  EXPECT_NE(md.find("<summary>aws-access-key: AWS access key (1 finding, critical)</summary>"),
            std::string::npos);
  EXPECT_NE(md.find("[More information](https://docs.aws.amazon.com/"), std::string::npos);
  // Most severe first.
  EXPECT_LT(md.find("| Critical | aws-access-key"), md.find("| High | generic-api-key"));
  EXPECT_LT(md.find("| High | generic-api-key"), md.find("| Info | k8s-latest-tag"));
}

TEST(ReportMarkdownTest, RowLimitCountsTheRest) {
  Report r = FixtureReport();
  RenderOptions options;
  options.markdown_max_findings = 2;
  const std::string md = Render(r, ReportFormat::kMarkdown, options);
  EXPECT_NE(md.find("| Critical | aws-access-key"), std::string::npos);
  EXPECT_NE(md.find("| High | generic-api-key"), std::string::npos);
  EXPECT_EQ(md.find("| Medium | gha-unpinned-action"), std::string::npos);
  EXPECT_NE(md.find("3 more findings not shown"), std::string::npos);
}

TEST(ReportMarkdownTest, NoFindings) {
  const std::string md = Render(Report{}, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("**No findings.**"), std::string::npos);
  EXPECT_EQ(md.find("### Findings"), std::string::npos);
}

// ---- text -----------------------------------------------------------------

TEST(ReportTextTest, FindingBlockAndSummary) {
  const std::string text = Render(FixtureReport(), ReportFormat::kText);
  EXPECT_NE(text.find("CRITICAL aws-access-key  config/prod settings.env:3:12\n"
                      "    AWS access key \"AKIA…\" found\n"
                      "    evidence: AWS_KEY=\"AKIA************MPLE\"\n"
                      "    fix:      Deactivate the key in IAM, then remove it from the file.\n"
                      "              Use a secret manager.\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("LOW      missing-codeowners  CODEOWNERS\n"), std::string::npos);
  EXPECT_NE(text.find("Findings:    5 (1 critical, 1 high, 1 medium, 1 low, 1 info)"),
            std::string::npos);
  EXPECT_NE(text.find("Scanned:     120 files, 3.40 MB"), std::string::npos);
  EXPECT_NE(text.find("Skipped:     2 binary, 1 too large, 1 unreadable"), std::string::npos);
  EXPECT_NE(text.find("Suppressed:  3 findings"), std::string::npos);
  EXPECT_EQ(text.find("Elapsed"), std::string::npos);  // seconds == 0
  EXPECT_NE(text.find("Diagnostics: 2 (--verbose lists them)"), std::string::npos);
  EXPECT_EQ(text.find("permission denied"), std::string::npos);
  EXPECT_EQ(text.find("No findings"), std::string::npos);
}

TEST(ReportTextTest, TerminalEscapesInEvidenceAreNeutralized) {
  const std::string text = Render(FixtureReport(), ReportFormat::kText);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("nginx:latest \\x1b[31mred\\x1b[0m"), std::string::npos);
}

TEST(ReportTextTest, ColorOnlyWhenAsked) {
  RenderOptions options;
  options.color = true;
  const std::string colored = Render(FixtureReport(), ReportFormat::kText, options);
  EXPECT_NE(colored.find("\x1b[1;31mCRITICAL\x1b[0m"), std::string::npos);
  // The evidence's own escape is still neutralized.
  EXPECT_NE(colored.find("\\x1b[31mred"), std::string::npos);
  const std::string plain = Render(FixtureReport(), ReportFormat::kText);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
}

TEST(ReportTextTest, VerboseListsDiagnosticsAndElapsedShownWhenMeasured) {
  Report r = FixtureReport();
  r.stats.seconds = 1.234;
  RenderOptions options;
  options.verbose = true;
  const std::string text = Render(r, ReportFormat::kText, options);
  EXPECT_NE(text.find("Elapsed:     1.23 s"), std::string::npos);
  EXPECT_NE(text.find("  unreadable secrets/locked.pem: permission denied\n"), std::string::npos);
  EXPECT_NE(text.find("  binary assets/logo.png: looks binary; skipped\n"), std::string::npos);
  EXPECT_NE(text.find("Diagnostics: 2\n"), std::string::npos);
}

TEST(ReportTextTest, NoFindingsSaysSo) {
  const std::string text = Render(Report{}, ReportFormat::kText);
  EXPECT_EQ(text.rfind("No findings.\n", 0), 0u);
  EXPECT_NE(text.find("Findings:    0 (0 critical"), std::string::npos);
}

// ---- determinism ------------------------------------------------------------

TEST(ReportDeterminismTest, SameBytesTwiceAndAfterReorderingAndSorting) {
  const Report r = FixtureReport();
  Report shuffled = r;
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(shuffled.findings.begin(), shuffled.findings.end(), rng);
    SortFindings(shuffled.findings);
    for (ReportFormat format : kAllFormats) {
      const std::string a = Render(r, format);
      EXPECT_EQ(a, Render(r, format)) << ReportFormatName(format);
      EXPECT_EQ(a, Render(shuffled, format)) << ReportFormatName(format);
      EXPECT_FALSE(a.empty()) << ReportFormatName(format);
    }
  }
}

TEST(ReportDeterminismTest, RuleListOrderDoesNotMatter) {
  Report a = FixtureReport();
  Report b = a;
  std::reverse(b.rules.begin(), b.rules.end());
  EXPECT_EQ(Render(a, ReportFormat::kSarif), Render(b, ReportFormat::kSarif));
  EXPECT_EQ(Render(a, ReportFormat::kMarkdown), Render(b, ReportFormat::kMarkdown));
}

// ---- golden files -----------------------------------------------------------

std::string GoldenPath(const std::string& name) {
  return std::string(GH_SOURCE_DIR) + "/tests/data/report/" + name;
}

void CheckGolden(const std::string& name, const std::string& actual) {
  const std::string path = GoldenPath(name);
  const char* update = std::getenv("GH_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path << " (run with GH_UPDATE_GOLDEN=1)";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string expected = buf.str();
  if (expected == actual) return;
  // Point at the first differing line instead of dumping both files.
  const std::vector<std::string> want = Lines(expected);
  const std::vector<std::string> got = Lines(actual);
  size_t line = 0;
  while (line < want.size() && line < got.size() && want[line] == got[line]) ++line;
  ADD_FAILURE() << "golden " << path << " differs at line " << line + 1
                << "\n  expected: " << (line < want.size() ? want[line] : "<end of file>")
                << "\n  actual:   " << (line < got.size() ? got[line] : "<end of file>")
                << "\nIf the change is intended, rerun with GH_UPDATE_GOLDEN=1 and review the "
                   "diff.";
}

TEST(ReportGoldenTest, Text) {
  CheckGolden("fixture.txt", Render(FixtureReport(), ReportFormat::kText));
}
TEST(ReportGoldenTest, Json) {
  CheckGolden("fixture.json", Render(FixtureReport(), ReportFormat::kJson));
}
TEST(ReportGoldenTest, Sarif) {
  CheckGolden("fixture.sarif", Render(FixtureReport(), ReportFormat::kSarif));
}
TEST(ReportGoldenTest, Markdown) {
  CheckGolden("fixture.md", Render(FixtureReport(), ReportFormat::kMarkdown));
}
TEST(ReportGoldenTest, Junit) {
  CheckGolden("fixture.xml", Render(FixtureReport(), ReportFormat::kJunit));
}
TEST(ReportGoldenTest, Github) {
  CheckGolden("fixture.github.txt", Render(FixtureReport(), ReportFormat::kGithub));
}

}  // namespace
}  // namespace gatehouse
