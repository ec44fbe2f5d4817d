// Test-time sample generator for the secret rules.
//
// Credential-shaped strings must never be committed (the repository has to
// scan clean with its own rules, and push protection would block it), so the
// rules' test_positive / test_negative entries are templates that are
// expanded with random characters when the tests run. docs/rules.md
// documents the syntax:
//
//   {CLASS:N}   N random characters of CLASS: hex, HEX, alnum, lower, upper,
//               digit, lowernum, uppernum, base64, b64url, b32, word, or a
//               literal bracket class such as [A-Za-z0-9_~.] (ranges and
//               single characters; no negation, no escapes)
//   {ghcrc}     the 6-character GitHub/npm checksum (CRC32 IEEE, base62
//               0-9A-Za-z, most significant digit first, left-padded with
//               '0') of the characters produced by the preceding {CLASS:N}
//   {pem:TYPE}  a complete PEM block: "-----BEGIN TYPE-----", a few lines of
//               random base64 and "-----END TYPE-----"
//   {jwt}       a well-formed random JWT (HS256 header, JSON payload,
//               random signature), base64url segments joined by '.'
//   {{ and }}   literal braces (a lone '}' is also taken literally)
//
// Anything else in braces is a template error: ExpandSample throws
// std::invalid_argument, which makes the test that called it fail loudly.
// Header-only; needs gatehouse::Crc32 (gatehouse_lib).
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "gatehouse/base.h"

namespace gatehouse::testing {

namespace samples_internal {

inline std::string ClassChars(std::string_view name) {
  static constexpr std::string_view kDigits = "0123456789";
  static constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
  static constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto cat = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) out += p;
    return out;
  };
  if (name == "hex") return cat({kDigits, "abcdef"});
  if (name == "HEX") return cat({kDigits, "ABCDEF"});
  if (name == "alnum") return cat({kLower, kUpper, kDigits});
  if (name == "lower") return std::string(kLower);
  if (name == "upper") return std::string(kUpper);
  if (name == "digit") return std::string(kDigits);
  if (name == "lowernum") return cat({kLower, kDigits});
  if (name == "uppernum") return cat({kUpper, kDigits});
  if (name == "base64") return cat({kUpper, kLower, kDigits, "+/"});
  if (name == "b64url") return cat({kUpper, kLower, kDigits, "_-"});
  if (name == "b32") return cat({kUpper, "234567"});
  if (name == "word") return cat({kLower, kUpper, kDigits, "_"});
  if (name.size() >= 3 && name.front() == '[' && name.back() == ']') {
    std::string out;
    std::string_view body = name.substr(1, name.size() - 2);
    for (size_t i = 0; i < body.size(); ++i) {
      if (i + 2 < body.size() && body[i + 1] == '-') {
        for (int c = static_cast<unsigned char>(body[i]);
             c <= static_cast<unsigned char>(body[i + 2]); ++c) {
          out.push_back(static_cast<char>(c));
        }
        i += 2;
      } else {
        out.push_back(body[i]);
      }
    }
    if (!out.empty()) return out;
  }
  throw std::invalid_argument("sample template: unknown character class '" + std::string(name) +
                              "'");
}

inline std::string RandomFrom(std::string_view chars, size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, chars.size() - 1);
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(chars[pick(rng)]);
  return out;
}

// Base62 (0-9A-Za-z), most significant digit first, left-padded to 6.
inline std::string Base62Checksum(std::string_view payload) {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uint64_t v = Crc32(payload);
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), kAlphabet[v % 62]);
    v /= 62;
  }
  while (out.size() < 6) out.insert(out.begin(), '0');
  return out;
}

inline std::string Base64Url(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

inline std::string RandomJwt(std::mt19937_64& rng) {
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  const std::string payload = R"({"sub":")" + RandomFrom("0123456789", 10, rng) + R"(","name":")" +
                              RandomFrom("abcdefghijklmnopqrstuvwxyz", 8, rng) + R"(","iat":)" +
                              "17" + RandomFrom("0123456789", 8, rng) + "}";
  return Base64Url(header) + "." + Base64Url(payload) + "." +
         RandomFrom(ClassChars("b64url"), 43, rng);
}

inline std::string RandomPem(std::string_view type, std::mt19937_64& rng) {
  const std::string b64 = ClassChars("base64");
  std::string out = "-----BEGIN " + std::string(type) + "-----\n";
  for (int line = 0; line < 5; ++line) out += RandomFrom(b64, 64, rng) + "\n";
  out += RandomFrom(b64, 22, rng) + "==\n";
  out += "-----END " + std::string(type) + "-----";
  return out;
}

}  // namespace samples_internal

// Expands one test template (see the file comment). Deterministic for a given
// rng state. Throws std::invalid_argument on a malformed template.
inline std::string ExpandSample(std::string_view tmpl, std::mt19937_64& rng) {
  using namespace samples_internal;
  std::string out;
  std::string last_run;  // characters produced by the last {CLASS:N}
  bool have_run = false;
  size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c == '}') {
      out.push_back('}');
      i += (i + 1 < tmpl.size() && tmpl[i + 1] == '}') ? 2 : 1;
      continue;
    }
    if (c != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      out.push_back('{');
      i += 2;
      continue;
    }
    // A directive. A bracket class may itself contain ':' or '}', so find
    // its closing ']' first.
    size_t search_from = i + 1;
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '[') {
      size_t close = tmpl.find(']', i + 3);
      if (close == std::string_view::npos) {
        throw std::invalid_argument("sample template: unterminated class in: " + std::string(tmpl));
      }
      search_from = close;
    }
    size_t end = tmpl.find('}', search_from);
    if (end == std::string_view::npos) {
      throw std::invalid_argument("sample template: unterminated '{' in: " + std::string(tmpl));
    }
    std::string_view body = tmpl.substr(i + 1, end - i - 1);
    i = end + 1;
    if (body == "ghcrc") {
      if (!have_run) {
        throw std::invalid_argument("sample template: {ghcrc} without a preceding run in: " +
                                    std::string(tmpl));
      }
      out += Base62Checksum(last_run);
      continue;
    }
    if (body == "jwt") {
      out += RandomJwt(rng);
      continue;
    }
    if (body.substr(0, 4) == "pem:") {
      out += RandomPem(body.substr(4), rng);
      continue;
    }
    size_t colon = body.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == body.size()) {
      throw std::invalid_argument("sample template: bad directive {" + std::string(body) + "}");
    }
    size_t n = 0;
    for (char d : body.substr(colon + 1)) {
      if (d < '0' || d > '9') {
        throw std::invalid_argument("sample template: bad count in {" + std::string(body) + "}");
      }
      n = n * 10 + static_cast<size_t>(d - '0');
    }
    last_run = RandomFrom(ClassChars(body.substr(0, colon)), n, rng);
    have_run = true;
    out += last_run;
  }
  return out;
}

// A repo-relative path at which a rule limited by `path` applies, for the
// rules in src/secrets/default_rules.toml that have one; "sample.txt" for
// every other rule. rules_test.cc checks that each path-limited rule is
// listed here and that the path matches the rule's `path` regex.
inline std::string_view SamplePathForRule(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> kPaths[] = {
      {"github-app-private-key", "keys/my-app.2024-05-01.private-key.pem"},
      {"git-credentials-entry", "home/.git-credentials"},
      {"pgpass-entry", "home/.pgpass"},
      {"rails-master-key", "config/master.key"},
      {"dbeaver-credentials-config", ".dbeaver/credentials-config.json"},
      {"dbeaver-data-sources-password", ".dbeaver/data-sources.json"},
      {"vscode-sftp-password", ".vscode/sftp.json"},
      {"sublime-sftp-password", "sftp-config.json"},
      {"winscp-password", "WinSCP.ini"},
      {"generic-credential-config-unquoted", "deploy/.env.production"},
      {"generic-credential-yaml", "deploy/values.yaml"},
      {"generic-credential-dockerfile", "Dockerfile"},
  };
  for (const auto& [rule, path] : kPaths)
    if (rule == id) return path;
  return "sample.txt";
}

}  // namespace gatehouse::testing
