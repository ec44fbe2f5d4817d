// X.509 and key handling for the crypto.* and io.jwt.* builtins (OpenSSL 3).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/result.h"
#include "rego/value.h"

namespace gatehouse::rego {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// PEM certificates, or base64 of DER/PEM → Go-x509-shaped objects.
Result<std::vector<Value>> ParseX509Certificates(std::string_view text);

// Verification keys from a PEM certificate, a PEM public key, a JWK, or a
// JWK Set (JSON). Errors when nothing usable is found.
Result<std::vector<PkeyPtr>> LoadVerificationKeys(std::string_view text);

}  // namespace gatehouse::rego
