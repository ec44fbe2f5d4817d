// Dockerfile parser and checks.
//
// The grammar follows the Dockerfile reference (docs.docker.com/reference/
// dockerfile) as BuildKit implements it:
//
//  * Parser directives (`# syntax=...`, `# escape=...`, `# check=...`) are
//    only recognized at the very top, before any blank line, comment or
//    instruction; each may appear once. `escape` is `\` (default) or `` ` ``.
//  * A logical line is an instruction whose physical line ends with the
//    escape character continues on the next line. Inside a continuation,
//    comment lines (`#` first non-blank) and empty lines are dropped.
//  * `KEYWORD [--flag[=value]]... args`. Keywords are case-insensitive.
//    Flags are only parsed for the instructions that take them.
//  * Exec (JSON) form: args that start with `[` and are a JSON array of
//    strings; anything else is shell form (a `[` that is not valid JSON is
//    shell form too, as in BuildKit).
//  * Heredocs (RUN, COPY, ADD): every `<<WORD`, `<<-WORD`, `<<"WORD"` or
//    `<<'WORD'` in the args opens a body that starts on the line after the
//    instruction and ends at a line equal to WORD (leading tabs stripped for
//    `<<-`); several heredocs are read one after the other.
//
// We keep the source position of every byte of the joined args (a list of
// segments), so a finding about a word in a continued line points at that
// word's own line and column.
//
// Checks work per build stage: FROM starts a stage (optionally `AS name`);
// ARGs declared before the first FROM are global and their defaults are
// substituted into FROM (`$VAR`, `${VAR}`, `${VAR:-default}`); a FROM that
// names an earlier stage inherits its user.
#include "iac/dockerfile.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "gatehouse/base.h"
#include "iac/internal.h"

namespace gatehouse::iac {

DocPos DfInstruction::PosAt(size_t offset) const {
  if (segments.empty()) return args_pos;
  offset += args_base;
  const Segment* best = &segments.front();
  for (const Segment& s : segments)
    if (s.offset <= offset) best = &s;
  DocPos p = best->pos;
  p.column += static_cast<uint32_t>(offset - best->offset);
  return p;
}

const DfFlag* DfInstruction::Flag(std::string_view name) const {
  for (const DfFlag& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

namespace {

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string_view LTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view RTrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool IsComment(std::string_view line) {
  std::string_view t = LTrim(line);
  return !t.empty() && t.front() == '#';
}

const std::vector<std::string_view>& KnownInstructions() {
  static const std::vector<std::string_view> k = {
      "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
      "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
      "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};
  return k;
}

bool TakesFlags(std::string_view kw) {
  return kw == "FROM" || kw == "RUN" || kw == "COPY" || kw == "ADD" || kw == "HEALTHCHECK";
}

bool TakesHeredoc(std::string_view kw) { return kw == "RUN" || kw == "COPY" || kw == "ADD"; }

bool TakesJson(std::string_view kw) {
  return kw == "RUN" || kw == "CMD" || kw == "ENTRYPOINT" || kw == "SHELL" || kw == "COPY" ||
         kw == "ADD" || kw == "VOLUME";
}

// Heredoc markers in shell-form args, outside quotes.
void FindHeredocs(std::string_view args, std::vector<DfHeredoc>* out) {
  char quote = 0;
  for (size_t i = 0; i + 2 < args.size() + 1 && i < args.size(); ++i) {
    char c = args[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    if (c != '<' || i + 1 >= args.size() || args[i + 1] != '<') continue;
    if (i + 2 < args.size() && args[i + 2] == '<') {  // <<< here-string
      i += 2;
      continue;
    }
    size_t j = i + 2;
    DfHeredoc h;
    if (j < args.size() && args[j] == '-') {
      h.strip_tabs = true;
      ++j;
    }
    char q = 0;
    if (j < args.size() && (args[j] == '"' || args[j] == '\'')) {
      q = args[j];
      h.quoted = true;
      ++j;
    }
    size_t start = j;
    while (j < args.size() && (std::isalnum(static_cast<unsigned char>(args[j])) ||
                               args[j] == '_' || args[j] == '-' || args[j] == '.'))
      ++j;
    if (j == start) continue;
    h.word = std::string(args.substr(start, j - start));
    if (q) {
      if (j < args.size() && args[j] == q) ++j;
    }
    out->push_back(std::move(h));
    i = j - 1;
  }
}

}  // namespace

bool IsDockerfilePath(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string base = AsciiLower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (base == "dockerfile" || base == "containerfile") return true;
  if (base.starts_with("dockerfile.") || base.starts_with("containerfile.")) {
    // Dockerfile.dockerignore is not a Dockerfile.
    return !base.ends_with(".dockerignore") && !base.ends_with(".md");
  }
  return base.ends_with(".dockerfile") || base.ends_with(".containerfile");
}

Dockerfile ParseDockerfile(std::string_view text, const std::string& path) {
  Dockerfile df;
  std::vector<std::string_view> lines;
  {
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        if (pos < text.size()) lines.push_back(text.substr(pos));
        break;
      }
      std::string_view l = text.substr(pos, nl - pos);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      lines.push_back(l);
      pos = nl + 1;
    }
  }
  auto err = [&](int line, int col, std::string msg) {
    df.errors.push_back(MakeError(ErrorCode::kParse, std::move(msg), path, line, col));
  };

  // ---- parser directives ----
  static const RE2 kDirective(R"(^\s*#\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$)");
  size_t i = 0;
  bool seen_syntax = false, seen_escape = false, seen_check = false;
  for (; i < lines.size(); ++i) {
    std::string key, value;
    if (!RE2::FullMatch(lines[i], kDirective, &key, &value)) break;
    key = AsciiLower(key);
    bool* seen = key == "syntax"   ? &seen_syntax
                 : key == "escape" ? &seen_escape
                 : key == "check"  ? &seen_check
                                   : nullptr;
    if (!seen) break;  // an unknown directive is a comment and ends the directives
    if (*seen) {
      err(static_cast<int>(i + 1), 1, "parser directive '" + key + "' may only be used once");
      continue;
    }
    *seen = true;
    if (key == "syntax") df.syntax = value;
    if (key == "escape") {
      if (value == "\\" || value == "`") {
        df.escape = value[0];
      } else {
        size_t col = lines[i].find('=') + 2;
        err(static_cast<int>(i + 1), static_cast<int>(col),
            "invalid escape directive '" + value + "': expected '\\' or '`'");
      }
    }
  }
  const char esc = df.escape;

  // ---- instructions ----
  bool seen_from = false;
  for (i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (IsBlank(l) || IsComment(l)) continue;
    DfInstruction ins;
    const int first_line = static_cast<int>(i + 1);
    size_t indent = l.size() - LTrim(l).size();
    std::string_view body = LTrim(l);
    size_t kw_len = 0;
    while (kw_len < body.size() && !std::isspace(static_cast<unsigned char>(body[kw_len])))
      ++kw_len;
    ins.original_keyword = std::string(body.substr(0, kw_len));
    ins.keyword = Upper(ins.original_keyword);
    ins.pos = DocPos{static_cast<uint32_t>(first_line), static_cast<uint32_t>(indent + 1)};

    // Join the logical line: args text plus where each piece came from.
    std::string args;
    std::vector<DfInstruction::Segment> segs;
    auto add_piece = [&](std::string_view piece, int line, size_t col0) {
      segs.push_back(
          {args.size(), DocPos{static_cast<uint32_t>(line), static_cast<uint32_t>(col0 + 1)}});
      args.append(piece);
    };
    // Rest of the first line after the keyword.
    size_t rest_start = indent + kw_len;
    std::string_view rest = l.substr(rest_start);
    size_t lead = rest.size() - LTrim(rest).size();
    rest_start += lead;
    rest = l.substr(rest_start);
    size_t cur = i;
    while (true) {
      std::string_view piece = RTrim(rest);
      bool cont = !piece.empty() && piece.back() == esc;
      if (cont) piece.remove_suffix(1);
      add_piece(piece, static_cast<int>(cur + 1), rest_start);
      if (!cont) break;
      // Next physical line, skipping comment and empty lines.
      size_t nxt = cur + 1;
      while (nxt < lines.size() && (IsBlank(lines[nxt]) || IsComment(lines[nxt]))) ++nxt;
      if (nxt >= lines.size()) {
        cur = lines.size() - 1;
        break;
      }
      cur = nxt;
      rest = lines[cur];
      rest_start = 0;
    }
    i = cur;

    if (std::find(KnownInstructions().begin(), KnownInstructions().end(), ins.keyword) ==
        KnownInstructions().end()) {
      err(first_line, static_cast<int>(indent + 1),
          "unknown instruction '" + ins.original_keyword + "' (expected FROM, RUN, COPY, ...)");
      continue;
    }

    // Flags.
    size_t p = 0;
    if (TakesFlags(ins.keyword)) {
      while (p < args.size()) {
        while (p < args.size() && std::isspace(static_cast<unsigned char>(args[p]))) ++p;
        if (args.compare(p, 2, "--") != 0) break;
        size_t e = p;
        while (e < args.size() && !std::isspace(static_cast<unsigned char>(args[e]))) ++e;
        std::string tok = args.substr(p + 2, e - p - 2);
        DfFlag f;
        size_t eq = tok.find('=');
        f.name = AsciiLower(tok.substr(0, eq));
        if (eq != std::string::npos) f.value = tok.substr(eq + 1);
        DfInstruction tmp;
        tmp.segments = segs;
        f.pos = tmp.PosAt(p);  // args_base is 0 here: offsets are in the joined line
        ins.flags.push_back(std::move(f));
        p = e;
      }
      while (p < args.size() && std::isspace(static_cast<unsigned char>(args[p]))) ++p;
    }
    ins.args = args.substr(p);
    ins.segments = std::move(segs);
    ins.args_base = p;
    ins.args_pos = ins.PosAt(0);

    // Exec form.
    std::string_view trimmed = RTrim(ins.args);
    if (TakesJson(ins.keyword) || ins.keyword == "HEALTHCHECK") {
      std::string_view j = trimmed;
      if (ins.keyword == "HEALTHCHECK") {
        // HEALTHCHECK [opts] CMD <command>
        std::string up = Upper(j.substr(0, std::min<size_t>(4, j.size())));
        if (up.starts_with("CMD")) j = LTrim(j.substr(3));
      }
      if (!j.empty() && j.front() == '[') {
        auto parsed = nlohmann::json::parse(j.begin(), j.end(), nullptr, false);
        if (!parsed.is_discarded() && parsed.is_array() &&
            std::all_of(parsed.begin(), parsed.end(),
                        [](const auto& v) { return v.is_string(); })) {
          ins.json_form = true;
          for (const auto& v : parsed) ins.json_args.push_back(v.get<std::string>());
        }
      }
    }

    // Heredocs: bodies follow the logical line.
    if (TakesHeredoc(ins.keyword) && !ins.json_form && ins.args.find("<<") != std::string::npos) {
      FindHeredocs(ins.args, &ins.heredocs);
      for (DfHeredoc& h : ins.heredocs) {
        size_t b = i + 1;
        h.first_line = static_cast<int>(b + 1);
        bool closed = false;
        std::string bodytext;
        for (; b < lines.size(); ++b) {
          std::string_view bl = lines[b];
          std::string_view cmp = bl;
          if (h.strip_tabs)
            while (!cmp.empty() && cmp.front() == '\t') cmp.remove_prefix(1);
          if (cmp == h.word) {
            closed = true;
            break;
          }
          if (!bodytext.empty() || b > i + 1) bodytext += '\n';
          bodytext.append(cmp);
        }
        h.body = std::move(bodytext);
        if (!closed) {
          err(first_line, static_cast<int>(indent + 1),
              "unterminated heredoc: expected a line '" + h.word + "' before the end of file");
          i = lines.size();
          break;
        }
        i = b;  // the delimiter line
      }
      if (i >= lines.size()) i = lines.size() - 1;
    }
    ins.end_line = static_cast<int>(i + 1);

    // Structural errors.
    if (ins.keyword == "FROM") {
      seen_from = true;
      if (LTrim(trimmed).empty())
        err(first_line, static_cast<int>(indent + 1), "FROM requires an image name");
    } else if (!seen_from && ins.keyword != "ARG") {
      err(first_line, static_cast<int>(indent + 1),
          ins.keyword + " before the first FROM (only ARG may precede FROM)");
    }
    if (ins.keyword != "FROM" && ins.keyword != "HEALTHCHECK" && ins.keyword != "RUN" &&
        ins.keyword != "CMD" && ins.keyword != "ENTRYPOINT" && trimmed.empty())
      err(first_line, static_cast<int>(indent + 1),
          ins.keyword + " requires at least one argument");
    df.instructions.push_back(std::move(ins));
  }
  if (!seen_from && df.errors.empty())
    err(lines.empty() ? 1 : static_cast<int>(lines.size()), 1,
        "no FROM instruction: a Dockerfile must start a build stage");
  return df;
}

// ---- checks ------------------------------------------------------------------

namespace {

// Words of shell-form args, split on whitespace outside quotes; quotes kept
// out of the word. Offsets point into the args.
struct Word {
  std::string text;
  size_t offset;
};
std::vector<Word> SplitWords(std::string_view s) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    Word w{"", i};
    char q = 0;
    while (i < s.size() && (q || !std::isspace(static_cast<unsigned char>(s[i])))) {
      char c = s[i];
      if (q) {
        if (c == q)
          q = 0;
        else
          w.text += c;
      } else if (c == '"' || c == '\'') {
        q = c;
      } else {
        w.text += c;
      }
      ++i;
    }
    out.push_back(std::move(w));
  }
  return out;
}

// $VAR, ${VAR}, ${VAR:-default}, ${VAR-default} with the known values.
std::string Expand(std::string_view s, const std::map<std::string, std::string>& vars,
                   bool* unresolved) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    std::string name, def;
    bool has_def = false;
    size_t j = i + 1;
    if (s[j] == '{') {
      size_t close = s.find('}', j);
      if (close == std::string_view::npos) {
        out += s.substr(i);
        *unresolved = true;
        break;
      }
      std::string_view inner = s.substr(j + 1, close - j - 1);
      size_t op = inner.find_first_of(":-");
      if (op != std::string_view::npos) {
        name = std::string(inner.substr(0, op));
        size_t d = inner.find('-', op);
        if (d != std::string_view::npos) {
          def = std::string(inner.substr(d + 1));
          has_def = true;
        }
      } else {
        name = std::string(inner);
      }
      i = close;
    } else {
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      name = std::string(s.substr(i + 1, j - i - 1));
      i = j - 1;
    }
    auto it = vars.find(name);
    if (it != vars.end() && !it->second.empty()) {
      out += it->second;
    } else if (has_def) {
      out += def;
    } else {
      *unresolved = true;
    }
  }
  return out;
}

struct ImageRef {
  std::string name;  // without tag/digest
  std::string tag;
  std::string digest;
};
ImageRef ParseImage(std::string_view ref) {
  ImageRef r;
  size_t at = ref.find('@');
  if (at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  r.name = std::string(ref);
  return r;
}

// "KEY=value KEY2="v w"" or the legacy "KEY value" (ENV) / "NAME[=default]" (ARG).
struct KeyVal {
  std::string key, value;
  bool has_value = false;
  size_t key_offset = 0, value_offset = 0;
};
std::vector<KeyVal> ParseKeyVals(std::string_view args, bool env) {
  std::vector<KeyVal> out;
  std::vector<Word> words = SplitWords(args);
  if (words.empty()) return out;
  bool legacy = env && words[0].text.find('=') == std::string::npos && words.size() > 1;
  if (legacy) {
    KeyVal kv;
    kv.key = words[0].text;
    kv.key_offset = words[0].offset;
    kv.value_offset = words[1].offset;
    std::string_view v = RTrim(args.substr(words[1].offset));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
      v = v.substr(1, v.size() - 2);
    kv.value = std::string(v);
    kv.has_value = true;
    out.push_back(std::move(kv));
    return out;
  }
  for (const Word& w : words) {
    KeyVal kv;
    size_t eq = w.text.find('=');
    kv.key = w.text.substr(0, eq);
    kv.key_offset = w.offset;
    if (eq != std::string::npos) {
      kv.value = w.text.substr(eq + 1);
      kv.has_value = true;
      size_t raw_eq = args.find('=', w.offset);
      kv.value_offset = raw_eq == std::string_view::npos ? w.offset : raw_eq + 1;
    }
    out.push_back(std::move(kv));
  }
  return out;
}

bool IsRootUser(std::string_view user) {
  std::string_view u = user.substr(0, user.find(':'));
  return u == "root" || u == "0";
}

void AddFinding(std::vector<Finding>* out, std::string_view id, const std::string& path, DocPos p,
                std::string msg, std::string_view key, std::string evidence = {}) {
  Finding f = MakeFinding(id, path, static_cast<int>(p.line), static_cast<int>(p.column),
                          std::move(msg), key);
  f.evidence = std::move(evidence);
  out->push_back(std::move(f));
}

}  // namespace

DockerfileFacts CheckDockerfile(const Dockerfile& df, const std::string& path,
                                std::string_view content, const SecretScanner* scanner,
                                std::vector<Finding>* out) {
  DockerfileFacts facts;
  std::map<std::string, std::string> global_args;
  struct Stage {
    std::string name;  // lower-case alias
    std::string user;  // last USER ("" = none)
    DocPos user_pos;
    bool inherits_user = false;
    bool healthcheck = false;
    const DfInstruction* from = nullptr;
    bool external_nonroot_hint = false;
  };
  std::vector<Stage> stages;
  std::vector<int> secret_lines;
  static const RE2 kPipe(
      R"(((?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:/usr)?(?:/bin/)?(?:ba|z|da|k|a)?sh\b))");
  static const RE2 kSubst(
      R"(((?:ba|z|da|k)?sh\s+(?:-c\s+)?["']?(?:\$\(|<\(|`)\s*(?:curl|wget)\b))");

  for (const DfInstruction& ins : df.instructions) {
    const std::string& kw = ins.keyword;
    if (kw == "ARG" && stages.empty()) {
      for (const KeyVal& kv : ParseKeyVals(ins.args, false))
        global_args[kv.key] = kv.has_value ? kv.value : "";
    }
    if (kw == "FROM") {
      std::vector<Word> w = SplitWords(ins.args);
      Stage st;
      st.from = &ins;
      if (w.size() >= 3 && AsciiLower(w[1].text) == "as") st.name = AsciiLower(w[2].text);
      if (!w.empty()) {
        bool unresolved = false;
        std::string image = Expand(w[0].text, global_args, &unresolved);
        std::string lower = AsciiLower(image);
        DocPos p = ins.PosAt(w[0].offset);
        const Stage* parent = nullptr;
        for (const Stage& s : stages)
          if (!s.name.empty() && s.name == lower) parent = &s;
        if (parent) {
          st.user = parent->user;
          st.user_pos = parent->user_pos;
          st.inherits_user = true;
          st.healthcheck = parent->healthcheck;
        } else if (lower != "scratch" && !unresolved && !image.empty()) {
          ImageRef ref = ParseImage(image);
          std::string shown = image == w[0].text ? image : w[0].text + " (= " + image + ")";
          if (ref.digest.empty()) {
            if (ref.tag == "latest")
              AddFinding(out, "docker/image-latest", path, p,
                         "base image " + shown + " uses the latest tag", image);
            else if (ref.tag.empty())
              AddFinding(out, "docker/image-untagged", path, p,
                         "base image " + shown + " has no tag (means latest)", image);
            else
              AddFinding(out, "docker/image-not-pinned", path, p,
                         "base image " + shown + " is not pinned by digest", image);
          }
          st.external_nonroot_hint = ref.tag.find("nonroot") != std::string::npos ||
                                     ref.tag.find("rootless") != std::string::npos;
        }
      }
      stages.push_back(std::move(st));
      continue;
    }
    if (stages.empty()) continue;
    Stage& st = stages.back();
    if (kw == "USER") {
      std::vector<Word> w = SplitWords(ins.args);
      if (!w.empty()) {
        st.user = w[0].text;
        st.user_pos = ins.PosAt(w[0].offset);
        st.inherits_user = false;
      }
    } else if (kw == "HEALTHCHECK") {
      st.healthcheck = true;
    } else if (kw == "ADD") {
      if (!ins.Flag("checksum")) {
        const std::vector<std::string>* srcs = nullptr;
        std::vector<std::string> words;
        std::vector<size_t> offs;
        if (ins.json_form) {
          srcs = &ins.json_args;
        } else {
          for (const Word& w : SplitWords(ins.args)) {
            words.push_back(w.text);
            offs.push_back(w.offset);
          }
          srcs = &words;
        }
        for (size_t k = 0; k + 1 < srcs->size(); ++k) {
          const std::string& s = (*srcs)[k];
          if (s.starts_with("http://") || s.starts_with("https://")) {
            DocPos p = ins.json_form || k >= offs.size() ? ins.args_pos : ins.PosAt(offs[k]);
            AddFinding(out, "docker/add-remote-url", path, p,
                       "ADD downloads " + s + " without --checksum", s);
          }
        }
      }
    } else if (kw == "RUN") {
      auto check_script = [&](std::string_view script, DocPos where) {
        re2::StringPiece m;
        if (RE2::PartialMatch(script, kPipe, &m) || RE2::PartialMatch(script, kSubst, &m)) {
          std::string ev(m.data(), std::min<size_t>(m.size(), 120));
          AddFinding(out, "docker/curl-pipe-shell", path, where,
                     "RUN pipes a downloaded script into a shell: " + ev, ev, ev);
        }
      };
      if (ins.json_form) {
        std::string joined;
        for (const std::string& a : ins.json_args) joined += a + " ";
        check_script(joined, ins.args_pos);
      } else {
        re2::StringPiece m;
        std::string_view a = ins.args;
        if (RE2::PartialMatch(a, kPipe, &m) || RE2::PartialMatch(a, kSubst, &m))
          check_script(a, ins.PosAt(static_cast<size_t>(m.data() - a.data())));
        for (const DfHeredoc& h : ins.heredocs) {
          re2::StringPiece hm;
          std::string_view b = h.body;
          if (RE2::PartialMatch(b, kPipe, &hm) || RE2::PartialMatch(b, kSubst, &hm)) {
            size_t off = static_cast<size_t>(hm.data() - b.data());
            int line =
                h.first_line + static_cast<int>(std::count(b.begin(), b.begin() + off, '\n'));
            size_t ls = b.rfind('\n', off == 0 ? 0 : off - 1);
            size_t col = ls == std::string_view::npos || off == 0 ? off : off - ls - 1;
            check_script(b, DocPos{static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1)});
          }
        }
      }
    }
    if (kw == "ENV" || kw == "ARG") {
      for (int l = ins.pos.line; l <= ins.end_line; ++l) secret_lines.push_back(l);
      for (const KeyVal& kv : ParseKeyVals(ins.args, kw == "ENV")) {
        if (!kv.has_value || !LooksLikeSecretName(kv.key) || !LooksLikeLiteralSecret(kv.value))
          continue;
        DocPos p = ins.PosAt(kv.value_offset);
        Finding f = MakeFinding("docker/secret-in-env", path, static_cast<int>(p.line),
                                static_cast<int>(p.column),
                                kw + " " + kv.key + " holds a literal secret " + Redact(kv.value),
                                kv.key + "\n" + Sha256Hex(kv.value));
        f.confidence = Confidence::kMedium;
        f.evidence = kw + " " + kv.key + "=" + Redact(kv.value);
        out->push_back(std::move(f));
      }
    }
  }
  // ARG before the first FROM can hold secrets too.
  for (const DfInstruction& ins : df.instructions) {
    if (ins.keyword == "FROM") break;
    if (ins.keyword != "ARG") continue;
    for (const KeyVal& kv : ParseKeyVals(ins.args, false)) {
      if (!kv.has_value || !LooksLikeSecretName(kv.key) || !LooksLikeLiteralSecret(kv.value))
        continue;
      DocPos p = ins.PosAt(kv.value_offset);
      Finding f = MakeFinding("docker/secret-in-env", path, static_cast<int>(p.line),
                              static_cast<int>(p.column),
                              "ARG " + kv.key + " holds a literal secret " + Redact(kv.value),
                              kv.key + "\n" + Sha256Hex(kv.value));
      f.confidence = Confidence::kMedium;
      f.evidence = "ARG " + kv.key + "=" + Redact(kv.value);
      out->push_back(std::move(f));
    }
  }
  // The secret engine on ENV/ARG lines (catches values whose names say nothing).
  for (Finding& h : SecretHitsOnLines(scanner, path, content, secret_lines)) {
    bool dup = std::any_of(out->begin(), out->end(), [&](const Finding& f) {
      return f.rule_id == "docker/secret-in-env" && f.location.line == h.location.line;
    });
    if (dup) continue;
    Finding f = MakeFinding("docker/secret-in-env", path, h.location.line, h.location.column,
                            "ENV/ARG holds a credential (" + h.rule_id + "): " + h.message,
                            "engine\n" + h.fingerprint);
    f.confidence = h.confidence;
    f.evidence = h.evidence;
    f.properties["secret_rule"] = h.rule_id;
    out->push_back(std::move(f));
  }

  if (!stages.empty()) {
    const Stage& last = stages.back();
    DocPos from_pos = last.from->pos;
    if (last.user.empty()) {
      if (!last.external_nonroot_hint)
        AddFinding(out, "docker/root-user", path, from_pos,
                   "the final stage has no USER instruction: the container runs as root",
                   "no-user");
    } else if (IsRootUser(last.user)) {
      AddFinding(out, "docker/root-user", path, last.user_pos,
                 "the final stage runs as USER " + last.user, "user\n" + last.user);
    }
    facts.non_root = (!last.user.empty() && !IsRootUser(last.user)) || last.external_nonroot_hint;
    if (!last.healthcheck)
      AddFinding(out, "docker/missing-healthcheck", path, from_pos,
                 "the final stage has no HEALTHCHECK", "no-healthcheck");
  }
  return facts;
}

}  // namespace gatehouse::iac
