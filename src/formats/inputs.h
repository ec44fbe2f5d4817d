// Conftest-compatible input parsers: configuration files → Document.
//
// `gatehouse policy test` reads each input file with the parser conftest
// would pick (by file name, or forced with --parser) and hands the result to
// the Rego engine as `input`. Every parser produces the same JSON shape
// conftest's Go parsers produce, so existing conftest policies keep working:
//
//   yaml        one document → that document; several (---) → an array
//   json        the value
//   toml        tables → objects (dates as RFC 3339 strings)
//   hcl2        blocks nested by type and labels (Terraform helper's lowering)
//   dockerfile  [[{Cmd, SubCmd, JSON, Flags, Value, Stage}, ...]]
//   ini         {section: {key: "value"}} (keys outside a section dropped)
//   xml         goxml2json shape: {"root": {"-attr": "v", "child": ..., "#content": "text"}}
//   dotenv      {KEY: "value"}
//
// As in conftest, a file whose value is an array is evaluated once per item
// ("subconfigurations": YAML streams, Dockerfiles, JSON arrays).
//
// Errors carry path:line:column. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/document.h"
#include "gatehouse/result.h"

namespace gatehouse {

enum class InputFormat { kYaml, kJson, kToml, kHcl2, kDockerfile, kIni, kXml, kDotenv };

// "yaml", "json", "toml", "hcl2", "dockerfile", "ini", "xml", "dotenv".
std::string_view InputFormatName(InputFormat f);
// Accepts the names above plus conftest's aliases ("yml", "hcl", "tf", "env").
std::optional<InputFormat> ParseInputFormat(std::string_view name);
// The parser conftest would choose for a path ("-" = stdin = yaml). Files
// without an extension are YAML, like conftest. nullopt when unsupported.
std::optional<InputFormat> DetectInputFormat(std::string_view path);
// Comma-separated list of the parser names, for help texts.
std::string InputFormatList();

// Parses one configuration file. The Document's root is the whole file's
// value in conftest's shape (see above); its path() is `path`.
Result<Document> ParseInput(std::string_view text, std::string path, InputFormat format);

// The individual parsers (also used by tests and fuzzers).
Result<Document> ParseIniInput(std::string_view text, std::string path);
Result<Document> ParseDotenvInput(std::string_view text, std::string path);
Result<Document> ParseXmlInput(std::string_view text, std::string path);
Result<Document> ParseDockerfileInput(std::string_view text, std::string path);

}  // namespace gatehouse
