// Dockerfile → Document in the shape of conftest's Dockerfile parser.
//
// Conftest runs BuildKit's Dockerfile parser and lowers each instruction to
// {Cmd, SubCmd, JSON, Flags, Value, Stage}: Cmd is the lower-cased
// instruction, Flags the leading `--name=value` words, Value the arguments
// split the way BuildKit's per-instruction parsers split them, Stage the
// index of the FROM stage it belongs to, and comment lines become
// {Cmd: "comment", Value: [text]} entries before the instruction they
// precede. The file's value is [[instructions...]] (one configuration).
//
// Argument splitting (BuildKit frontend/dockerfile/parser/line_parsers.go):
//   run, cmd, entrypoint, shell   JSON array → its strings (JSON = true);
//                                  otherwise the whole rest as one string
//   copy, add, volume             JSON array, else whitespace-separated words
//   from, expose, arg             whitespace-separated words
//   env, label                    key/value pairs: `K=V K2=V2` → [K, V, K2, V2];
//                                  legacy `ENV K some value` → [K, "some value"]
//   user, workdir, maintainer,
//   stopsignal                    the rest as one string
//   healthcheck                   NONE, or CMD followed by a run-style command
//   onbuild                       SubCmd = inner instruction; Value its args
// Line continuations use the escape character (`\`, or the one set with a
// `# escape=` parser directive); comment lines inside a continuation are
// skipped. Unknown instructions are errors, as in BuildKit.
#include <nlohmann/json.hpp>

#include "formats/inputs.h"

namespace gatehouse {

namespace {

struct Instruction {
  std::string text;  // logical line, continuations joined
  uint32_t line = 0;
  uint32_t column = 0;
  std::vector<std::string> comments;
  std::vector<uint32_t> comment_lines;
};

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Words respecting quotes (BuildKit parseWords): quotes are kept in the word.
std::vector<std::string> QuotedWords(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  char quote = 0;
  bool escaped = false;
  for (char c : s) {
    if (escaped) {
      word += c;
      escaped = false;
      continue;
    }
    if (c == '\\') {
      word += c;
      escaped = true;
      continue;
    }
    if (quote) {
      word += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      word += c;
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
      continue;
    }
    word += c;
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

bool JsonArray(std::string_view s, std::vector<std::string>* out) {
  s = TrimWs(s);
  if (s.empty() || s.front() != '[') return false;
  nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return false;
  std::vector<std::string> items;
  for (const auto& e : j) {
    if (!e.is_string()) return false;
    items.push_back(e.get<std::string>());
  }
  *out = std::move(items);
  return true;
}

struct Parsed {
  std::string cmd;
  std::string sub_cmd;
  bool json = false;
  std::vector<std::string> flags;
  std::vector<std::string> value;
};

bool ParseArgs(const std::string& cmd, std::string_view rest, Parsed* p, std::string* error) {
  rest = TrimWs(rest);
  if (cmd == "run" || cmd == "cmd" || cmd == "entrypoint" || cmd == "shell") {
    if (JsonArray(rest, &p->value)) {
      p->json = true;
    } else if (cmd == "shell") {
      *error = "SHELL requires the arguments to be in JSON form";
      return false;
    } else if (!rest.empty()) {
      p->value = {std::string(rest)};
    }
    return true;
  }
  if (cmd == "copy" || cmd == "add" || cmd == "volume") {
    if (JsonArray(rest, &p->value)) {
      p->json = true;
    } else {
      p->value = Words(rest);
    }
    return true;
  }
  if (cmd == "from" || cmd == "expose" || cmd == "arg") {
    p->value = Words(rest);
    return true;
  }
  if (cmd == "env" || cmd == "label") {
    std::vector<std::string> words = QuotedWords(rest);
    if (words.empty()) {
      *error = std::string(cmd == "env" ? "ENV" : "LABEL") + " requires at least one argument";
      return false;
    }
    if (words.front().find('=') == std::string::npos) {
      // Legacy form: KEY value with spaces.
      size_t sp = rest.find_first_of(" \t");
      if (sp == std::string_view::npos) {
        *error = std::string(cmd == "env" ? "ENV" : "LABEL") + " must have two arguments";
        return false;
      }
      p->value = {std::string(rest.substr(0, sp)), std::string(TrimWs(rest.substr(sp)))};
      return true;
    }
    for (const std::string& w : words) {
      size_t eq = w.find('=');
      if (eq == std::string::npos) {
        *error = "syntax error - can't find = in \"" + w + "\". Must be of the form: name=value";
        return false;
      }
      p->value.push_back(w.substr(0, eq));
      p->value.push_back(w.substr(eq + 1));
    }
    return true;
  }
  if (cmd == "user" || cmd == "workdir" || cmd == "maintainer" || cmd == "stopsignal") {
    if (!rest.empty()) p->value = {std::string(rest)};
    return true;
  }
  if (cmd == "healthcheck") {
    std::vector<std::string> words = Words(rest);
    if (words.empty()) {
      *error = "HEALTHCHECK requires an argument";
      return false;
    }
    std::string kind = words.front();
    for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    p->value.push_back(kind);
    if (kind == "CMD") {
      std::string_view after = TrimWs(rest.substr(rest.find(words.front()) + words.front().size()));
      std::vector<std::string> json;
      if (JsonArray(after, &json)) {
        p->json = true;
        for (auto& s : json) p->value.push_back(std::move(s));
      } else if (!after.empty()) {
        p->value.emplace_back(after);
      }
    }
    return true;
  }
  *error = "unknown instruction: " + cmd;
  return false;
}

void ExtractFlags(std::string_view* rest, std::vector<std::string>* flags) {
  std::string_view r = TrimWs(*rest);
  while (r.starts_with("--")) {
    size_t end = r.find_first_of(" \t");
    if (end == std::string_view::npos) end = r.size();
    flags->emplace_back(r.substr(0, end));
    r = TrimWs(r.substr(end));
  }
  *rest = r;
}

bool ParseInstruction(std::string_view text, Parsed* p, std::string* error) {
  text = TrimWs(text);
  size_t sp = text.find_first_of(" \t");
  std::string word(text.substr(0, sp == std::string_view::npos ? text.size() : sp));
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : text.substr(sp);
  p->cmd = word;
  if (word == "onbuild") {
    std::string_view inner = TrimWs(rest);
    Parsed sub;
    if (!ParseInstruction(inner, &sub, error)) return false;
    if (sub.cmd == "onbuild" || sub.cmd == "from" || sub.cmd == "maintainer") {
      *error = sub.cmd + " isn't allowed as an ONBUILD trigger";
      return false;
    }
    p->sub_cmd = sub.cmd;
    p->json = sub.json;
    p->flags = std::move(sub.flags);
    p->value = std::move(sub.value);
    return true;
  }
  ExtractFlags(&rest, &p->flags);
  return ParseArgs(word, rest, p, error);
}

}  // namespace

Result<Document> ParseDockerfileInput(std::string_view text, std::string path) {
  // Split into physical lines.
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    if (end == text.size()) break;
    start = end + 1;
  }
  char escape = '\\';
  // Parser directives: leading `# key=value` comments before anything else.
  size_t first = 0;
  for (; first < lines.size(); ++first) {
    std::string_view t = TrimWs(lines[first]);
    if (!t.starts_with("#")) break;
    std::string_view body = TrimWs(t.substr(1));
    size_t eq = body.find('=');
    if (eq == std::string_view::npos) break;
    std::string key(TrimWs(body.substr(0, eq)));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view val = TrimWs(body.substr(eq + 1));
    if (key == "escape") {
      if (val != "`" && val != "\\") {
        return MakeError(ErrorCode::kParse, "invalid escape token '" + std::string(val) + "'", path,
                         static_cast<int>(first + 1), 1);
      }
      escape = val.front();
    } else if (key != "syntax" && key != "check") {
      break;
    }
  }

  std::vector<Instruction> instrs;
  std::vector<std::string> pending_comments;
  std::vector<uint32_t> pending_comment_lines;
  for (size_t i = first; i < lines.size(); ++i) {
    std::string_view t = TrimWs(lines[i]);
    if (t.empty()) continue;
    if (t.front() == '#') {
      pending_comments.emplace_back(TrimWs(t.substr(1)));
      pending_comment_lines.push_back(static_cast<uint32_t>(i + 1));
      continue;
    }
    Instruction ins;
    ins.line = static_cast<uint32_t>(i + 1);
    ins.column = static_cast<uint32_t>(t.data() - lines[i].data()) + 1;
    // Continuation lines keep their leading whitespace (BuildKit joins the
    // raw text after removing the escape character).
    std::string logical;
    std::string_view cur = t;
    while (!cur.empty() && cur.back() == escape) {
      cur.remove_suffix(1);
      logical += cur;
      cur = {};
      while (++i < lines.size()) {
        std::string_view raw = lines[i];
        std::string_view n = TrimWs(raw);
        if (n.empty() || n.starts_with("#")) continue;
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) {
          raw.remove_suffix(1);
        }
        cur = raw;
        break;
      }
    }
    logical += cur;
    ins.text = std::move(logical);
    ins.comments = std::move(pending_comments);
    ins.comment_lines = std::move(pending_comment_lines);
    pending_comments.clear();
    pending_comment_lines.clear();
    instrs.push_back(std::move(ins));
  }

  Document doc(path);
  std::vector<DocValue> commands;
  int stage = -1;
  auto add_command = [&](const Parsed& p, int st, DocPos pos) {
    std::vector<Document::Member> m;
    m.push_back({"Cmd", pos, doc.AddString(p.cmd, pos)});
    m.push_back({"SubCmd", pos, doc.AddString(p.sub_cmd, pos)});
    m.push_back({"JSON", pos, doc.AddBool(p.json, pos)});
    std::vector<DocValue> flags;
    for (const auto& f : p.flags) flags.push_back(doc.AddString(f, pos));
    m.push_back({"Flags", pos, doc.AddArray(flags, pos)});
    std::vector<DocValue> values;
    for (const auto& v : p.value) values.push_back(doc.AddString(v, pos));
    m.push_back({"Value", pos, doc.AddArray(values, pos)});
    m.push_back({"Stage", pos, doc.AddInt(st, pos)});
    commands.push_back(doc.AddObject(std::move(m), pos));
  };
  for (const Instruction& ins : instrs) {
    Parsed p;
    std::string error;
    if (!ParseInstruction(ins.text, &p, &error)) {
      return MakeError(ErrorCode::kParse, error, path, static_cast<int>(ins.line),
                       static_cast<int>(ins.column));
    }
    int comment_stage = stage < 0 ? 0 : stage;
    for (size_t c = 0; c < ins.comments.size(); ++c) {
      Parsed cp;
      cp.cmd = "comment";
      cp.value = {ins.comments[c]};
      add_command(cp, comment_stage, DocPos{ins.comment_lines[c], 1});
    }
    if (p.cmd == "from") ++stage;
    add_command(p, stage < 0 ? 0 : stage, DocPos{ins.line, ins.column});
  }
  if (instrs.empty()) {
    return MakeError(ErrorCode::kParse, "file with no instructions", path, 1, 1);
  }
  DocValue list = doc.AddArray(commands, DocPos{1, 1});
  doc.SetRoot(doc.AddArray({list}, DocPos{1, 1}));
  return doc;
}

}  // namespace gatehouse
