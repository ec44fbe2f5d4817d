// Rego builtins: net.cidr_* (IPv4 and IPv6).
//
// Addresses are 16-byte big-endian arrays (IPv4 in the first 4 bytes, with
// v6 = false), so containment and overlap are prefix comparisons on bytes.
// Parsing follows Go's net.ParseIP/ParseCIDR: dotted quads without leading
// zeros, IPv6 with one "::" and an optional embedded IPv4 tail. IPv4-mapped
// IPv6 addresses stay IPv6 (Go compares them by family after To4(), which
// we approximate by family).
//
// net.cidr_merge implements the classic aggregation: sort networks, drop
// those covered by an earlier one, then repeatedly join sibling pairs
// (same prefix length, differing only in the last prefix bit) into their
// parent until nothing changes — the same result as OPA's mergeCIDRs.
// net.cidr_expand lists every host address; it is bounded (2^16 addresses)
// and checks for cancellation.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

bool ParseV4(std::string_view s, uint8_t out[4]) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    size_t start = i;
    unsigned v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (v > 255) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

bool ParseV6(std::string_view s, uint8_t out[16]) {
  std::fill(out, out + 16, 0);
  int ellipsis = -1;
  int n = 0;  // bytes written
  size_t i = 0;
  if (s.starts_with("::")) {
    ellipsis = 0;
    i = 2;
    if (i == s.size()) return true;
  }
  while (i < s.size()) {
    size_t start = i;
    unsigned v = 0;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) && i - start < 4) {
      char c = s[i];
      v = v * 16 +
          static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c))
                                    ? c - '0'
                                    : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
      ++i;
    }
    if (i == start) return false;
    if (i < s.size() && s[i] == '.') {
      // Embedded IPv4 tail.
      if (n > 12) return false;
      if (!ParseV4(s.substr(start), out + n)) return false;
      n += 4;
      i = s.size();
      break;
    }
    if (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    if (n >= 16) return false;
    out[n] = static_cast<uint8_t>(v >> 8);
    out[n + 1] = static_cast<uint8_t>(v & 0xFF);
    n += 2;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;
    }
  }
  if (n < 16) {
    if (ellipsis < 0) return false;
    int shift = 16 - n;
    for (int k = n - 1; k >= ellipsis; --k) out[k + shift] = out[k];
    for (int k = ellipsis; k < ellipsis + shift; ++k) out[k] = 0;
  } else if (ellipsis >= 0) {
    return false;
  }
  return true;
}

void Mask(IpNet* n) {
  int bytes = n->v6 ? 16 : 4;
  for (int b = 0; b < bytes; ++b) {
    int keep = std::clamp(n->prefix - b * 8, 0, 8);
    n->addr[b] &= static_cast<uint8_t>(keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF);
  }
}

bool PrefixContains(const IpNet& net, const IpNet& other) {
  if (net.v6 != other.v6 || other.prefix < net.prefix) return false;
  int full = net.prefix / 8, rem = net.prefix % 8;
  for (int b = 0; b < full; ++b) {
    if (net.addr[b] != other.addr[b]) return false;
  }
  if (rem) {
    uint8_t m = static_cast<uint8_t>(0xFF << (8 - rem));
    if ((net.addr[full] & m) != (other.addr[full] & m)) return false;
  }
  return true;
}

}  // namespace

std::optional<IpNet> ParseIp(std::string_view s) {
  IpNet n;
  if (s.find(':') == std::string_view::npos) {
    if (!ParseV4(s, n.addr)) return std::nullopt;
    n.prefix = 32;
    return n;
  }
  if (!ParseV6(s, n.addr)) return std::nullopt;
  n.v6 = true;
  n.prefix = 128;
  return n;
}

std::optional<IpNet> ParseCidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<IpNet> n = ParseIp(s.substr(0, slash));
  if (!n) return std::nullopt;
  std::string_view p = s.substr(slash + 1);
  if (p.empty() || p.size() > 3) return std::nullopt;
  int prefix = 0;
  for (char c : p) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (p.size() > 1 && p[0] == '0') return std::nullopt;
  if (prefix > (n->v6 ? 128 : 32)) return std::nullopt;
  n->prefix = prefix;
  return n;
}

std::string FormatIp(const IpNet& n) {
  char buf[64];
  if (!n.v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", n.addr[0], n.addr[1], n.addr[2], n.addr[3]);
    return buf;
  }
  // RFC 5952: longest run (≥2) of zero groups becomes "::", lowercase hex.
  uint16_t g[8];
  for (int i = 0; i < 8; ++i)
    g[i] = static_cast<uint16_t>((n.addr[2 * i] << 8) | n.addr[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    out += buf;
  }
  return out;
}

std::string FormatCidr(const IpNet& n) {
  IpNet m = n;
  Mask(&m);
  return FormatIp(m) + "/" + std::to_string(m.prefix);
}

namespace {

using Args = std::span<const Value>;

// A CIDR or a bare IP (as a /32 or /128).
std::optional<IpNet> NetOrIp(std::string_view s) {
  if (s.find('/') != std::string_view::npos) return ParseCidr(s);
  return ParseIp(s);
}

BuiltinResult CidrContains(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  std::optional<IpNet> net = ParseCidr(args[0].AsString());
  if (!net) return BuiltinResult::Error("invalid CIDR address: " + std::string(args[0].AsString()));
  std::optional<IpNet> other = NetOrIp(args[1].AsString());
  if (!other) {
    return BuiltinResult::Error("invalid CIDR address or IP: " + std::string(args[1].AsString()));
  }
  return Value::Bool(PrefixContains(*net, *other));
}

BuiltinResult CidrIntersects(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  std::optional<IpNet> a = ParseCidr(args[0].AsString());
  if (!a) return BuiltinResult::Error("invalid CIDR address: " + std::string(args[0].AsString()));
  std::optional<IpNet> b = ParseCidr(args[1].AsString());
  if (!b) return BuiltinResult::Error("invalid CIDR address: " + std::string(args[1].AsString()));
  return Value::Bool(PrefixContains(*a, *b) || PrefixContains(*b, *a));
}

BuiltinResult CidrIsValid(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return Value::Bool(false);
  return Value::Bool(ParseCidr(args[0].AsString()).has_value());
}

BuiltinResult CidrExpand(Args args, BuiltinContext& ctx) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  std::optional<IpNet> n = ParseCidr(args[0].AsString());
  if (!n) return BuiltinResult::Error("invalid CIDR address: " + std::string(args[0].AsString()));
  int host_bits = (n->v6 ? 128 : 32) - n->prefix;
  if (host_bits > 16) {
    return BuiltinResult::Error("CIDR " + std::string(args[0].AsString()) +
                                " is too large to expand (more than 65536 addresses)");
  }
  Mask(&*n);
  std::vector<Value> out;
  IpNet cur = *n;
  cur.prefix = n->v6 ? 128 : 32;
  int last = n->v6 ? 15 : 3;
  for (uint64_t i = 0; i < (uint64_t{1} << host_bits); ++i) {
    if ((i & 1023) == 0 && ctx.Cancelled()) return BuiltinResult::Error("cancelled");
    out.push_back(Value::String(FormatIp(cur)));
    for (int b = last; b >= 0; --b) {
      if (++cur.addr[b] != 0) break;
    }
  }
  return Value::Set(std::move(out));
}

BuiltinResult CidrMerge(Args args, BuiltinContext&) {
  if (!args[0].IsArray() && !args[0].IsSet()) {
    return BuiltinResult::OperandError(1, "one of {array, set}", args[0]);
  }
  std::vector<IpNet> nets;
  for (const Value& v : args[0].Items()) {
    if (!v.IsString()) {
      return BuiltinResult::TypeError("operand 1 must be array or set of strings but got " +
                                      std::string(args[0].type_name()) + " containing " +
                                      std::string(v.type_name()));
    }
    std::optional<IpNet> n = NetOrIp(v.AsString());
    if (!n) {
      return BuiltinResult::Error("invalid CIDR address or IP: " + std::string(v.AsString()));
    }
    Mask(&*n);
    nets.push_back(*n);
  }
  auto less = [](const IpNet& a, const IpNet& b) {
    if (a.v6 != b.v6) return !a.v6;
    int c = std::memcmp(a.addr, b.addr, 16);
    if (c != 0) return c < 0;
    return a.prefix < b.prefix;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    std::sort(nets.begin(), nets.end(), less);
    std::vector<IpNet> out;
    for (const IpNet& n : nets) {
      if (!out.empty() && PrefixContains(out.back(), n)) {
        changed |= true;
        continue;
      }
      if (!out.empty() && out.back().v6 == n.v6 && out.back().prefix == n.prefix && n.prefix > 0) {
        IpNet parent = out.back();
        parent.prefix = n.prefix - 1;
        Mask(&parent);
        IpNet np = n;
        np.prefix = n.prefix - 1;
        Mask(&np);
        if (std::memcmp(parent.addr, np.addr, 16) == 0) {
          out.back() = parent;
          changed = true;
          continue;
        }
      }
      out.push_back(n);
    }
    if (out.size() == nets.size() && !changed) break;
    nets = std::move(out);
  }
  std::vector<Value> out;
  for (const IpNet& n : nets) out.push_back(Value::String(FormatCidr(n)));
  return Value::Set(std::move(out));
}

BuiltinResult CidrContainsMatches(Args args, BuiltinContext&) {
  // cidrs and addrs: string, array, set, or object (keys index results).
  struct Item {
    Value key;
    std::string text;
  };
  auto items = [](const Value& v, int operand, std::vector<Item>* out, BuiltinResult* err) {
    if (v.IsString()) {
      out->push_back({v, std::string(v.AsString())});
      return true;
    }
    auto take = [&](const Value& key, const Value& x) {
      const Value* s = &x;
      if (x.IsArray() && x.size() > 0) s = &x.At(0);
      if (!s->IsString()) {
        *err = BuiltinResult::TypeError("operand " + std::to_string(operand) +
                                        " must contain strings");
        return false;
      }
      out->push_back({key, std::string(s->AsString())});
      return true;
    };
    if (v.IsArray()) {
      int64_t i = 0;
      for (const Value& x : v.Items()) {
        if (!take(Value::Int(i++), x)) return false;
      }
      return true;
    }
    if (v.IsSet()) {
      for (const Value& x : v.Items()) {
        if (!take(x, x)) return false;
      }
      return true;
    }
    if (v.IsObject()) {
      for (const auto& [k, x] : v.ObjectItems()) {
        if (!take(k, x)) return false;
      }
      return true;
    }
    *err = BuiltinResult::OperandError(operand, "one of {string, array, set, object}", v);
    return false;
  };
  std::vector<Item> cidrs, addrs;
  BuiltinResult err = Value();
  if (!items(args[0], 1, &cidrs, &err)) return err;
  if (!items(args[1], 2, &addrs, &err)) return err;
  std::vector<Value> out;
  for (const Item& c : cidrs) {
    std::optional<IpNet> net = ParseCidr(c.text);
    if (!net) return BuiltinResult::Error("invalid CIDR address: " + c.text);
    for (const Item& a : addrs) {
      std::optional<IpNet> other = NetOrIp(a.text);
      if (!other) return BuiltinResult::Error("invalid CIDR address or IP: " + a.text);
      if (PrefixContains(*net, *other)) out.push_back(Value::Array({c.key, a.key}));
    }
  }
  return Value::Set(std::move(out));
}

}  // namespace

void RegisterBuiltins_Net(BuiltinRegistry& r) {
  r.Add("net.cidr_contains", 2, CidrContains);
  r.Add("net.cidr_intersects", 2, CidrIntersects);
  r.Add("net.cidr_is_valid", 1, CidrIsValid);
  r.Add("net.cidr_expand", 1, CidrExpand);
  r.Add("net.cidr_merge", 1, CidrMerge);
  r.Add("net.cidr_contains_matches", 2, CidrContainsMatches);
}

}  // namespace gatehouse::rego
