// Ed25519 keys (OpenSSL), C2SP signed notes, checkpoints and cosignatures.
//
// The encodings follow c2sp.org/signed-note, c2sp.org/tlog-checkpoint and
// c2sp.org/tlog-cosignature, and the key strings those of Go's
// golang.org/x/mod/sumdb/note, so checkpoints made here verify with the
// Go tooling (tests pin the published PeterNeumann vector) and vice versa.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "gatehouse/ledger_note.h"

namespace gatehouse::ledger {

namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014, U+0020
constexpr size_t kMaxSignatures = 100;
constexpr size_t kMaxNoteBytes = 1 << 20;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

Error KeyError(std::string message) { return MakeError(ErrorCode::kInvalidArgument, message); }

// Decodes one UTF-8 code point at s[i]; returns -1 for invalid sequences
// (overlong, surrogates, beyond U+10FFFF, truncated).
int32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto b0 = static_cast<uint8_t>(s[*i]);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int len = 0;
  int32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (*i + static_cast<size_t>(len) > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[*i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += static_cast<size_t>(len);
  return cp;
}

bool IsUnicodeSpace(int32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

std::optional<uint32_t> ParseHex8(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return std::nullopt;  // Go's note uses lowercase; be strict
    v = v << 4 | static_cast<uint32_t>(d);
  }
  return v;
}

std::string BigEndian32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
  return s;
}

uint32_t ReadBigEndian32(std::string_view s) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(s[i]);
  return v;
}

// Splits off the first n-1 '+'-separated fields; the last part is the rest
// (base64 key material may itself contain '+'). Empty if there are fewer.
std::vector<std::string_view> SplitPlus(std::string_view s, size_t n) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() + 1 < n) {
    size_t p = s.find('+', start);
    if (p == std::string_view::npos) return {};
    parts.push_back(s.substr(start, p - start));
    start = p + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

PkeyPtr PublicPkey(const VerifierKey& key) {
  return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.public_key.data(),
                                             key.public_key.size()));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  return s;
}

}  // namespace

// ---- base64 -----------------------------------------------------------------

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + static_cast<size_t>(k)];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return std::nullopt;
    }
    uint32_t n = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
    // Canonical encoding: the unused bits of the last group must be zero.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0)) return std::nullopt;
  }
  return out;
}

// ---- keys -------------------------------------------------------------------

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i < name.size()) {
    int32_t cp = DecodeUtf8(name, &i);
    if (cp < 0 || cp == '+' || IsUnicodeSpace(cp) || cp < 0x20) return false;
  }
  return true;
}

uint32_t ComputeKeyId(std::string_view name, KeyType type, std::string_view public_key) {
  std::string buf;
  buf.reserve(name.size() + 2 + public_key.size());
  buf.append(name);
  buf += '\n';
  buf += static_cast<char>(type);
  buf.append(public_key);
  Hash h = Sha256(buf);
  return ReadBigEndian32(HashBytes(h));
}

std::string VerifierKey::ToString() const {
  std::string material(1, static_cast<char>(type));
  material.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  return name + "+" + Hex8(id) + "+" + Base64Encode(material);
}

std::string VerifierKey::Label() const { return name + "+" + Hex8(id); }

Result<VerifierKey> ParseVerifierKey(std::string_view text) {
  text = Trim(text);
  auto parts = SplitPlus(text, 3);
  if (parts.empty()) return KeyError("malformed verifier key: want <name>+<hex id>+<base64 key>");
  if (!ValidKeyName(parts[0])) return KeyError("malformed verifier key: invalid key name");
  auto id = ParseHex8(parts[1]);
  if (!id) return KeyError("malformed verifier key: key ID must be 8 lowercase hex digits");
  auto material = Base64Decode(parts[2]);
  if (!material || material->size() != 33)
    return KeyError("malformed verifier key: want base64 of a type byte and a 32-byte key");
  auto type = static_cast<uint8_t>((*material)[0]);
  if (type != static_cast<uint8_t>(KeyType::kEd25519) &&
      type != static_cast<uint8_t>(KeyType::kCosignatureV1))
    return KeyError("unsupported verifier key type 0x" + Hex8(type).substr(6) +
                    " (want 0x01 Ed25519 or 0x04 Ed25519 cosignature)");
  VerifierKey key;
  key.name = std::string(parts[0]);
  key.type = static_cast<KeyType>(type);
  std::memcpy(key.public_key.data(), material->data() + 1, 32);
  key.id = ComputeKeyId(key.name, key.type, std::string_view(material->data() + 1, 32));
  if (key.id != *id)
    return KeyError("verifier key ID " + std::string(parts[1]) +
                    " does not match its name and public key (want " + Hex8(key.id) + ")");
  if (!PublicPkey(key)) return KeyError("verifier key is not a valid Ed25519 public key");
  return key;
}

Result<SignerKey> SignerKey::Generate(std::string_view name, KeyType type) {
  if (!ValidKeyName(name))
    return KeyError("invalid key name '" + std::string(name) +
                    "': it must be non-empty and contain no spaces or '+'");
  SignerKey k;
  if (RAND_bytes(k.seed_.data(), static_cast<int>(k.seed_.size())) != 1)
    return MakeError(ErrorCode::kInternal, "the OS random generator failed");
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.seed_.data(), k.seed_.size()));
  size_t len = 32;
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), k.verifier_.public_key.data(), &len) != 1)
    return MakeError(ErrorCode::kInternal, "Ed25519 key generation failed");
  k.verifier_.name = std::string(name);
  k.verifier_.type = type;
  k.verifier_.id = ComputeKeyId(
      name, type,
      std::string_view(reinterpret_cast<const char*>(k.verifier_.public_key.data()), 32));
  return k;
}

Result<SignerKey> SignerKey::Parse(std::string_view text) {
  text = Trim(text);
  auto parts = SplitPlus(text, 5);
  if (parts.empty() || parts[0] != "PRIVATE" || parts[1] != "KEY")
    return KeyError("malformed signer key: want PRIVATE+KEY+<name>+<hex id>+<base64 key>");
  if (!ValidKeyName(parts[2])) return KeyError("malformed signer key: invalid key name");
  auto id = ParseHex8(parts[3]);
  if (!id) return KeyError("malformed signer key: key ID must be 8 lowercase hex digits");
  auto material = Base64Decode(parts[4]);
  if (!material || material->size() != 33)
    return KeyError("malformed signer key: want base64 of a type byte and a 32-byte seed");
  auto type = static_cast<uint8_t>((*material)[0]);
  if (type != static_cast<uint8_t>(KeyType::kEd25519) &&
      type != static_cast<uint8_t>(KeyType::kCosignatureV1))
    return KeyError("unsupported signer key type");
  SignerKey k;
  std::memcpy(k.seed_.data(), material->data() + 1, 32);
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.seed_.data(), k.seed_.size()));
  size_t len = 32;
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), k.verifier_.public_key.data(), &len) != 1)
    return KeyError("signer key is not a valid Ed25519 seed");
  k.verifier_.name = std::string(parts[2]);
  k.verifier_.type = static_cast<KeyType>(type);
  k.verifier_.id = ComputeKeyId(
      k.verifier_.name, k.verifier_.type,
      std::string_view(reinterpret_cast<const char*>(k.verifier_.public_key.data()), 32));
  if (k.verifier_.id != *id)
    return KeyError("signer key ID " + std::string(parts[3]) +
                    " does not match its name and key (want " + Hex8(k.verifier_.id) + ")");
  return k;
}

std::string SignerKey::ToString() const {
  std::string material(1, static_cast<char>(verifier_.type));
  material.append(reinterpret_cast<const char*>(seed_.data()), seed_.size());
  return "PRIVATE+KEY+" + verifier_.name + "+" + Hex8(verifier_.id) + "+" + Base64Encode(material);
}

Result<std::string> SignerKey::Sign(std::string_view message) const {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), seed_.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return MakeError(ErrorCode::kInternal, "Ed25519 signing setup failed");
  std::string sig(64, '\0');
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != 64)
    return MakeError(ErrorCode::kInternal, "Ed25519 signing failed");
  return sig;
}

bool VerifyEd25519(const VerifierKey& key, std::string_view message, std::string_view signature) {
  if (signature.size() != 64) return false;
  PkeyPtr pkey = PublicPkey(key);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// ---- notes ------------------------------------------------------------------

Result<Note> ParseNote(std::string_view msg) {
  auto bad = [](std::string why) { return MakeError(ErrorCode::kParse, "malformed note: " + why); };
  if (msg.size() > kMaxNoteBytes) return bad("larger than 1 MiB");
  for (size_t i = 0; i < msg.size();) {
    int32_t cp = DecodeUtf8(msg, &i);
    if (cp < 0) return bad("not valid UTF-8");
    if (cp < 0x20 && cp != '\n') return bad("contains a control character");
  }
  if (msg.empty() || msg.back() != '\n') return bad("does not end in a newline");
  size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return bad("no blank line before the signatures");
  Note note;
  note.text = std::string(msg.substr(0, split + 1));
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty()) return bad("no signature lines");
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace)
      return bad("signature line does not start with an em dash and a space");
    line.remove_prefix(kEmDashSpace.size());
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return bad("signature line has no signature");
    std::string_view name = line.substr(0, sp);
    if (!ValidKeyName(name)) return bad("invalid key name in signature line");
    auto raw = Base64Decode(line.substr(sp + 1));
    if (!raw || raw->size() < 5) return bad("signature is not base64 of a key ID and bytes");
    if (note.signatures.size() == kMaxSignatures) return bad("more than 100 signatures");
    note.signatures.push_back(
        NoteSignature{std::string(name), ReadBigEndian32(*raw), raw->substr(4)});
  }
  return note;
}

std::string FormatNote(const Note& note) {
  std::string out = note.text;
  out += '\n';
  for (const auto& s : note.signatures) {
    out += kEmDashSpace;
    out += s.name;
    out += ' ';
    out += Base64Encode(BigEndian32(s.id) + s.signature);
    out += '\n';
  }
  return out;
}

Result<NoteSignature> SignNoteText(std::string_view text, const SignerKey& key) {
  if (key.verifier().type != KeyType::kEd25519)
    return KeyError("key " + key.verifier().Label() +
                    " is a witness (cosignature) key; sign checkpoints with an Ed25519 log key");
  if (text.empty() || text.back() != '\n')
    return MakeError(ErrorCode::kInvalidArgument, "note text must end in a newline");
  auto sig = key.Sign(text);
  if (!sig.ok()) return sig.error();
  return NoteSignature{key.name(), key.verifier().id, std::move(*sig)};
}

namespace {

std::string SignerList(const Note& note) {
  std::string out;
  for (const auto& s : note.signatures) {
    if (!out.empty()) out += ", ";
    out += s.name + "+" + Hex8(s.id);
  }
  return out.empty() ? "nobody" : out;
}

}  // namespace

Status VerifyNoteSignature(const Note& note, const VerifierKey& key) {
  if (key.type != KeyType::kEd25519)
    return KeyError("key " + key.Label() + " is a cosignature key, not a log key");
  bool found = false;
  for (const auto& s : note.signatures) {
    if (s.name != key.name || s.id != key.id) continue;
    found = true;
    if (!VerifyEd25519(key, note.text, s.signature))
      return MakeError(ErrorCode::kInvalidArgument,
                       "signature by " + key.Label() +
                           " does not verify: the note text was altered after signing");
  }
  if (!found)
    return MakeError(ErrorCode::kInvalidArgument, "no signature by key " + key.Label() +
                                                      " (wrong key?); the note is signed by " +
                                                      SignerList(note));
  return Status::Ok();
}

std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  msg.append(checkpoint_text);
  return msg;
}

Result<NoteSignature> CosignCheckpoint(std::string_view checkpoint_text, const SignerKey& witness,
                                       uint64_t timestamp) {
  if (witness.verifier().type != KeyType::kCosignatureV1)
    return KeyError("key " + witness.verifier().Label() +
                    " is not a witness key (make one with `ledger keygen --witness`)");
  if (timestamp > (uint64_t{1} << 63) - 1) return KeyError("cosignature timestamp out of range");
  auto sig = witness.Sign(CosignedMessage(checkpoint_text, timestamp));
  if (!sig.ok()) return sig.error();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    bytes[static_cast<size_t>(i)] = static_cast<char>(timestamp >> (56 - 8 * i));
  bytes += *sig;
  return NoteSignature{witness.name(), witness.verifier().id, std::move(bytes)};
}

Result<uint64_t> VerifyCosignature(const Note& note, const VerifierKey& witness) {
  if (witness.type != KeyType::kCosignatureV1)
    return KeyError("key " + witness.Label() + " is not a witness (type 0x04) key");
  for (const auto& s : note.signatures) {
    if (s.name != witness.name || s.id != witness.id) continue;
    if (s.signature.size() != 72)
      return MakeError(ErrorCode::kInvalidArgument,
                       "cosignature by " + witness.Label() + " has the wrong length");
    uint64_t ts = 0;
    for (size_t i = 0; i < 8; ++i) ts = ts << 8 | static_cast<uint8_t>(s.signature[i]);
    if (ts > (uint64_t{1} << 63) - 1)
      return MakeError(ErrorCode::kInvalidArgument, "cosignature timestamp out of range");
    if (!VerifyEd25519(witness, CosignedMessage(note.text, ts),
                       std::string_view(s.signature).substr(8)))
      return MakeError(ErrorCode::kInvalidArgument,
                       "cosignature by " + witness.Label() + " does not verify");
    return ts;
  }
  return MakeError(ErrorCode::kInvalidArgument, "no cosignature by witness " + witness.Label() +
                                                    "; the note is signed by " + SignerList(note));
}

// ---- checkpoints ------------------------------------------------------------

std::string FormatCheckpointText(const Checkpoint& c) {
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" + Base64Encode(HashBytes(c.root)) + "\n";
  for (const auto& e : c.extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  auto bad = [](std::string why) {
    return MakeError(ErrorCode::kParse, "malformed checkpoint: " + why);
  };
  if (text.empty() || text.back() != '\n') return bad("text does not end in a newline");
  std::vector<std::string_view> lines;
  std::string_view rest = text.substr(0, text.size() - 1);
  while (true) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return bad("want origin, tree size and root hash lines");
  for (auto l : lines)
    if (l.empty()) return bad("empty line");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  std::string_view size = lines[1];
  if (size.size() > 1 && size[0] == '0') return bad("tree size has leading zeroes");
  if (size.size() > 20) return bad("tree size out of range");
  uint64_t n = 0;
  for (char ch : size) {
    if (ch < '0' || ch > '9') return bad("tree size is not a decimal number");
    const uint64_t d = static_cast<uint64_t>(ch - '0');
    if (n > (UINT64_MAX - d) / 10) return bad("tree size out of range");
    n = n * 10 + d;
  }
  c.size = n;
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != 32) return bad("root hash is not base64 of 32 bytes");
  std::memcpy(c.root.data(), root->data(), 32);
  for (size_t i = 3; i < lines.size(); ++i) c.extensions.emplace_back(lines[i]);
  return c;
}

}  // namespace gatehouse::ledger
