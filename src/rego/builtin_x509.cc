// X.509 certificate → object conversion and verification-key loading.
//
// Certificates are decoded with OpenSSL (d2i_X509 / PEM_read_bio_X509) and
// projected onto the field names of Go's x509.Certificate, which is what
// OPA returns (Go's encoding/json of the struct). Keys for JWT verification
// come from PEM (certificate or SubjectPublicKeyInfo) or from JWK / JWK Set
// JSON (RFC 7517): RSA (n, e) and EC (crv P-256/P-384/P-521, x, y) keys are
// built with EVP_PKEY_fromdata.
#include "rego/builtin_x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string Asn1String(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string Asn1TimeRfc3339(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Value Name(const X509_NAME* name) {
  std::vector<Value> common, country, org, ou, locality, province, street, postal, names;
  std::string cn, serial;
  int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(e);
    std::string val = Asn1String(X509_NAME_ENTRY_get_data(e));
    int nid = OBJ_obj2nid(obj);
    switch (nid) {
      case NID_commonName:
        cn = val;
        break;
      case NID_countryName:
        country.push_back(Value::String(val));
        break;
      case NID_organizationName:
        org.push_back(Value::String(val));
        break;
      case NID_organizationalUnitName:
        ou.push_back(Value::String(val));
        break;
      case NID_localityName:
        locality.push_back(Value::String(val));
        break;
      case NID_stateOrProvinceName:
        province.push_back(Value::String(val));
        break;
      case NID_streetAddress:
        street.push_back(Value::String(val));
        break;
      case NID_postalCode:
        postal.push_back(Value::String(val));
        break;
      case NID_serialNumber:
        serial = val;
        break;
      default:
        break;
    }
    // Names: [{"Type": [2,5,4,3], "Value": "..."}] (the OID as ints).
    char oid[128];
    OBJ_obj2txt(oid, sizeof oid, obj, 1);
    std::vector<Value> parts;
    std::string_view o(oid);
    size_t start = 0;
    while (start <= o.size()) {
      size_t dot = o.find('.', start);
      std::string part(
          o.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
      if (!part.empty()) parts.push_back(Value::Int(std::stoll(part)));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    names.push_back(Value::Object({{Value::String("Type"), Value::Array(std::move(parts))},
                                   {Value::String("Value"), Value::String(val)}}));
  }
  auto list = [](std::vector<Value> v) {
    return v.empty() ? Value::Null() : Value::Array(std::move(v));
  };
  ObjectBuilder b;
  b.Add("CommonName", Value::String(cn));
  b.Add("Country", list(country));
  b.Add("Organization", list(org));
  b.Add("OrganizationalUnit", list(ou));
  b.Add("Locality", list(locality));
  b.Add("Province", list(province));
  b.Add("StreetAddress", list(street));
  b.Add("PostalCode", list(postal));
  b.Add("SerialNumber", Value::String(serial));
  b.Add("Names", list(names));
  b.Add("ExtraNames", Value::Null());
  return b.Build();
}

int GoSignatureAlgorithm(int nid) {
  switch (nid) {
    case NID_md2WithRSAEncryption:
      return 1;
    case NID_md5WithRSAEncryption:
      return 2;
    case NID_sha1WithRSAEncryption:
      return 3;
    case NID_sha256WithRSAEncryption:
      return 4;
    case NID_sha384WithRSAEncryption:
      return 5;
    case NID_sha512WithRSAEncryption:
      return 6;
    case NID_dsaWithSHA1:
      return 7;
    case NID_dsa_with_SHA256:
      return 8;
    case NID_ecdsa_with_SHA1:
      return 9;
    case NID_ecdsa_with_SHA256:
      return 10;
    case NID_ecdsa_with_SHA384:
      return 11;
    case NID_ecdsa_with_SHA512:
      return 12;
    case NID_rsassaPss:
      return 13;
    case NID_ED25519:
      return 16;
    default:
      return 0;
  }
}

int GoPublicKeyAlgorithm(EVP_PKEY* k) {
  if (!k) return 0;
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return 1;
    case EVP_PKEY_DSA:
      return 2;
    case EVP_PKEY_EC:
      return 3;
    case EVP_PKEY_ED25519:
      return 4;
    default:
      return 0;
  }
}

Value CertToValue(X509* x) {
  ObjectBuilder b;
  b.Add("Version", Value::Int(X509_get_version(x) + 1));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn) {
    char* dec = BN_bn2dec(bn);
    Result<Value> num = ParseJson(dec ? dec : "0");
    b.Add("SerialNumber", num.ok() ? num.value() : Value::Int(0));
    OPENSSL_free(dec);
    BN_free(bn);
  }
  b.Add("Subject", Name(X509_get_subject_name(x)));
  b.Add("Issuer", Name(X509_get_issuer_name(x)));
  b.Add("NotBefore", Value::String(Asn1TimeRfc3339(X509_get0_notBefore(x))));
  b.Add("NotAfter", Value::String(Asn1TimeRfc3339(X509_get0_notAfter(x))));
  std::vector<Value> dns, emails, ips, uris;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type == GEN_DNS) dns.push_back(Value::String(Asn1String(g->d.dNSName)));
      if (g->type == GEN_EMAIL) emails.push_back(Value::String(Asn1String(g->d.rfc822Name)));
      if (g->type == GEN_URI)
        uris.push_back(Value::String(Asn1String(g->d.uniformResourceIdentifier)));
      if (g->type == GEN_IPADD) {
        IpNet n;
        int len = g->d.iPAddress->length;
        if (len == 4 || len == 16) {
          n.v6 = len == 16;
          std::memcpy(n.addr, g->d.iPAddress->data, static_cast<size_t>(len));
          ips.push_back(Value::String(FormatIp(n)));
        }
      }
    }
    GENERAL_NAMES_free(sans);
  }
  auto list = [](std::vector<Value> v) {
    return v.empty() ? Value::Null() : Value::Array(std::move(v));
  };
  b.Add("DNSNames", list(dns));
  b.Add("EmailAddresses", list(emails));
  b.Add("IPAddresses", list(ips));
  b.Add("URIStrings", list(uris));
  uint32_t flags = X509_get_extension_flags(x);
  b.Add("IsCA", Value::Bool((flags & EXFLAG_CA) != 0));
  b.Add("BasicConstraintsValid", Value::Bool((flags & EXFLAG_BCONS) != 0));
  long pathlen = X509_get_pathlen(x);
  b.Add("MaxPathLen", Value::Int(pathlen < 0 ? -1 : pathlen));
  // Go's KeyUsage bit order is the reverse of the ASN.1 bit string order
  // OpenSSL reports (digitalSignature = 1 in Go, 0x80 in OpenSSL).
  uint32_t ku = X509_get_key_usage(x);
  int64_t go_ku = 0;
  if (ku != UINT32_MAX) {
    static const uint32_t kBits[] = {KU_DIGITAL_SIGNATURE, KU_NON_REPUDIATION, KU_KEY_ENCIPHERMENT,
                                     KU_DATA_ENCIPHERMENT, KU_KEY_AGREEMENT,   KU_KEY_CERT_SIGN,
                                     KU_CRL_SIGN,          KU_ENCIPHER_ONLY,   KU_DECIPHER_ONLY};
    for (int i = 0; i < 9; ++i) {
      if (ku & kBits[i]) go_ku |= int64_t{1} << i;
    }
  }
  b.Add("KeyUsage", Value::Int(go_ku));
  std::vector<Value> eku;
  uint32_t xku = X509_get_extended_key_usage(x);
  if (xku != UINT32_MAX) {
    // Go's ExtKeyUsage enum values.
    if (xku & XKU_SSL_SERVER) eku.push_back(Value::Int(1));
    if (xku & XKU_SSL_CLIENT) eku.push_back(Value::Int(2));
    if (xku & XKU_CODE_SIGN) eku.push_back(Value::Int(3));
    if (xku & XKU_SMIME) eku.push_back(Value::Int(4));
    if (xku & XKU_TIMESTAMP) eku.push_back(Value::Int(8));
    if (xku & XKU_OCSP_SIGN) eku.push_back(Value::Int(9));
  }
  b.Add("ExtKeyUsage", list(eku));
  b.Add("SignatureAlgorithm", Value::Int(GoSignatureAlgorithm(X509_get_signature_nid(x))));
  EVP_PKEY* pk = X509_get0_pubkey(x);
  b.Add("PublicKeyAlgorithm", Value::Int(GoPublicKeyAlgorithm(pk)));
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(x);
  if (skid) {
    b.Add("SubjectKeyId",
          Value::String(Base64Encode(
              std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(skid)),
                               static_cast<size_t>(ASN1_STRING_length(skid))),
              false, true)));
  }
  const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(x);
  if (akid) {
    b.Add("AuthorityKeyId",
          Value::String(Base64Encode(
              std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(akid)),
                               static_cast<size_t>(ASN1_STRING_length(akid))),
              false, true)));
  }
  return b.Build();
}

std::vector<X509Ptr> ReadPem(std::string_view pem) {
  std::vector<X509Ptr> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.emplace_back(x);
  BIO_free(bio);
  return out;
}

std::vector<X509Ptr> ReadDer(std::string_view der) {
  std::vector<X509Ptr> out;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  while (p < end) {
    X509* x = d2i_X509(nullptr, &p, end - p);
    if (!x) return {};
    out.emplace_back(x);
  }
  return out;
}

}  // namespace

Result<std::vector<Value>> ParseX509Certificates(std::string_view text) {
  std::vector<X509Ptr> certs;
  if (text.find("-----BEGIN") != std::string_view::npos) {
    certs = ReadPem(text);
  } else {
    std::optional<std::string> raw = Base64Decode(text, false);
    if (!raw) raw = Base64Decode(text, true);
    if (!raw) return MakeError(ErrorCode::kInvalidArgument, "illegal base64 data");
    if (raw->find("-----BEGIN") != std::string::npos) {
      certs = ReadPem(*raw);
    } else {
      certs = ReadDer(*raw);
    }
  }
  if (certs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "x509: malformed certificate");
  }
  std::vector<Value> out;
  for (auto& c : certs) out.push_back(CertToValue(c.get()));
  return out;
}

namespace {

std::optional<std::string> B64UrlField(const Value& jwk, std::string_view key) {
  const Value* v = jwk.Find(key);
  if (!v || !v->IsString()) return std::nullopt;
  return Base64Decode(v->AsString(), true);
}

PkeyPtr KeyFromJwk(const Value& jwk) {
  const Value* kty = jwk.Find("kty");
  if (!kty || !kty->IsString()) return nullptr;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld) return nullptr;
  const char* type = nullptr;
  std::vector<BIGNUM*> bns;
  std::string pub;
  bool ok = false;
  if (kty->AsString() == "RSA") {
    auto n = B64UrlField(jwk, "n");
    auto e = B64UrlField(jwk, "e");
    if (n && e) {
      BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                               static_cast<int>(n->size()), nullptr);
      BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                               static_cast<int>(e->size()), nullptr);
      bns = {bn_n, bn_e};
      ok = bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
      type = "RSA";
    }
  } else if (kty->AsString() == "EC") {
    const Value* crv = jwk.Find("crv");
    auto x = B64UrlField(jwk, "x");
    auto y = B64UrlField(jwk, "y");
    const char* group = nullptr;
    if (crv && crv->IsString()) {
      if (crv->AsString() == "P-256") group = "P-256";
      if (crv->AsString() == "P-384") group = "P-384";
      if (crv->AsString() == "P-521") group = "P-521";
    }
    if (group && x && y && x->size() == y->size()) {
      pub = std::string(1, '\x04') + *x + *y;
      ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
      type = "EC";
    }
  }
  PkeyPtr result;
  if (ok) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY* pkey = nullptr;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1) {
      result.reset(pkey);
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  for (BIGNUM* b : bns) BN_free(b);
  OSSL_PARAM_BLD_free(bld);
  return result;
}

}  // namespace

Result<std::vector<PkeyPtr>> LoadVerificationKeys(std::string_view text) {
  std::vector<PkeyPtr> keys;
  if (text.find("-----BEGIN") != std::string_view::npos) {
    for (auto& cert : ReadPem(text)) {
      EVP_PKEY* k = X509_get_pubkey(cert.get());
      if (k) keys.emplace_back(k);
    }
    if (keys.empty()) {
      BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
      while (EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr))
        keys.emplace_back(k);
      BIO_free(bio);
    }
    if (keys.empty())
      return MakeError(ErrorCode::kInvalidArgument,
                       "failed to parse a PEM certificate or public key");
    return keys;
  }
  Result<Value> json = ParseJson(text);
  if (!json.ok() || !json->IsObject()) {
    return MakeError(ErrorCode::kInvalidArgument, "failed to parse a JWK key (set)");
  }
  if (const Value* set = json->Find("keys"); set && set->IsArray()) {
    for (const Value& k : set->Items()) {
      if (PkeyPtr p = KeyFromJwk(k)) keys.push_back(std::move(p));
    }
  } else if (PkeyPtr p = KeyFromJwk(json.value())) {
    keys.push_back(std::move(p));
  }
  if (keys.empty())
    return MakeError(ErrorCode::kInvalidArgument, "failed to parse a JWK key (set)");
  return keys;
}

}  // namespace gatehouse::rego
