// Shared helpers of the builtin groups (see builtin_util.h).
#include "rego/builtin_util.h"

namespace gatehouse::rego {

bool StringItems(const Value& v, std::vector<std::string_view>* out) {
  out->clear();
  for (const Value& item : v.Items()) {
    if (!item.IsString()) return false;
    out->push_back(item.AsString());
  }
  return true;
}

uint32_t DecodeRune(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (c < 0x80) return c;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0xFFFD;
  uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong encodings and surrogates are invalid in Go too.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0xFFFD;
  }
  *len = n;
  return cp;
}

std::vector<size_t> RuneOffsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  size_t i = 0;
  while (i < s.size()) {
    out.push_back(i);
    size_t len;
    DecodeRune(s, i, &len);
    i += len;
  }
  out.push_back(s.size());
  return out;
}

}  // namespace gatehouse::rego
