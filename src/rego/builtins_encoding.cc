// Rego builtins: json.*, yaml.*, base64*, hex.*, urlquery.* (encoding group).
//
// JSON output is OPA's (Value::ToJson: sorted object keys, sets as arrays,
// HTML-safe escapes like Go's encoding/json). marshal_with_options follows
// json.MarshalIndent: every element on its own line starting with `prefix`
// and one `indent` per level ("\t" by default when pretty).
// yaml.marshal emits block-style YAML the way go-yaml v2 (behind OPA's
// ghodss/yaml) does: sorted keys, sequence items at their key's indentation,
// strings quoted only when they would otherwise read as another type.
// base64 follows RFC 4648 (std and URL alphabets); decoding is strict about
// the alphabet and padding, as Go's decoders are. urlquery uses Go's
// url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX.
#include <cmath>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

#define REQUIRE_STRING(idx) \
  if (!args[idx].IsString()) return WantString((idx) + 1, args[idx]);

const char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Base64Encode(std::string_view in, bool url, bool pad) {
  const char* a = url ? kUrl : kStd;
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Strict decoding; padding optional only when `url` (OPA's base64url.decode
// accepts both forms). Newlines (\r, \n) are ignored as in Go.
std::optional<std::string> Base64Decode(std::string_view in, bool url) {
  const char* a = url ? kUrl : kStd;
  int8_t map[256];
  std::fill(std::begin(map), std::end(map), static_cast<int8_t>(-1));
  for (int k = 0; k < 64; ++k) map[static_cast<uint8_t>(a[k])] = static_cast<int8_t>(k);
  std::string clean;
  for (char c : in) {
    if (c != '\r' && c != '\n') clean += c;
  }
  size_t padding = 0;
  while (!clean.empty() && clean.back() == '=') {
    clean.pop_back();
    ++padding;
  }
  if (padding > 2) return std::nullopt;
  size_t total = clean.size() + padding;
  if (padding > 0 && total % 4 != 0) return std::nullopt;
  if (padding == 0 && !url && clean.size() % 4 != 0) return std::nullopt;
  if (clean.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : clean) {
    int8_t v = map[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::string UrlQueryEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<std::string> UrlQueryUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      auto hexv = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (i + 2 >= s.size() || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0) {
        std::string bad(s.substr(i, std::min<size_t>(3, s.size() - i)));
        return MakeError(ErrorCode::kInvalidArgument, "invalid URL escape \"" + bad + "\"");
      }
      out += static_cast<char>(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// ---- JSON -----------------------------------------------------------------

BuiltinResult JsonMarshal(Args args, BuiltinContext&) { return Value::String(args[0].ToJson()); }

BuiltinResult JsonMarshalWithOptions(Args args, BuiltinContext&) {
  if (!args[1].IsObject()) return BuiltinResult::OperandError(2, "object", args[1]);
  bool pretty = false, have_indent = false, have_prefix = false;
  std::string indent = "\t", prefix;
  for (const auto& [k, v] : args[1].ObjectItems()) {
    std::string_view key = k.AsString();
    if (!k.IsString()) return BuiltinResult::TypeError("operand 2 object keys must be strings");
    if (key == "pretty") {
      if (!v.IsBool()) return BuiltinResult::TypeError("operand 2 pretty must be a boolean");
      pretty = v.AsBool();
    } else if (key == "indent") {
      if (!v.IsString()) return BuiltinResult::TypeError("operand 2 indent must be a string");
      indent = std::string(v.AsString());
      have_indent = true;
    } else if (key == "prefix") {
      if (!v.IsString()) return BuiltinResult::TypeError("operand 2 prefix must be a string");
      prefix = std::string(v.AsString());
      have_prefix = true;
    } else {
      return BuiltinResult::TypeError("operand 2 object contained unexpected key " +
                                      std::string(key));
    }
  }
  bool explicit_off = false;
  if (const Value* p = args[1].Find("pretty"); p && !p->AsBool()) explicit_off = true;
  if (explicit_off || (!pretty && !have_indent && !have_prefix)) {
    return Value::String(args[0].ToJson());
  }
  return Value::String(IndentJson(args[0].ToJson(), prefix, indent));
}

BuiltinResult JsonUnmarshal(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  Result<Value> v = ParseJson(args[0].AsString());
  if (!v.ok()) return BuiltinResult::Error(v.error().message);
  return v.value();
}

BuiltinResult JsonIsValid(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return Value::Bool(false);
  return Value::Bool(ParseJson(args[0].AsString()).ok());
}

// ---- YAML -----------------------------------------------------------------

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  static const char* kReserved[] = {"true", "false", "yes",  "no",   "on",    "off",  "y",
                                    "n",    "null",  "~",    "True", "False", "TRUE", "FALSE",
                                    "Yes",  "No",    "YES",  "NO",   "On",    "Off",  "ON",
                                    "OFF",  "Null",  "NULL", "Y",    "N"};
  for (const char* r : kReserved) {
    if (s == r) return true;
  }
  // Numbers (ints, floats, hex, octal, .inf/.nan) must stay strings.
  Result<Value> num = ParseJson(s);
  if (num.ok()) return true;
  if (s == ".inf" || s == "-.inf" || s == "+.inf" || s == ".nan" || s == ".Inf" || s == ".NaN") {
    return true;
  }
  bool digits = !s.empty();
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' &&
        c != 'e' && c != 'E' && c != '_' && c != 'x' && c != 'o') {
      digits = false;
    }
  }
  if (digits && std::isdigit(static_cast<unsigned char>(s.back()))) return true;
  char f = s.front();
  if (std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(f) != std::string_view::npos) {
    if (!(f == '-' && s.size() > 1 && s[1] != ' ')) return true;
  }
  if (s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return true;
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string YamlScalar(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return v.AsBool() ? "true" : "false";
    case Kind::kNumber:
      return v.ToJson();
    case Kind::kString: {
      std::string_view s = v.AsString();
      if (!NeedsQuotes(s)) return std::string(s);
      return v.ToJson();  // a JSON string is a valid double-quoted YAML scalar
    }
    default:
      return {};
  }
}

void YamlEmit(const Value& v, int indent, std::string& out);

void YamlEmitBlock(const Value& v, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.IsObject()) {
    for (const auto& [k, item] : v.ObjectItems()) {
      out += pad + (k.IsString() ? YamlScalar(k) : YamlScalar(Value::String(k.ToJson()))) + ":";
      if ((item.IsObject() || item.IsArray() || item.IsSet()) && item.size() > 0) {
        out += "\n";
        YamlEmitBlock(item, item.IsObject() ? indent + 2 : indent, out);
      } else {
        out += " ";
        YamlEmit(item, indent, out);
        out += "\n";
      }
    }
    return;
  }
  for (const Value& item : v.Items()) {
    out += pad + "-";
    if ((item.IsObject() || item.IsArray() || item.IsSet()) && item.size() > 0) {
      std::string inner;
      YamlEmitBlock(item, indent + 2, inner);
      // First line continues after "- ".
      out += " " + inner.substr(static_cast<size_t>(indent) + 2);
    } else {
      out += " ";
      YamlEmit(item, indent, out);
      out += "\n";
    }
  }
}

void YamlEmit(const Value& v, int indent, std::string& out) {
  if (v.IsObject()) {
    if (v.size() == 0) {
      out += "{}";
      return;
    }
  } else if (v.IsArray() || v.IsSet()) {
    if (v.size() == 0) {
      out += "[]";
      return;
    }
  } else {
    out += YamlScalar(v);
    return;
  }
  YamlEmitBlock(v, indent, out);
}

BuiltinResult YamlMarshal(Args args, BuiltinContext&) {
  const Value& v = args[0];
  std::string out;
  if ((v.IsObject() || v.IsArray() || v.IsSet()) && v.size() > 0) {
    YamlEmitBlock(v, 0, out);
  } else {
    YamlEmit(v, 0, out);
    out += "\n";
  }
  return Value::String(std::move(out));
}

BuiltinResult YamlUnmarshal(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  Result<Value> v = ParseYaml(args[0].AsString());
  if (!v.ok()) return BuiltinResult::Error(v.error().message);
  return v.value();
}

BuiltinResult YamlIsValid(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return Value::Bool(false);
  return Value::Bool(ParseYaml(args[0].AsString()).ok());
}

// ---- base64 / hex -----------------------------------------------------------

BuiltinResult B64Encode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(Base64Encode(args[0].AsString(), false, true));
}

BuiltinResult B64Decode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::optional<std::string> d = Base64Decode(args[0].AsString(), false);
  if (!d) return BuiltinResult::Error("illegal base64 data");
  return Value::String(std::move(*d));
}

BuiltinResult B64IsValid(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::Bool(Base64Decode(args[0].AsString(), false).has_value());
}

BuiltinResult B64UrlEncode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(Base64Encode(args[0].AsString(), true, true));
}

BuiltinResult B64UrlEncodeNoPad(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(Base64Encode(args[0].AsString(), true, false));
}

BuiltinResult B64UrlDecode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::optional<std::string> d = Base64Decode(args[0].AsString(), true);
  if (!d) return BuiltinResult::Error("illegal base64 data");
  return Value::String(std::move(*d));
}

BuiltinResult HexEncodeB(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : args[0].AsString()) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return Value::String(std::move(out));
}

BuiltinResult HexDecodeB(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::string_view s = args[0].AsString();
  auto val = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    if (val(s[i]) < 0) {
      return BuiltinResult::Error(
          std::string("encoding/hex: invalid byte: ") +
          GoSprintf("%#U", std::vector<Value>{Value::Int(static_cast<unsigned char>(s[i]))}));
    }
    if (i + 1 >= s.size()) return BuiltinResult::Error("encoding/hex: odd length hex string");
    if (val(s[i + 1]) < 0) {
      return BuiltinResult::Error(
          std::string("encoding/hex: invalid byte: ") +
          GoSprintf("%#U", std::vector<Value>{Value::Int(static_cast<unsigned char>(s[i + 1]))}));
    }
    out += static_cast<char>(val(s[i]) * 16 + val(s[i + 1]));
  }
  return Value::String(std::move(out));
}

// ---- urlquery -----------------------------------------------------------------

BuiltinResult UrlEncode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(UrlQueryEscape(args[0].AsString()));
}

BuiltinResult UrlDecode(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  Result<std::string> r = UrlQueryUnescape(args[0].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::String(std::move(r.value()));
}

BuiltinResult UrlEncodeObject(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  std::string out;
  for (const ObjectItem& item : args[0].ObjectItems()) {
    const Value& k = item.first;
    const Value& v = item.second;
    if (!k.IsString())
      return BuiltinResult::TypeError("operand 1 must be object[string, string|array|set]");
    auto add = [&](std::string_view val) {
      if (!out.empty()) out += '&';
      out += UrlQueryEscape(k.AsString()) + "=" + UrlQueryEscape(val);
    };
    if (v.IsString()) {
      add(v.AsString());
    } else if (v.IsArray() || v.IsSet()) {
      for (const Value& item : v.Items()) {
        if (!item.IsString()) {
          return BuiltinResult::TypeError(
              "operand 1 must be object[string, string|array|set] of strings");
        }
        add(item.AsString());
      }
    } else {
      return BuiltinResult::TypeError("operand 1 must be object[string, string|array|set]");
    }
  }
  return Value::String(std::move(out));
}

BuiltinResult UrlDecodeObject(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::string_view s = args[0].AsString();
  std::vector<std::pair<std::string, std::vector<Value>>> acc;
  size_t start = 0;
  while (start <= s.size()) {
    size_t amp = s.find_first_of("&", start);
    std::string_view part =
        s.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      if (part.find(';') != std::string_view::npos) {
        return BuiltinResult::Error("invalid semicolon separator in query");
      }
      size_t eq = part.find('=');
      Result<std::string> key = UrlQueryUnescape(part.substr(0, eq));
      if (!key.ok()) return BuiltinResult::Error(key.error().message);
      Result<std::string> val =
          UrlQueryUnescape(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
      if (!val.ok()) return BuiltinResult::Error(val.error().message);
      auto it = std::find_if(acc.begin(), acc.end(),
                             [&](const auto& p) { return p.first == key.value(); });
      if (it == acc.end()) {
        acc.push_back({key.value(), {}});
        it = acc.end() - 1;
      }
      it->second.push_back(Value::String(val.value()));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  std::vector<ObjectItem> items;
  for (auto& [k, vals] : acc) items.emplace_back(Value::String(k), Value::Array(std::move(vals)));
  return Value::Object(std::move(items));
}

#undef REQUIRE_STRING

}  // namespace

// Go's json.Indent (declared in builtin_util.h; also used by `policy test`).
std::string IndentJson(const std::string& compact, const std::string& prefix,
                       const std::string& indent) {
  std::string out;
  int level = 0;
  bool in_str = false;
  auto nl = [&] {
    out += '\n';
    out += prefix;
    for (int k = 0; k < level; ++k) out += indent;
  };
  for (size_t i = 0; i < compact.size(); ++i) {
    char c = compact[i];
    if (in_str) {
      out += c;
      if (c == '\\') {
        out += compact[++i];
      } else if (c == '"') {
        in_str = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_str = true;
        out += c;
        break;
      case '{':
      case '[':
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += c;
          out += compact[++i];
          break;
        }
        out += c;
        ++level;
        nl();
        break;
      case '}':
      case ']':
        --level;
        nl();
        out += c;
        break;
      case ',':
        out += ',';
        nl();
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void RegisterBuiltins_Encoding(BuiltinRegistry& r) {
  r.Add("json.marshal", 1, JsonMarshal);
  r.Add("json.marshal_with_options", 2, JsonMarshalWithOptions);
  r.Add("json.unmarshal", 1, JsonUnmarshal);
  r.Add("json.is_valid", 1, JsonIsValid);
  r.Add("yaml.marshal", 1, YamlMarshal);
  r.Add("yaml.unmarshal", 1, YamlUnmarshal);
  r.Add("yaml.is_valid", 1, YamlIsValid);
  r.Add("base64.encode", 1, B64Encode);
  r.Add("base64.decode", 1, B64Decode);
  r.Add("base64.is_valid", 1, B64IsValid);
  r.Add("base64url.encode", 1, B64UrlEncode);
  r.Add("base64url.encode_no_pad", 1, B64UrlEncodeNoPad);
  r.Add("base64url.decode", 1, B64UrlDecode);
  r.Add("hex.encode", 1, HexEncodeB);
  r.Add("hex.decode", 1, HexDecodeB);
  r.Add("urlquery.encode", 1, UrlEncode);
  r.Add("urlquery.decode", 1, UrlDecode);
  r.Add("urlquery.encode_object", 1, UrlEncodeObject);
  r.Add("urlquery.decode_object", 1, UrlDecodeObject);
}

}  // namespace gatehouse::rego
