// Unit tests of the Dockerfile parser, Helm neutralization, the clean
// restricted Deployment and the `gatehouse iac` command.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gatehouse/iac.h"
#include "iac/dockerfile.h"
#include "iac/helm.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using iac::ParseDockerfile;

TEST(DockerfileParserTest, DirectivesContinuationsAndFlags) {
  auto df = ParseDockerfile(
      "# syntax=docker/dockerfile:1\n# escape=`\nFROM --platform=$BUILDPLATFORM alpine:3 AS b\n"
      "RUN echo a `\n  # dropped comment\n\n  && echo b\nCOPY --from=b --chown=1:1 /x /y\n",
      "Dockerfile");
  ASSERT_TRUE(df.errors.empty()) << df.errors[0].ToString();
  EXPECT_EQ(df.syntax, "docker/dockerfile:1");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[0].Flag("platform")->value, "$BUILDPLATFORM");
  EXPECT_EQ(df.instructions[0].args, "alpine:3 AS b");
  EXPECT_EQ(df.instructions[1].args, "echo a   && echo b");
  EXPECT_EQ(df.instructions[1].end_line, 7);
  // "&&" sits on line 7, column 3.
  size_t amp = df.instructions[1].args.find("&&");
  EXPECT_EQ(df.instructions[1].PosAt(amp).line, 7u);
  EXPECT_EQ(df.instructions[1].PosAt(amp).column, 3u);
  EXPECT_EQ(df.instructions[2].Flag("from")->value, "b");
  EXPECT_EQ(df.instructions[2].Flag("chown")->value, "1:1");
  EXPECT_EQ(df.instructions[2].args, "/x /y");
}

TEST(DockerfileParserTest, DirectivesOnlyAtTheTop) {
  auto df = ParseDockerfile("FROM a:1\n# escape=`\nRUN x \\\n  y\n", "Dockerfile");
  EXPECT_EQ(df.escape, '\\');
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args, "x   y");
  auto dup = ParseDockerfile("# escape=`\n# escape=\\\nFROM a\n", "D");
  ASSERT_EQ(dup.errors.size(), 1u);
  EXPECT_EQ(dup.errors[0].line, 2);
}

TEST(DockerfileParserTest, JsonAndShellForms) {
  auto df = ParseDockerfile(
      "FROM a\nCMD [\"/bin/app\", \"--x\"]\nENTRYPOINT [not json\nHEALTHCHECK CMD [\"a\"]\n", "D");
  ASSERT_EQ(df.instructions.size(), 4u);
  EXPECT_TRUE(df.instructions[1].json_form);
  EXPECT_EQ(df.instructions[1].json_args, (std::vector<std::string>{"/bin/app", "--x"}));
  EXPECT_FALSE(df.instructions[2].json_form);  // BuildKit falls back to shell form
  EXPECT_TRUE(df.instructions[3].json_form);
}

TEST(DockerfileParserTest, Heredocs) {
  auto df = ParseDockerfile(
      "FROM a\nRUN <<A <<-'B' cat\none\nA\n\ttwo\n\tB\nCOPY <<\"C\" /f\nx $y\nC\nUSER 1\n", "D");
  ASSERT_TRUE(df.errors.empty()) << df.errors[0].ToString();
  ASSERT_EQ(df.instructions.size(), 4u);
  const auto& run = df.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_EQ(run.heredocs[0].word, "A");
  EXPECT_EQ(run.heredocs[0].body, "one");
  EXPECT_EQ(run.heredocs[1].word, "B");
  EXPECT_TRUE(run.heredocs[1].strip_tabs);
  EXPECT_TRUE(run.heredocs[1].quoted);
  EXPECT_EQ(run.heredocs[1].body, "two");
  EXPECT_EQ(run.end_line, 6);
  EXPECT_EQ(df.instructions[2].heredocs[0].body, "x $y");
  EXPECT_EQ(df.instructions[3].keyword, "USER");
  EXPECT_EQ(df.instructions[3].pos.line, 10u);
}

TEST(DockerfileParserTest, ErrorsHaveLineAndColumnAndParsingGoesOn) {
  auto df = ParseDockerfile("RUN x\nFROM a\n  bogus thing\nRUN <<EOF\nno end\n", "D");
  ASSERT_EQ(df.errors.size(), 3u);
  EXPECT_EQ(df.errors[0].line, 1);  // RUN before FROM
  EXPECT_EQ(df.errors[1].line, 3);
  EXPECT_EQ(df.errors[1].column, 3);
  EXPECT_NE(df.errors[1].message.find("unknown instruction"), std::string::npos);
  EXPECT_EQ(df.errors[2].line, 4);
  EXPECT_NE(df.errors[2].message.find("heredoc"), std::string::npos);
  EXPECT_EQ(ParseDockerfile("", "D").errors.size(), 1u);  // no FROM
  // Garbage never crashes.
  for (const char* s : {"\\", "FROM", "RUN <<", "RUN <<-", "FROM a\nRUN <<'", "\r\n\r\n",
                        "FROM a \\", "# escape=\nFROM a"})
    (void)ParseDockerfile(s, "D");
}

TEST(DockerfileTest, PathsAreRecognized) {
  for (const char* p : {"Dockerfile", "a/Dockerfile", "Dockerfile.prod", "web.Dockerfile",
                        "Containerfile", "x/build.dockerfile"})
    EXPECT_TRUE(iac::IsDockerfilePath(p)) << p;
  for (const char* p :
       {"Dockerfile.dockerignore", "docker-compose.yml", "README.md", "Dockerfiles/x"})
    EXPECT_FALSE(iac::IsDockerfilePath(p)) << p;
}

TEST(HelmNeutralizeTest, KeepsEveryLineAndColumn) {
  std::string t =
      "metadata:\n  labels:\n    {{- include \"x\" . | nindent 4 }}\nspec:\n"
      "  replicas: {{ .Values.n }}\n  image: \"{{ .Values.a }}:{{ .Values.b }}\"\n"
      "{{- if .Values.x }}\n  debug: true\n{{- end }}\n{{/* a\nmulti-line comment */}}\nz: 1\n";
  std::vector<iac::HelmAction> actions;
  std::string out = iac::NeutralizeTemplate(t, &actions);
  ASSERT_EQ(out.size(), t.size());
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(t.begin(), t.end(), '\n'));
  EXPECT_EQ(out.find("{{"), std::string::npos);
  ASSERT_EQ(actions.size(), 7u);
  EXPECT_TRUE(actions[0].whole_line);
  EXPECT_EQ(actions[0].expr, "include \"x\" . | nindent 4");
  EXPECT_FALSE(actions[1].whole_line);
  EXPECT_EQ(actions[1].line, 5);
  EXPECT_EQ(actions[1].column, 13);
  EXPECT_EQ(out.substr(actions[1].offset, actions[1].length), "H______________");
  EXPECT_TRUE(actions[6].whole_line);  // multi-line comment
  auto ys = ParseYamlStream(out, "t.yaml");
  ASSERT_TRUE(ys.errors.empty()) << ys.errors[0].ToString();
  EXPECT_EQ(ys.documents[0].Root()["z"].line(), 12);
}

TEST(HelmNeutralizeTest, UnterminatedActionIsAnError) {
  std::vector<iac::HelmAction> actions;
  std::string err;
  int line = 0, col = 0;
  const std::string t = "a: 1\nb: {{ .Values.x\n";
  std::string out = iac::NeutralizeTemplate(t, &actions, &err, &line, &col);
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(line, 2);
  EXPECT_EQ(col, 4);
  EXPECT_EQ(out.size(), t.size());
}

TEST(K8sCleanTest, RestrictedDeploymentWithPdbAndNetworkPolicyHasZeroFindings) {
  for (PssLevel level : {PssLevel::kBaseline, PssLevel::kRestricted}) {
    IacOptions opt;
    opt.pss_level = level;
    auto r = AnalyzeIac(testing::SourceDir() + "/tests/data/iac/k8s/clean", opt);
    ASSERT_TRUE(r.ok());
    for (const Finding& f : r->report.findings)
      ADD_FAILURE() << f.location.path << ":" << f.location.line << " " << f.rule_id << " "
                    << f.message;
    EXPECT_EQ(r->inventory.workloads, 1u);
    EXPECT_EQ(r->inventory.workloads_restricted, 1u);
    EXPECT_EQ(r->inventory.pod_disruption_budgets, 1u);
    EXPECT_EQ(r->inventory.network_policies, 1u);
  }
}

TEST(K8sInventoryTest, CountsBothProfilesRegardlessOfLevel) {
  std::vector<IacFile> files = {
      {"a.yaml",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n"
       "  containers: [{name: c, image: 'c:1'}]\n---\napiVersion: v1\nkind: Pod\n"
       "metadata: {name: q}\nspec:\n  containers: [{name: c, image: 'c:1'}]\n"},
      {"Dockerfile", "FROM a:1\nUSER 10\n"},
      {"chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"}};
  IacOptions opt;
  opt.pss_level = PssLevel::kPrivileged;
  IacResult r = AnalyzeIacFiles(files, opt);
  EXPECT_EQ(r.inventory.k8s_objects, 2u);
  EXPECT_EQ(r.inventory.k8s_kinds["Pod"], 2u);
  EXPECT_EQ(r.inventory.workloads, 2u);
  EXPECT_EQ(r.inventory.workloads_baseline, 1u);
  EXPECT_EQ(r.inventory.workloads_restricted, 0u);
  EXPECT_EQ(r.inventory.dockerfiles, 1u);
  EXPECT_EQ(r.inventory.dockerfiles_non_root, 1u);
  EXPECT_EQ(r.inventory.helm_charts, 1u);
  for (const Finding& f : r.report.findings) EXPECT_FALSE(f.rule_id.starts_with("k8s/pss-"));
  EXPECT_EQ(r.report.command, "iac");
}

TEST(IacSecretsTest, SecretValuesNeverAppearInOutput) {
  std::mt19937_64 rng(7);
  std::string token = testing::FakeGithubToken(rng);
  std::vector<IacFile> files = {
      {"d.yaml",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
       "    - name: c\n      image: c:1\n      env:\n        - name: GH\n"
       "          value: " +
           token + "\n"},
      {"Dockerfile", "FROM a:1\nENV X=" + token + "\nUSER 1\n"}};
  IacResult r = AnalyzeIacFiles(files, IacOptions{});
  int secret_findings = 0;
  for (const Finding& f : r.report.findings) {
    EXPECT_EQ(f.message.find(token), std::string::npos) << f.message;
    EXPECT_EQ(f.evidence.find(token), std::string::npos) << f.evidence;
    if (f.rule_id == "k8s/env-literal-secret" || f.rule_id == "docker/secret-in-env")
      ++secret_findings;
  }
  EXPECT_EQ(secret_findings, 2);
}

class IacCliTest : public ::testing::Test {
 protected:
  std::string Cmd(const std::string& args, const std::string& dir) {
    return testing::Gatehouse() + " iac " + args + " '" + dir + "'";
  }
};

TEST_F(IacCliTest, ExitCodesAndFormats) {
  const std::string data = testing::SourceDir() + "/tests/data/iac";
  EXPECT_EQ(testing::RunCommand(Cmd("--fail-on info", data + "/k8s/clean")).exit_code, 0);
  EXPECT_EQ(testing::RunCommand(Cmd("--fail-on info --pss-level restricted", data + "/k8s/clean"))
                .exit_code,
            0);
  EXPECT_EQ(testing::RunCommand(Cmd("", data + "/k8s")).exit_code, 1);
  EXPECT_EQ(testing::RunCommand(Cmd("--fail-on none", data + "/k8s")).exit_code, 0);
  EXPECT_EQ(testing::RunCommand(Cmd("--pss-level strict", data)).exit_code, 2);
  EXPECT_EQ(testing::RunCommand(Cmd("--format yaml", data)).exit_code, 2);
  EXPECT_EQ(testing::RunCommand(Cmd("--disable no/such-rule", data)).exit_code, 2);
  EXPECT_EQ(testing::RunCommand(testing::Gatehouse() + " iac /nonexistent/x").exit_code, 2);
  auto sarif = testing::RunCommand(Cmd("--format sarif", data + "/k8s"));
  EXPECT_EQ(sarif.exit_code, 1);
  auto s = nlohmann::json::parse(sarif.out);
  EXPECT_EQ(s["version"], "2.1.0");
  ASSERT_FALSE(s["runs"][0]["results"].empty());
  bool privileged = false;
  for (const auto& res : s["runs"][0]["results"])
    if (res["ruleId"] == "k8s/pss-privileged") privileged = true;
  EXPECT_TRUE(privileged);
  auto j = nlohmann::json::parse(testing::RunCommand(Cmd("--format json", data + "/docker")).out);
  EXPECT_EQ(j["command"], "iac");
  auto disabled = nlohmann::json::parse(
      testing::RunCommand(Cmd("--format json --disable docker/root-user", data + "/docker")).out);
  for (const auto& f : disabled["findings"]) EXPECT_NE(f["rule_id"], "docker/root-user");
  auto rules = testing::RunCommand(testing::Gatehouse() + " iac --list-rules");
  EXPECT_EQ(rules.exit_code, 0);
  EXPECT_NE(rules.out.find("k8s/pss-seccomp-restricted"), std::string::npos);
}

TEST_F(IacCliTest, HelmRenderWithoutHelmFallsBackWithANote) {
  const std::string chart = testing::SourceDir() + "/tests/data/iac/helm";
  auto r = testing::RunCommand("PATH=/nonexistent " + Cmd("--helm-render --format json", chart));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("helm is not on PATH"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool values_finding = false;
  for (const auto& f : j["findings"])
    if (f["location"]["path"] == "web/values.yaml") values_finding = true;
  EXPECT_TRUE(values_finding);
}

}  // namespace
}  // namespace gatehouse
