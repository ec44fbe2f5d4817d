// Internal to src/iac: a Dockerfile parser (BuildKit dialect) and the
// docker/... checks. See dockerfile.cc for the grammar notes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/document.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {
class SecretScanner;
}

namespace gatehouse::iac {

struct DfFlag {
  std::string name;   // without "--": "from", "platform", "mount", ...
  std::string value;  // "" for a bare flag like --link
  DocPos pos;
};

struct DfHeredoc {
  std::string word;         // delimiter without quotes
  bool strip_tabs = false;  // <<-
  bool quoted = false;      // <<"EOF" / <<'EOF': no expansion
  std::string body;         // lines between the marker and the delimiter, '\n'-joined
  int first_line = 0;       // line of the first body line
};

struct DfInstruction {
  std::string keyword;  // upper-case: FROM, RUN, ...
  std::string original_keyword;
  DocPos pos;        // of the keyword
  int end_line = 0;  // last line (continuations and heredocs included)
  std::vector<DfFlag> flags;
  // Arguments after the flags: continuation lines joined (the escape and the
  // newline removed), comment lines inside continuations dropped.
  std::string args;
  DocPos args_pos;         // where `args` starts
  bool json_form = false;  // exec form: ["a", "b"]
  std::vector<std::string> json_args;
  std::vector<DfHeredoc> heredocs;
  // Source position of byte `offset` of args.
  DocPos PosAt(size_t offset) const;
  const DfFlag* Flag(std::string_view name) const;

  struct Segment {
    size_t offset;  // in the joined line (flags included); args start at args_base
    DocPos pos;
  };
  std::vector<Segment> segments;
  size_t args_base = 0;
};

struct Dockerfile {
  std::string syntax;  // # syntax= directive, "" if absent
  char escape = '\\';  // # escape= directive
  std::vector<DfInstruction> instructions;
  std::vector<Error> errors;  // every error found; parsing goes on after most
};

// Never fails as a whole: errors (unknown instruction, bad directive,
// unterminated heredoc or JSON, missing FROM) are collected in `errors`
// with line:column and the instructions that parsed are kept.
Dockerfile ParseDockerfile(std::string_view text, const std::string& path = {});

// Dockerfile, *.Dockerfile, *.dockerfile, Dockerfile.*, Containerfile(.*).
bool IsDockerfilePath(std::string_view path);

struct DockerfileFacts {
  bool non_root = false;  // final stage ends with a non-root USER
};

// Runs the docker/... rules over a parsed file; appends findings.
DockerfileFacts CheckDockerfile(const Dockerfile& df, const std::string& path,
                                std::string_view content, const SecretScanner* scanner,
                                std::vector<Finding>* out);

}  // namespace gatehouse::iac
