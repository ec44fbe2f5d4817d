// Rego builtins: crypto.* — digests, HMACs and X.509 parsing (OpenSSL 3).
//
// crypto.x509.parse_certificates accepts what OPA accepts: PEM text with
// one or more CERTIFICATE blocks, or base64 of DER (one or more certificates
// concatenated) or of PEM. Each certificate becomes an object with the
// fields of Go's x509.Certificate that policies use (Go's JSON encoding:
// enums as integers, times as RFC 3339 strings, names as objects with
// CommonName/Organization/... and Names):
//   Version SerialNumber Subject Issuer NotBefore NotAfter DNSNames
//   EmailAddresses IPAddresses URIStrings IsCA BasicConstraintsValid
//   MaxPathLen KeyUsage ExtKeyUsage SignatureAlgorithm PublicKeyAlgorithm
//   SubjectKeyId AuthorityKeyId (base64, as Go encodes []byte)
// Raw DER fields are omitted (documented in docs/rego-builtins.md).
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "rego/builtin_util.h"
#include "rego/builtin_x509.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

BuiltinResult Digest(Args args, const EVP_MD* md) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string_view s = args[0].AsString();
  if (EVP_Digest(s.data(), s.size(), buf, &len, md, nullptr) != 1) {
    return BuiltinResult::Error("digest failed");
  }
  return Value::String(Hex(buf, len));
}

BuiltinResult Md5(Args a, BuiltinContext&) { return Digest(a, EVP_md5()); }
BuiltinResult Sha1(Args a, BuiltinContext&) { return Digest(a, EVP_sha1()); }
BuiltinResult Sha256(Args a, BuiltinContext&) { return Digest(a, EVP_sha256()); }

BuiltinResult Hmac(Args args, const EVP_MD* md) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  std::string_view x = args[0].AsString(), key = args[1].AsString();
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(x.data()), x.size(), buf, &len)) {
    return BuiltinResult::Error("hmac failed");
  }
  return Value::String(Hex(buf, len));
}

BuiltinResult HmacMd5(Args a, BuiltinContext&) { return Hmac(a, EVP_md5()); }
BuiltinResult HmacSha1(Args a, BuiltinContext&) { return Hmac(a, EVP_sha1()); }
BuiltinResult HmacSha256(Args a, BuiltinContext&) { return Hmac(a, EVP_sha256()); }
BuiltinResult HmacSha512(Args a, BuiltinContext&) { return Hmac(a, EVP_sha512()); }

BuiltinResult HmacEqual(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  std::string_view a = args[0].AsString(), b = args[1].AsString();
  if (a.size() != b.size()) return Value::Bool(false);
  return Value::Bool(CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

BuiltinResult ParseCertificates(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<std::vector<Value>> certs = ParseX509Certificates(args[0].AsString());
  if (!certs.ok()) return BuiltinResult::Error(certs.error().message);
  return Value::Array(std::move(certs.value()));
}

}  // namespace

void RegisterBuiltins_Crypto(BuiltinRegistry& r) {
  r.Add("crypto.md5", 1, Md5);
  r.Add("crypto.sha1", 1, Sha1);
  r.Add("crypto.sha256", 1, Sha256);
  r.Add("crypto.hmac.md5", 2, HmacMd5);
  r.Add("crypto.hmac.sha1", 2, HmacSha1);
  r.Add("crypto.hmac.sha256", 2, HmacSha256);
  r.Add("crypto.hmac.sha512", 2, HmacSha512);
  r.Add("crypto.hmac.equal", 2, HmacEqual);
  r.Add("crypto.x509.parse_certificates", 1, ParseCertificates);
}

}  // namespace gatehouse::rego
