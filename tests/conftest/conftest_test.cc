// `gatehouse policy test` end to end (the real binary against the fixtures in
// tests/data/conftest), plus the conftest input parsers (formats/inputs.h).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <regex>

#include "formats/inputs.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using testing::RunCommand;

const std::string kData = "tests/data/conftest";

testing::CommandResult PolicyTest(const std::string& args) {
  return RunCommand("cd '" + testing::SourceDir() + "' && '" + testing::Gatehouse() +
                    "' policy test --no-color " + args);
}

TEST(ConftestCli, DeploymentStreamFailsWithConftestText) {
  auto r = PolicyTest(kData + "/inputs/deployment.yaml -p " + kData + "/policy");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string f = kData + "/inputs/deployment.yaml";
  EXPECT_EQ(r.out, "WARN - " + f +
                       " - main - web: image nginx:latest uses the latest tag\n"
                       "FAIL - " +
                       f +
                       " - main - web: containers must not run as root\n"
                       "FAIL - " +
                       f +
                       " - main - container web is privileged\n"
                       "FAIL - " +
                       f +
                       " - main - service web must not be a NodePort\n"
                       "\n"
                       "10 tests, 6 passed, 1 warning, 3 failures, 0 exceptions\n");
}

TEST(ConftestCli, GoodManifestPasses) {
  auto r = PolicyTest(kData + "/inputs/good.yaml -p " + kData + "/policy");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n5 tests, 5 passed, 0 warnings, 0 failures, 0 exceptions\n");
}

TEST(ConftestCli, ExceptionSuppressesRule) {
  auto r = PolicyTest(kData + "/inputs/legacy-service.json -p " + kData + "/policy");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("EXCP - " + kData +
                       "/inputs/legacy-service.json - main - data.main.exception[_][_] == "
                       "\"service_type\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("5 tests, 4 passed, 0 warnings, 0 failures, 1 exception\n"),
            std::string::npos)
      << r.out;
}

TEST(ConftestCli, FailOnWarnExitCodes) {
  auto warn = PolicyTest(kData + "/inputs/warn-only.yaml -p " + kData + "/policy");
  EXPECT_EQ(warn.exit_code, 0) << warn.out;
  auto warn_strict =
      PolicyTest("--fail-on-warn " + kData + "/inputs/warn-only.yaml -p " + kData + "/policy");
  EXPECT_EQ(warn_strict.exit_code, 1) << warn_strict.out;
  auto fail_strict =
      PolicyTest("--fail-on-warn " + kData + "/inputs/deployment.yaml -p " + kData + "/policy");
  EXPECT_EQ(fail_strict.exit_code, 2) << fail_strict.out;
  auto no_fail =
      PolicyTest("--no-fail " + kData + "/inputs/deployment.yaml -p " + kData + "/policy");
  EXPECT_EQ(no_fail.exit_code, 0);
}

TEST(ConftestCli, JsonOutputShape) {
  auto r = PolicyTest("--format json " + kData + "/inputs/deployment.yaml " + kData +
                      "/inputs/good.yaml -p " + kData + "/policy");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["filename"], kData + "/inputs/deployment.yaml");
  EXPECT_EQ(j[0]["namespace"], "main");
  EXPECT_EQ(j[0]["successes"], 6);
  ASSERT_EQ(j[0]["failures"].size(), 3u);
  EXPECT_EQ(j[0]["warnings"].size(), 1u);
  // Object results keep their extra fields as metadata.
  bool found_meta = false;
  for (const auto& f : j[0]["failures"]) {
    if (f.contains("metadata")) {
      EXPECT_EQ(f["metadata"]["container"], "web");
      EXPECT_EQ(f["metadata"]["severity"], "high");
      found_meta = true;
    }
  }
  EXPECT_TRUE(found_meta);
  EXPECT_FALSE(j[1].contains("failures"));
  EXPECT_EQ(j[1]["successes"], 5);
  // Go's json.Indent style: tab indentation.
  EXPECT_NE(r.out.find("\n\t{\n\t\t\"filename\""), std::string::npos) << r.out;
}

TEST(ConftestCli, TapTableGithubJunitSarif) {
  std::string base = kData + "/inputs/deployment.yaml -p " + kData + "/policy";
  auto tap = PolicyTest("--format tap " + base);
  EXPECT_EQ(tap.exit_code, 1);
  EXPECT_EQ(tap.out.rfind("1..10\nnot ok 1 - ", 0), 0u) << tap.out;
  EXPECT_NE(tap.out.find("# warnings\nnot ok 4 - "), std::string::npos) << tap.out;
  EXPECT_NE(tap.out.find("ok 10 - "), std::string::npos) << tap.out;

  auto table = PolicyTest("--format table " + base);
  EXPECT_NE(table.out.find("| RESULT  | FILE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("| failure | "), std::string::npos) << table.out;

  auto gh = PolicyTest("--format github " + base);
  EXPECT_NE(gh.out.find("::group::Testing '" + kData +
                        "/inputs/deployment.yaml' against 10 "
                        "policies in namespace 'main'\n"),
            std::string::npos)
      << gh.out;
  EXPECT_NE(gh.out.find("::error file=" + kData +
                        "/inputs/deployment.yaml::container web is privileged\n"),
            std::string::npos)
      << gh.out;

  auto junit = PolicyTest("--format junit " + base);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit.out.c_str())) << junit.out;
  pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  EXPECT_EQ(suite.attribute("tests").as_int(), 10);
  EXPECT_EQ(suite.attribute("failures").as_int(), 4);

  auto sarif = PolicyTest("--format sarif " + base);
  auto s = nlohmann::json::parse(sarif.out);
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_EQ(s["runs"][0]["results"].size(), 4u);
  EXPECT_EQ(s["runs"][0]["results"][0]["level"], "error");
}

TEST(ConftestCli, OutputFile) {
  testing::TempDir tmp;
  auto r = PolicyTest("--format json -o '" + (tmp / "out.json") + "' " + kData +
                      "/inputs/good.yaml -p " + kData + "/policy");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto j = nlohmann::json::parse(testing::ReadAll(tmp / "out.json"));
  EXPECT_EQ(j[0]["successes"], 5);
}

TEST(ConftestCli, MalformedInputExits2WithPosition) {
  auto y = PolicyTest(kData + "/inputs/malformed.yaml -p " + kData + "/policy");
  EXPECT_EQ(y.exit_code, 2);
  EXPECT_TRUE(std::regex_search(y.err, std::regex("malformed\\.yaml:[0-9]+:[0-9]+: "))) << y.err;
  auto j = PolicyTest(kData + "/inputs/malformed.json -p " + kData + "/policy");
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_NE(j.err.find(kData + "/inputs/malformed.json:2:"), std::string::npos) << j.err;
}

TEST(ConftestCli, UsageErrors) {
  auto no_policy = PolicyTest(kData + "/inputs/good.yaml -p " + kData + "/does-not-exist");
  EXPECT_EQ(no_policy.exit_code, 2);
  auto bad_format =
      PolicyTest("--format nope " + kData + "/inputs/good.yaml -p " + kData + "/policy");
  EXPECT_EQ(bad_format.exit_code, 2);
  auto bad_parser =
      PolicyTest("--parser nope " + kData + "/inputs/good.yaml -p " + kData + "/policy");
  EXPECT_EQ(bad_parser.exit_code, 2);
}

TEST(ConftestCli, DockerfileNamespace) {
  auto r = PolicyTest("--namespace docker " + kData + "/formats/Dockerfile -p " + kData +
                      "/formats/policy");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string f = kData + "/formats/Dockerfile";
  EXPECT_NE(
      r.out.find("WARN - " + f + " - docker - stage 1 uses a latest base image: alpine:latest"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL - " + f + " - docker - containers must not run as root"),
            std::string::npos);
  EXPECT_NE(r.out.find("FAIL - " + f + " - docker - COPY sets ownership with --chown=app:app"),
            std::string::npos);
  EXPECT_NE(r.out.find("3 tests, 0 passed, 1 warning, 2 failures, 0 exceptions"), std::string::npos)
      << r.out;
}

TEST(ConftestCli, IniEnvXmlTomlTerraform) {
  std::string p = " -p " + kData + "/formats/policy";
  auto ini = PolicyTest("--namespace ini " + kData + "/formats/app.ini" + p);
  EXPECT_NE(ini.out.find("debug is enabled on port 8080"), std::string::npos) << ini.out << ini.err;
  EXPECT_NE(ini.out.find("database connections must use TLS"), std::string::npos);

  auto env = PolicyTest("--namespace env " + kData + "/formats/app.env" + p);
  EXPECT_NE(env.out.find("DEBUG must be off in production (url http://0.0.0.0:8080, literal "
                         "${HOST})"),
            std::string::npos)
      << env.out << env.err;

  auto xml = PolicyTest("--namespace xml " + kData + "/formats/pom.xml" + p);
  EXPECT_NE(xml.out.find("log4j-core 2.14.1 is vulnerable"), std::string::npos)
      << xml.out << xml.err;
  EXPECT_NE(xml.out.find("WARN - " + kData + "/formats/pom.xml - xml - test dependency junit"),
            std::string::npos);

  auto toml = PolicyTest("--namespace toml " + kData + "/formats/config.toml" + p);
  EXPECT_NE(toml.out.find("demo: TLS disabled for users [\"admin\"]"), std::string::npos)
      << toml.out << toml.err;

  auto tf = PolicyTest("--namespace terraform " + kData + "/formats/main.tf" + p);
  EXPECT_EQ(tf.exit_code, 1) << tf.err;
  EXPECT_NE(tf.out.find("bucket logs is public"), std::string::npos) << tf.out << tf.err;
  EXPECT_EQ(tf.out.find("bucket data is public"), std::string::npos);
}

TEST(ConftestCli, CombineAllNamespacesDataParserFileInfo) {
  // --combine: one evaluation over [{path, contents}].
  auto comb = PolicyTest("--combine --namespace combined " + kData + "/inputs/deployment.yaml " +
                         kData + "/inputs/good.yaml -p " + kData + "/formats/policy");
  EXPECT_NE(comb.out.find("WARN - Combined - combined - combined 3 documents"), std::string::npos)
      << comb.out << comb.err;
  EXPECT_EQ(comb.exit_code, 0);
  auto dup = PolicyTest("--combine --namespace combined " + kData + "/inputs/deployment.yaml " +
                        kData + "/inputs/deployment.yaml -p " + kData + "/formats/policy");
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.out.find("FAIL - Combined - combined - duplicate deployment web in " + kData +
                         "/inputs/deployment.yaml and " + kData + "/inputs/deployment.yaml"),
            std::string::npos)
      << dup.out;

  // --all-namespaces runs every package's rules.
  auto all = PolicyTest("--all-namespaces " + kData + "/formats/config.toml -p " + kData +
                        "/formats/policy");
  EXPECT_NE(all.out.find(" - toml - demo: TLS disabled"), std::string::npos) << all.out << all.err;
  EXPECT_NE(all.out.find(" - fileinfo - file " + kData + "/formats/config.toml is TOML"),
            std::string::npos)
      << all.out;

  // --data merges documents under data by directory.
  auto data = PolicyTest("--namespace registries --data " + kData + "/data " + kData +
                         "/inputs/deployment.yaml " + kData + "/inputs/good.yaml -p " + kData +
                         "/data-policy");
  EXPECT_NE(data.out.find("image nginx:latest is not from an allowed registry"), std::string::npos)
      << data.out << data.err;
  EXPECT_EQ(data.out.find("registry.example.com/api"), std::string::npos);

  // --parser forces a parser regardless of the extension.
  testing::TempDir tmp;
  testing::WriteFile(tmp / "settings.txt", "[server]\ndebug = true\nport = 1\n");
  auto forced = PolicyTest("--parser ini --namespace ini '" + (tmp / "settings.txt") + "' -p " +
                           kData + "/formats/policy");
  EXPECT_NE(forced.out.find("debug is enabled on port 1"), std::string::npos)
      << forced.out << forced.err;
}

TEST(ConftestCli, StdinIsYaml) {
  auto r = RunCommand("cd '" + testing::SourceDir() + "' && '" + testing::Gatehouse() +
                          "' policy test --no-color - -p " + kData + "/policy",
                      "kind: Service\nmetadata: {name: s}\nspec: {type: NodePort}\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("FAIL - - main - service s must not be a NodePort"), std::string::npos)
      << r.out;
}

// ---- Parsers -------------------------------------------------------------------

TEST(ConftestInputs, DetectsLikeConftest) {
  EXPECT_EQ(DetectInputFormat("a/Dockerfile"), InputFormat::kDockerfile);
  EXPECT_EQ(DetectInputFormat("Dockerfile.prod"), InputFormat::kDockerfile);
  EXPECT_EQ(DetectInputFormat("build.dockerfile"), InputFormat::kDockerfile);
  EXPECT_EQ(DetectInputFormat("x.yml"), InputFormat::kYaml);
  EXPECT_EQ(DetectInputFormat("noext"), InputFormat::kYaml);
  EXPECT_EQ(DetectInputFormat("-"), InputFormat::kYaml);
  EXPECT_EQ(DetectInputFormat("main.tf"), InputFormat::kHcl2);
  EXPECT_EQ(DetectInputFormat("vars.tfvars"), InputFormat::kHcl2);
  EXPECT_EQ(DetectInputFormat("x.hcl"), InputFormat::kHcl2);
  EXPECT_EQ(DetectInputFormat(".env"), InputFormat::kDotenv);
  EXPECT_EQ(DetectInputFormat("prod.env"), InputFormat::kDotenv);
  EXPECT_EQ(DetectInputFormat("pom.xml"), InputFormat::kXml);
  EXPECT_EQ(DetectInputFormat("a.INI"), InputFormat::kIni);
  EXPECT_EQ(DetectInputFormat("a.toml"), InputFormat::kToml);
  EXPECT_FALSE(DetectInputFormat("a.exe").has_value());
  EXPECT_EQ(ParseInputFormat("hcl"), InputFormat::kHcl2);
}

TEST(ConftestInputs, DockerfileShape) {
  auto r = ParseDockerfileInput(
      "# escape=`\nFROM golang AS build\nRUN echo a `\n  && echo b\nCOPY --from=build /a /b\n"
      "ENV A=1 B=\"two words\"\nENV LEGACY some value\nONBUILD RUN make\nCMD [\"x\", \"y\"]\n",
      "Dockerfile");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  std::string json = r->Root().ToJson();
  EXPECT_EQ(json,
            "[[{\"Cmd\":\"from\",\"SubCmd\":\"\",\"JSON\":false,\"Flags\":[],\"Value\":[\"golang\","
            "\"AS\",\"build\"],\"Stage\":0},"
            "{\"Cmd\":\"run\",\"SubCmd\":\"\",\"JSON\":false,\"Flags\":[],\"Value\":[\"echo a   && "
            "echo b\"],\"Stage\":0},"
            "{\"Cmd\":\"copy\",\"SubCmd\":\"\",\"JSON\":false,\"Flags\":[\"--from=build\"],"
            "\"Value\":[\"/a\",\"/b\"],\"Stage\":0},"
            "{\"Cmd\":\"env\",\"SubCmd\":\"\",\"JSON\":false,\"Flags\":[],\"Value\":[\"A\",\"1\","
            "\"B\",\"\\\"two words\\\"\"],\"Stage\":0},"
            "{\"Cmd\":\"env\",\"SubCmd\":\"\",\"JSON\":false,\"Flags\":[],\"Value\":[\"LEGACY\","
            "\"some value\"],\"Stage\":0},"
            "{\"Cmd\":\"onbuild\",\"SubCmd\":\"run\",\"JSON\":false,\"Flags\":[],\"Value\":["
            "\"make\"],\"Stage\":0},"
            "{\"Cmd\":\"cmd\",\"SubCmd\":\"\",\"JSON\":true,\"Flags\":[],\"Value\":[\"x\",\"y\"],"
            "\"Stage\":0}]]");
  EXPECT_EQ(r->Root()[0][1].line(), 3);  // positions kept
}

TEST(ConftestInputs, DockerfileCommentsAndErrors) {
  auto r = ParseDockerfileInput("FROM a\n# note here\nRUN x\nFROM b\n", "Dockerfile");
  ASSERT_TRUE(r.ok());
  DocValue cmds = r->Root()[0];
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[1]["Cmd"].AsString(), "comment");
  EXPECT_EQ(cmds[1]["Value"][0].AsString(), "note here");
  EXPECT_EQ(cmds[3]["Stage"].AsInt(), 1);
  auto bad = ParseDockerfileInput("FROM a\nFROBNICATE x\n", "Dockerfile");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2);
  EXPECT_NE(bad.error().message.find("unknown instruction: frobnicate"), std::string::npos);
}

TEST(ConftestInputs, IniShapeAndErrors) {
  auto r =
      ParseIniInput("top = 1\n[a]\nk = \"v\" \nx: y ; c\n[a]\nk = w\n[DEFAULT]\nz=1\n", "a.ini");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Root().ToJson(), "{\"a\":{\"k\":\"w\",\"x\":\"y\"}}");
  auto bad = ParseIniInput("[a]\njust a line\n", "a.ini");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2);
  auto unclosed = ParseIniInput("[a\n", "a.ini");
  EXPECT_FALSE(unclosed.ok());
}

TEST(ConftestInputs, DotenvShapeAndErrors) {
  auto r = ParseDotenvInput("A=1\nexport B=\"x\\ny\"\nC='$A'\nD=${A}-$B # c\n", ".env");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->Root().ToJson(), "{\"A\":\"1\",\"B\":\"x\\ny\",\"C\":\"$A\",\"D\":\"1-x\\ny\"}");
  auto bad = ParseDotenvInput("A=1\nNOEQUALS\n", ".env");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2);
  auto unterminated = ParseDotenvInput("A=\"open\n", ".env");
  EXPECT_FALSE(unterminated.ok());
}

TEST(ConftestInputs, XmlShapeAndErrors) {
  auto r = ParseXmlInput("<a x=\"1\"><b>hi</b><b>yo</b><c/><d k=\"v\">text</d></a>", "a.xml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      r->Root().ToJson(),
      "{\"a\":{\"-x\":\"1\",\"b\":[\"hi\",\"yo\"],\"c\":\"\",\"d\":{\"-k\":\"v\",\"#content\":"
      "\"text\"}}}");
  auto bad = ParseXmlInput("<a>\n<b></a>", "a.xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_GT(bad.error().line, 0);
}

TEST(ConftestInputs, YamlStreamBecomesArray) {
  auto r = ParseInput("a: 1\n---\nb: 2\n", "x.yaml", InputFormat::kYaml);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Root().ToJson(), "[{\"a\":1},{\"b\":2}]");
  auto one = ParseInput("a: 1\n", "x.yaml", InputFormat::kYaml);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->Root().ToJson(), "{\"a\":1}");
}

}  // namespace
}  // namespace gatehouse
