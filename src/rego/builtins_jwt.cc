// Rego builtins: io.jwt.* — decoding and verifying JWS compact tokens
// (RFC 7515/7519) with OpenSSL.
//
// Algorithms (RFC 7518): HS256/384/512 (HMAC, constant-time compare),
// RS256/384/512 (RSASSA-PKCS1-v1_5), PS256/384/512 (RSASSA-PSS, salt length
// recovered from the signature as Go's verifier does), ES256/384/512 (ECDSA;
// the JOSE signature is r||s and is re-encoded as DER for OpenSSL). Keys:
// PEM certificates or public keys, JWKs and JWK Sets.
//
// io.jwt.decode_verify(token, constraints) follows OPA: constraints may
// hold cert or secret (exactly one), alg, iss, aud and time (ns; default
// time.now_ns()). The result is [true, header, payload] when the signature
// verifies and exp/nbf/iss/aud hold, else [false, {}, {}]; malformed
// constraints are errors.
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <cmath>

#include "rego/builtin_util.h"
#include "rego/builtin_x509.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

struct Token {
  std::string header_b64, payload_b64;
  std::string header_json, payload_json, signature;
  Value header, payload;
};

Result<Token> Split(std::string_view jwt) {
  size_t d1 = jwt.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : jwt.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      jwt.find('.', d2 + 1) != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "encoded JWT had no period separators");
  }
  Token t;
  t.header_b64 = std::string(jwt.substr(0, d1));
  t.payload_b64 = std::string(jwt.substr(d1 + 1, d2 - d1 - 1));
  auto h = Base64Decode(t.header_b64, true);
  if (!h)
    return MakeError(ErrorCode::kInvalidArgument,
                     "JWT header had invalid encoding: illegal base64 data");
  auto p = Base64Decode(t.payload_b64, true);
  if (!p)
    return MakeError(ErrorCode::kInvalidArgument,
                     "JWT payload had invalid encoding: illegal base64 data");
  auto s = Base64Decode(jwt.substr(d2 + 1), true);
  if (!s)
    return MakeError(ErrorCode::kInvalidArgument,
                     "JWT signature had invalid encoding: illegal base64 data");
  t.header_json = std::move(*h);
  t.payload_json = std::move(*p);
  t.signature = std::move(*s);
  Result<Value> hv = ParseJson(t.header_json);
  if (!hv.ok() || !hv->IsObject()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "JWT header had invalid encoding: not a JSON object");
  }
  if (hv->Find("enc"))
    return MakeError(ErrorCode::kUnsupported, "JWT is a JWE object, which is not supported");
  Result<Value> pv = ParseJson(t.payload_json);
  if (!pv.ok())
    return MakeError(ErrorCode::kInvalidArgument, "JWT payload had invalid encoding: not JSON");
  t.header = hv.value();
  t.payload = pv.value();
  return t;
}

const EVP_MD* DigestFor(std::string_view alg) {
  std::string_view bits = alg.size() >= 5 ? alg.substr(2) : "";
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

bool VerifyHmac(std::string_view alg, std::string_view signing_input, std::string_view sig,
                std::string_view secret) {
  const EVP_MD* md = DigestFor(alg);
  if (!md) return false;
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(md, secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), buf,
            &len)) {
    return false;
  }
  return sig.size() == len && CRYPTO_memcmp(buf, sig.data(), len) == 0;
}

bool VerifyWithKey(std::string_view alg, EVP_PKEY* key, std::string_view input,
                   std::string_view sig) {
  const EVP_MD* md = DigestFor(alg);
  if (!md) return false;
  std::string der;
  std::string_view signature = sig;
  int base = EVP_PKEY_get_base_id(key);
  if (alg.starts_with("ES")) {
    if (base != EVP_PKEY_EC) return false;
    size_t half = sig.size() / 2;
    if (half == 0 || sig.size() % 2) return false;
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()),
                          static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + half),
                          static_cast<int>(half), nullptr);
    ECDSA_SIG_set0(es, r, s);
    unsigned char* out = nullptr;
    int n = i2d_ECDSA_SIG(es, &out);
    ECDSA_SIG_free(es);
    if (n <= 0) return false;
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    OPENSSL_free(out);
    signature = der;
  } else if (base != EVP_PKEY_RSA && base != EVP_PKEY_RSA_PSS) {
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key) == 1;
  if (ok && alg.starts_with("PS")) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1;
  }
  ok = ok && EVP_DigestVerify(
                 ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

BuiltinResult Decode(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<Token> t = Split(args[0].AsString());
  if (!t.ok()) return BuiltinResult::Error(t.error().message);
  std::string hex;
  static const char* d = "0123456789abcdef";
  for (unsigned char c : t->signature) {
    hex += d[c >> 4];
    hex += d[c & 15];
  }
  return Value::Array({t->header, t->payload, Value::String(hex)});
}

template <const char* kAlg>
BuiltinResult VerifyAlg(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  std::string_view jwt = args[0].AsString();
  Result<Token> t = Split(jwt);
  if (!t.ok()) return BuiltinResult::Error(t.error().message);
  std::string_view alg = kAlg;
  std::string_view input = jwt.substr(0, jwt.rfind('.'));
  if (alg.starts_with("HS"))
    return Value::Bool(VerifyHmac(alg, input, t->signature, args[1].AsString()));
  Result<std::vector<PkeyPtr>> keys = LoadVerificationKeys(args[1].AsString());
  if (!keys.ok()) return BuiltinResult::Error(keys.error().message);
  for (const PkeyPtr& k : keys.value()) {
    if (VerifyWithKey(alg, k.get(), input, t->signature)) return Value::Bool(true);
  }
  return Value::Bool(false);
}

constexpr char kRS256[] = "RS256", kRS384[] = "RS384", kRS512[] = "RS512";
constexpr char kPS256[] = "PS256", kPS384[] = "PS384", kPS512[] = "PS512";
constexpr char kES256[] = "ES256", kES384[] = "ES384", kES512[] = "ES512";
constexpr char kHS256[] = "HS256", kHS384[] = "HS384", kHS512[] = "HS512";

BuiltinResult DecodeVerify(Args args, BuiltinContext& ctx) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsObject()) return BuiltinResult::OperandError(2, "object", args[1]);
  const Value& c = args[1];
  std::optional<std::string> cert, secret, want_alg, iss, aud;
  double now_ns = static_cast<double>(ctx.now_ns);
  for (const ObjectItem& item : c.ObjectItems()) {
    const Value& k = item.first;
    const Value& v = item.second;
    std::string_view key = k.AsString();
    auto str = [&](std::optional<std::string>* out) -> bool {
      if (!v.IsString()) return false;
      *out = std::string(v.AsString());
      return true;
    };
    bool ok = true;
    if (key == "cert") {
      ok = str(&cert);
    } else if (key == "secret") {
      ok = str(&secret);
    } else if (key == "alg") {
      ok = str(&want_alg);
    } else if (key == "iss") {
      ok = str(&iss);
    } else if (key == "aud") {
      ok = str(&aud);
    } else if (key == "time") {
      ok = v.IsNumber();
      now_ns = v.AsDouble();
    } else {
      return BuiltinResult::Error("unknown token validation constraint: " + std::string(key));
    }
    if (!ok) return BuiltinResult::Error("invalid value for constraint " + std::string(key));
  }
  if (cert && secret) return BuiltinResult::Error("duplicate key constraints");
  if (!cert && !secret) return BuiltinResult::Error("no key constraint");
  Value fail = Value::Array({Value::Bool(false), Value::EmptyObject(), Value::EmptyObject()});
  std::string_view jwt = args[0].AsString();
  Result<Token> t = Split(jwt);
  if (!t.ok()) return BuiltinResult::Error(t.error().message);
  const Value* alg_v = t->header.Find("alg");
  if (!alg_v || !alg_v->IsString()) return fail;
  std::string alg(alg_v->AsString());
  if (want_alg && *want_alg != alg) return fail;
  std::string_view input = jwt.substr(0, jwt.rfind('.'));
  bool valid = false;
  if (alg.starts_with("HS")) {
    valid = secret && VerifyHmac(alg, input, t->signature, *secret);
  } else if (cert && (alg.starts_with("RS") || alg.starts_with("PS") || alg.starts_with("ES"))) {
    Result<std::vector<PkeyPtr>> keys = LoadVerificationKeys(*cert);
    if (!keys.ok()) return BuiltinResult::Error(keys.error().message);
    for (const PkeyPtr& k : keys.value()) {
      if (VerifyWithKey(alg, k.get(), input, t->signature)) {
        valid = true;
        break;
      }
    }
  }
  if (!valid) return fail;
  const Value& p = t->payload;
  if (!p.IsObject()) return fail;
  double now_s = now_ns / 1e9;
  if (const Value* exp = p.Find("exp")) {
    if (!exp->IsNumber() || now_s >= exp->AsDouble()) return fail;
  }
  if (const Value* nbf = p.Find("nbf")) {
    if (!nbf->IsNumber() || now_s < nbf->AsDouble()) return fail;
  }
  if (iss) {
    const Value* ti = p.Find("iss");
    if (!ti || !ti->IsString() || ti->AsString() != *iss) return fail;
  }
  const Value* ta = p.Find("aud");
  if (aud) {
    if (!ta) return fail;
    bool found = false;
    if (ta->IsString()) {
      found = ta->AsString() == *aud;
    } else if (ta->IsArray()) {
      for (const Value& a : ta->Items()) found |= a.IsString() && a.AsString() == *aud;
    }
    if (!found) return fail;
  } else if (ta) {
    return fail;
  }
  return Value::Array({Value::Bool(true), t->header, p});
}

// io.jwt.encode_sign_raw(header_json, payload_json, jwk_json): HMAC keys
// ("kty": "oct", "k": base64url secret) only; RSA/EC private JWKs are not
// supported (documented).
BuiltinResult EncodeSignImpl(std::string_view header_json, std::string_view payload_json,
                             std::string_view key_json) {
  Result<Value> header = ParseJson(header_json);
  if (!header.ok() || !header->IsObject()) return BuiltinResult::Error("invalid JWS header");
  Result<Value> key = ParseJson(key_json);
  if (!key.ok() || !key->IsObject()) return BuiltinResult::Error("invalid JWK");
  const Value* alg = header->Find("alg");
  if (!alg || !alg->IsString()) return BuiltinResult::Error("JWS header has no alg");
  std::string_view a = alg->AsString();
  const Value* kty = key->Find("kty");
  if (!a.starts_with("HS") || !kty || !kty->IsString() || kty->AsString() != "oct") {
    return BuiltinResult::Error(
        "unsupported signing algorithm or key type (only HS256/384/512 "
        "with oct keys)");
  }
  const Value* k = key->Find("k");
  std::optional<std::string> secret =
      k && k->IsString() ? Base64Decode(k->AsString(), true) : std::nullopt;
  if (!secret) return BuiltinResult::Error("invalid oct key");
  const EVP_MD* md = DigestFor(a);
  if (!md) return BuiltinResult::Error("unsupported signing algorithm " + std::string(a));
  std::string input =
      Base64Encode(header_json, true, false) + "." + Base64Encode(payload_json, true, false);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(md, secret->data(), static_cast<int>(secret->size()),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), buf, &len)) {
    return BuiltinResult::Error("signing failed");
  }
  return Value::String(
      input + "." + Base64Encode(std::string_view(reinterpret_cast<char*>(buf), len), true, false));
}

BuiltinResult EncodeSignRaw(Args args, BuiltinContext&) {
  for (size_t i = 0; i < 3; ++i) {
    if (!args[i].IsString()) return WantString(static_cast<int>(i) + 1, args[i]);
  }
  return EncodeSignImpl(args[0].AsString(), args[1].AsString(), args[2].AsString());
}

BuiltinResult EncodeSign(Args args, BuiltinContext&) {
  for (size_t i = 0; i < 3; ++i) {
    if (!args[i].IsObject()) {
      return BuiltinResult::OperandError(static_cast<int>(i) + 1, "object", args[i]);
    }
  }
  return EncodeSignImpl(args[0].ToJson(), args[1].ToJson(), args[2].ToJson());
}

}  // namespace

void RegisterBuiltins_Jwt(BuiltinRegistry& r) {
  r.Add("io.jwt.encode_sign", 3, EncodeSign);
  r.Add("io.jwt.encode_sign_raw", 3, EncodeSignRaw);
  r.Add("io.jwt.decode", 1, Decode);
  BuiltinDef dv;
  dv.name = "io.jwt.decode_verify";
  dv.arity = 2;
  dv.fn = DecodeVerify;
  dv.nondeterministic = true;  // reads time.now_ns() when no time constraint
  r.Add(std::move(dv));
  r.Add("io.jwt.verify_rs256", 2, VerifyAlg<kRS256>);
  r.Add("io.jwt.verify_rs384", 2, VerifyAlg<kRS384>);
  r.Add("io.jwt.verify_rs512", 2, VerifyAlg<kRS512>);
  r.Add("io.jwt.verify_ps256", 2, VerifyAlg<kPS256>);
  r.Add("io.jwt.verify_ps384", 2, VerifyAlg<kPS384>);
  r.Add("io.jwt.verify_ps512", 2, VerifyAlg<kPS512>);
  r.Add("io.jwt.verify_es256", 2, VerifyAlg<kES256>);
  r.Add("io.jwt.verify_es384", 2, VerifyAlg<kES384>);
  r.Add("io.jwt.verify_es512", 2, VerifyAlg<kES512>);
  r.Add("io.jwt.verify_hs256", 2, VerifyAlg<kHS256>);
  r.Add("io.jwt.verify_hs384", 2, VerifyAlg<kHS384>);
  r.Add("io.jwt.verify_hs512", 2, VerifyAlg<kHS512>);
}

}  // namespace gatehouse::rego
