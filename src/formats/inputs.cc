// Conftest input parsers: dispatch by file name, and the two line-oriented
// formats (INI and .env). XML and Dockerfile live in xml_input.cc and
// dockerfile_input.cc; YAML, JSON and TOML come from document.cc; HCL2 from
// the Terraform helper's lowering.
//
// INI follows go-ini's defaults as conftest uses them: `[section]` headers,
// `key = value` or `key: value`, `;`/`#` comment lines, surrounding quotes
// stripped, inline comments cut at whitespace + `;`/`#`, keys before the
// first section (go-ini's DEFAULT section) dropped, every value a string.
//
// .env follows gotenv's strict parser: `KEY=VALUE` (optionally `export `),
// single quotes literal, double quotes with \n \t \" \\ escapes, `${VAR}` and
// `$VAR` expanded from earlier keys (then the environment) outside single
// quotes, `#` comments; a line without `=` is an error.
#include "formats/inputs.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>

#include "gatehouse/hcl.h"

namespace gatehouse {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits text into lines, remembering 1-based line numbers.
struct Line {
  std::string_view text;
  uint32_t number;
};
std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  uint32_t n = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back({l, n++});
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

uint32_t ColumnOf(std::string_view line, std::string_view part) {
  return static_cast<uint32_t>(part.data() - line.data()) + 1;
}

// An ordered string map that remembers positions: last value wins, first
// position of the key is kept.
struct OrderedMembers {
  struct Entry {
    std::string key;
    DocPos key_pos;
    std::string value;
    DocPos value_pos;
  };
  std::vector<Entry> entries;
  std::map<std::string, size_t, std::less<>> index;

  void Set(std::string key, DocPos kp, std::string value, DocPos vp) {
    auto it = index.find(key);
    if (it != index.end()) {
      entries[it->second].value = std::move(value);
      entries[it->second].value_pos = vp;
      return;
    }
    index.emplace(key, entries.size());
    entries.push_back({std::move(key), kp, std::move(value), vp});
  }
  const std::string* Get(std::string_view key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &entries[it->second].value;
  }
  DocValue Build(Document& doc, DocPos pos) const {
    std::vector<Document::Member> members;
    members.reserve(entries.size());
    for (const Entry& e : entries) {
      members.push_back({e.key, e.key_pos, doc.AddString(e.value, e.value_pos)});
    }
    return doc.AddObject(std::move(members), pos);
  }
};

std::string_view StripIniQuotes(std::string_view v) {
  if (v.size() >= 6 && v.substr(0, 3) == "\"\"\"" && v.substr(v.size() - 3) == "\"\"\"") {
    return v.substr(3, v.size() - 6);
  }
  if (v.size() >= 2 &&
      ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

}  // namespace

std::string_view InputFormatName(InputFormat f) {
  switch (f) {
    case InputFormat::kYaml:
      return "yaml";
    case InputFormat::kJson:
      return "json";
    case InputFormat::kToml:
      return "toml";
    case InputFormat::kHcl2:
      return "hcl2";
    case InputFormat::kDockerfile:
      return "dockerfile";
    case InputFormat::kIni:
      return "ini";
    case InputFormat::kXml:
      return "xml";
    case InputFormat::kDotenv:
      return "dotenv";
  }
  return "yaml";
}

std::optional<InputFormat> ParseInputFormat(std::string_view name) {
  std::string n = Lower(name);
  if (n == "yaml" || n == "yml") return InputFormat::kYaml;
  if (n == "json") return InputFormat::kJson;
  if (n == "toml") return InputFormat::kToml;
  if (n == "hcl2" || n == "hcl" || n == "tf" || n == "tfvars") return InputFormat::kHcl2;
  if (n == "dockerfile") return InputFormat::kDockerfile;
  if (n == "ini") return InputFormat::kIni;
  if (n == "xml") return InputFormat::kXml;
  if (n == "dotenv" || n == "env") return InputFormat::kDotenv;
  return std::nullopt;
}

std::string InputFormatList() { return "yaml, json, toml, hcl2, dockerfile, ini, xml, dotenv"; }

std::optional<InputFormat> DetectInputFormat(std::string_view path) {
  if (path == "-") return InputFormat::kYaml;
  size_t slash = path.find_last_of('/');
  std::string base = Lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (base == "dockerfile" || base.find("dockerfile.") != std::string::npos ||
      base.find(".dockerfile") != std::string::npos) {
    return InputFormat::kDockerfile;
  }
  if (base == ".env" || base.starts_with(".env.")) return InputFormat::kDotenv;
  size_t dot = base.find_last_of('.');
  if (dot == std::string::npos || dot == 0) return InputFormat::kYaml;  // conftest's default
  return ParseInputFormat(std::string_view(base).substr(dot + 1));
}

Result<Document> ParseIniInput(std::string_view text, std::string path) {
  Document doc(path);
  struct Section {
    std::string name;
    DocPos pos;
    OrderedMembers members;
  };
  std::vector<Section> sections;
  std::map<std::string, size_t, std::less<>> by_name;
  Section* current = nullptr;  // nullptr = go-ini's DEFAULT section (dropped)
  for (const Line& line : SplitLines(text)) {
    std::string_view t = TrimWs(line.text);
    if (t.empty() || t.front() == ';' || t.front() == '#') continue;
    if (t.front() == '[') {
      size_t close = t.find(']');
      if (close == std::string_view::npos) {
        return MakeError(ErrorCode::kParse, "unclosed section header (missing ']')", path,
                         static_cast<int>(line.number), static_cast<int>(ColumnOf(line.text, t)));
      }
      std::string name(TrimWs(t.substr(1, close - 1)));
      if (name == "DEFAULT") {
        current = nullptr;
        continue;
      }
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        it = by_name.emplace(name, sections.size()).first;
        sections.push_back({name, DocPos{line.number, ColumnOf(line.text, t)}, {}});
      }
      current = &sections[it->second];
      continue;
    }
    size_t delim = t.find_first_of("=:");
    if (delim == std::string_view::npos) {
      return MakeError(ErrorCode::kParse, "key-value delimiter not found: '" + std::string(t) + "'",
                       path, static_cast<int>(line.number),
                       static_cast<int>(ColumnOf(line.text, t)));
    }
    std::string_view key = TrimWs(t.substr(0, delim));
    std::string_view value = TrimWs(t.substr(delim + 1));
    if (key.empty()) {
      return MakeError(ErrorCode::kParse, "empty key", path, static_cast<int>(line.number),
                       static_cast<int>(ColumnOf(line.text, t)));
    }
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      value = StripIniQuotes(value);
    } else {
      for (size_t i = 1; i < value.size(); ++i) {
        if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
          value = TrimWs(value.substr(0, i));
          break;
        }
      }
    }
    if (current == nullptr) continue;
    DocPos vp{line.number, value.empty() ? ColumnOf(line.text, t) + static_cast<uint32_t>(delim) + 1
                                         : ColumnOf(line.text, value)};
    current->members.Set(std::string(key), DocPos{line.number, ColumnOf(line.text, key)},
                         std::string(value), vp);
  }
  std::vector<Document::Member> members;
  for (const Section& s : sections) {
    members.push_back({s.name, s.pos, s.members.Build(doc, s.pos)});
  }
  doc.SetRoot(doc.AddObject(std::move(members), DocPos{1, 1}));
  return doc;
}

namespace {

bool IsEnvKeyChar(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return true;
  if (first) return false;
  return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

std::string ExpandEnv(std::string_view v, const OrderedMembers& known) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (v[i] != '$' || i + 1 >= v.size()) {
      out += v[i];
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (v[j] == '{') {
      size_t close = v.find('}', j);
      if (close == std::string_view::npos) {
        out += v[i];
        continue;
      }
      name = std::string(v.substr(j + 1, close - j - 1));
      j = close + 1;
    } else {
      while (j < v.size() && IsEnvKeyChar(v[j], j == i + 1) && v[j] != '.' && v[j] != '-') ++j;
      name = std::string(v.substr(i + 1, j - i - 1));
      if (name.empty()) {
        out += v[i];
        continue;
      }
    }
    if (const std::string* s = known.Get(name)) {
      out += *s;
    } else if (const char* e = std::getenv(name.c_str())) {
      out += e;
    }
    i = j - 1;
  }
  return out;
}

}  // namespace

Result<Document> ParseDotenvInput(std::string_view text, std::string path) {
  Document doc(path);
  OrderedMembers vars;
  for (const Line& line : SplitLines(text)) {
    std::string_view t = TrimWs(line.text);
    if (t.empty() || t.front() == '#') continue;
    if (t.starts_with("export ")) t = TrimWs(t.substr(7));
    auto err = [&](std::string msg, std::string_view at) {
      return MakeError(ErrorCode::kParse, std::move(msg), path, static_cast<int>(line.number),
                       static_cast<int>(ColumnOf(line.text, at)));
    };
    size_t k = 0;
    while (k < t.size() && IsEnvKeyChar(t[k], k == 0)) ++k;
    std::string_view key = t.substr(0, k);
    std::string_view rest = TrimWs(t.substr(k));
    if (key.empty()) return err("invalid variable name", t);
    if (rest.empty() || (rest.front() != '=' && rest.front() != ':')) {
      return err("line has no '=': '" + std::string(t) + "'", t);
    }
    std::string_view raw = TrimWs(rest.substr(1));
    DocPos vp{line.number, raw.empty() ? ColumnOf(line.text, rest) + 1 : ColumnOf(line.text, raw)};
    std::string value;
    if (!raw.empty() && raw.front() == '\'') {
      size_t close = raw.find('\'', 1);
      if (close == std::string_view::npos) return err("unterminated single-quoted value", raw);
      value = std::string(raw.substr(1, close - 1));
    } else if (!raw.empty() && raw.front() == '"') {
      std::string inner;
      size_t i = 1;
      bool closed = false;
      for (; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
          char n = raw[++i];
          switch (n) {
            case 'n':
              inner += '\n';
              break;
            case 't':
              inner += '\t';
              break;
            case 'r':
              inner += '\r';
              break;
            case '$':
              inner += "\\$";  // kept literal through expansion
              break;
            default:
              inner += n;
          }
          continue;
        }
        if (c == '"') {
          closed = true;
          break;
        }
        inner += c;
      }
      if (!closed) return err("unterminated double-quoted value", raw);
      value = ExpandEnv(inner, vars);
    } else {
      std::string_view v = raw;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
          v = TrimWs(v.substr(0, i));
          break;
        }
      }
      value = ExpandEnv(v, vars);
    }
    vars.Set(std::string(key), DocPos{line.number, ColumnOf(line.text, key)}, std::move(value), vp);
  }
  doc.SetRoot(vars.Build(doc, DocPos{1, 1}));
  return doc;
}

namespace {

// A YAML stream becomes its single document, or an array of documents.
Result<Document> YamlInput(std::string_view text, std::string path) {
  YamlStream stream = ParseYamlStream(text, path);
  if (!stream.errors.empty()) return stream.errors.front();
  if (stream.documents.size() == 1) return std::move(stream.documents.front());
  Document doc(path);
  std::vector<DocValue> items;
  for (Document& d : stream.documents) {
    items.push_back(d.Root() ? doc.Import(d.Root()) : doc.AddNull());
  }
  doc.SetRoot(doc.AddArray(items, DocPos{1, 1}));
  return doc;
}

}  // namespace

Result<Document> ParseInput(std::string_view text, std::string path, InputFormat format) {
  switch (format) {
    case InputFormat::kYaml:
      return YamlInput(text, std::move(path));
    case InputFormat::kJson:
      return ParseJsonDocument(text, std::move(path));
    case InputFormat::kToml:
      return ParseTomlDocument(text, std::move(path));
    case InputFormat::kHcl2:
      return hcl::HclToDocument(text, std::move(path));
    case InputFormat::kDockerfile:
      return ParseDockerfileInput(text, std::move(path));
    case InputFormat::kIni:
      return ParseIniInput(text, std::move(path));
    case InputFormat::kXml:
      return ParseXmlInput(text, std::move(path));
    case InputFormat::kDotenv:
      return ParseDotenvInput(text, std::move(path));
  }
  return MakeError(ErrorCode::kInternal, "unknown input format", path);
}

}  // namespace gatehouse
