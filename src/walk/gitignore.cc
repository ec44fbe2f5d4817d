// gitignore pattern parsing and matching. (Being written.)
#include "gatehouse/walk.h"

namespace gatehouse {

struct IgnoreFile::Pattern {
  std::string text;
};

IgnoreFile::IgnoreFile() = default;
IgnoreFile::~IgnoreFile() = default;
IgnoreFile::IgnoreFile(IgnoreFile&&) noexcept = default;
IgnoreFile& IgnoreFile::operator=(IgnoreFile&&) noexcept = default;

IgnoreFile IgnoreFile::Parse(std::string_view, std::string base) {
  IgnoreFile f;
  f.base_ = std::move(base);
  return f;
}

IgnoreFile::Verdict IgnoreFile::Match(std::string_view, bool) const { return Verdict::kNone; }

bool GlobMatch(std::string_view pattern, std::string_view path) { return pattern == path; }

}  // namespace gatehouse
