// Fuzz gitignore parsing and glob matching. Input layout: the last line is a
// path (its first byte, if any, picks is_dir and the base), everything before
// it is a .gitignore; its first line doubles as a glob.
//
// Besides crashes and timeouts (the matcher must stay polynomial), it checks
// properties that must hold for any input:
//  * Glob(p).Match(t) == GlobMatch(p, t);
//  * a .gitignore gives the same verdict for `path` at the root as the same
//    file placed in directory `base` gives for `base/path`;
//  * the verdict of the whole file (indexed when long) equals that of the
//    last line which, parsed on its own, matches.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/walk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gatehouse::IgnoreFile;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t last_nl = input.rfind('\n');
  std::string_view text = last_nl == std::string_view::npos ? "" : input.substr(0, last_nl);
  std::string_view path = last_nl == std::string_view::npos ? input : input.substr(last_nl + 1);

  bool is_dir = false;
  std::string base;
  if (!path.empty()) {
    const auto flags = static_cast<unsigned char>(path[0]);
    path.remove_prefix(1);
    is_dir = (flags & 1) != 0;
    if (flags & 2) base = "sub";
    if (flags & 4) base = "a/b";
  }

  const IgnoreFile root = IgnoreFile::Parse(text, "");
  const auto verdict = root.Match(path, is_dir);
  if (!base.empty()) {
    const IgnoreFile nested = IgnoreFile::Parse(text, base);
    const std::string nested_path = base + "/" + std::string(path);
    if (!path.empty() && nested.Match(nested_path, is_dir) != verdict) std::abort();
    // A path outside the base is never matched by a nested file.
    if (nested.Match(path, is_dir) != IgnoreFile::Verdict::kNone &&
        path.substr(0, base.size() + 1) != base + "/")
      std::abort();
  }

  // Line by line. A byte order mark is only skipped at the start of a file,
  // so a later line starting with one would parse differently on its own.
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size() && lines.size() <= 64;) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  const bool later_bom = std::any_of(lines.begin() + 1, lines.end(), [](std::string_view l) {
    return l.substr(0, 3) == "\xEF\xBB\xBF";
  });
  if (!text.empty() && lines.size() <= 64 && !later_bom) {
    IgnoreFile::Verdict expected = IgnoreFile::Verdict::kNone;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
      expected = IgnoreFile::Parse(*it, "").Match(path, is_dir);
      if (expected != IgnoreFile::Verdict::kNone) break;
    }
    if (expected != verdict) std::abort();
  }

  const std::string_view glob = text.substr(0, text.find('\n'));
  const bool m = gatehouse::GlobMatch(glob, path);
  if (gatehouse::Glob(glob).Match(path) != m) std::abort();
  return 0;
}
