// Small shared utilities: hashing, hex, parallel loops, size parsing, clock.
//
// ParallelFor runs fn(i) for i in [0, n) on `threads` worker threads (the
// caller's thread included) pulling indices from one atomic counter: a fixed
// pool per call, no thread soup. fn must be safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse {

std::string Sha256Hex(std::string_view data);
std::string HexEncode(std::string_view bytes);
uint32_t Crc32(std::string_view data);  // IEEE 802.3 (zlib) polynomial

// Default worker count: hardware threads, at least 1.
unsigned DefaultThreads();
void ParallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn);

// "10MB", "512k", "1GiB", "1048576" -> bytes. Units are powers of 1024.
std::optional<uint64_t> ParseSize(std::string_view text);

// Seconds since an arbitrary epoch, monotonic.
double MonotonicSeconds();

// Shannon entropy in bits per byte of the given bytes.
double ShannonEntropy(std::string_view s);

// Lowercase ASCII copy.
std::string AsciiLower(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (assumed valid, <= 0x10FFFF).
void AppendUtf8(std::string& out, uint32_t cp);

// Appends `s` as a JSON string literal (quotes included): quote, backslash
// and control characters escaped, other bytes copied. With escape_html, the
// characters <, > and & are written as \u003c, \u003e and \u0026, as Go's
// encoding/json (and so OPA) writes them.
void AppendJsonString(std::string& out, std::string_view s, bool escape_html = false);

}  // namespace gatehouse
