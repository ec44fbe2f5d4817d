// Ed25519 keys, C2SP signed notes, tlog checkpoints and witness cosignatures.
//
// Formats (see docs/ledger.md for the full description):
//  - c2sp.org/signed-note: text ending in '\n', a blank line, then lines
//    "— <key name> base64(4-byte key ID || signature)". Key ID =
//    SHA-256(name || 0x0A || type || public key)[:4], type 0x01 = Ed25519.
//  - c2sp.org/tlog-checkpoint: the note text is "<origin>\n<size>\n
//    <base64 root>\n[extension lines]".
//  - c2sp.org/tlog-cosignature (Ed25519, type 0x04): a witness signs
//    "cosignature/v1\ntime <t>\n" + checkpoint text; the signature is the
//    8-byte big-endian timestamp followed by the 64-byte Ed25519 signature.
//  - Key files use the Go sumdb/note encodings: verifier keys
//    "<name>+<hex key ID>+<base64(type || 32-byte public key)>" and signer
//    keys "PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>".
//
// Signing and verification use OpenSSL's Ed25519. Everything here is a pure
// function of its inputs; all types are values (thread-compatible).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/ledger_merkle.h"
#include "gatehouse/result.h"

namespace gatehouse::ledger {

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding (RFC 4648 section 4); strict.
std::optional<std::string> Base64Decode(std::string_view text);

enum class KeyType : uint8_t {
  kEd25519 = 0x01,        // signed-note Ed25519: logs and approvers
  kCosignatureV1 = 0x04,  // tlog-cosignature Ed25519: witnesses
};

// SHA-256(name || 0x0A || type || public_key)[:4], big-endian.
uint32_t ComputeKeyId(std::string_view name, KeyType type, std::string_view public_key);

// A public key as a note verifier knows it.
struct VerifierKey {
  std::string name;
  uint32_t id = 0;
  KeyType type = KeyType::kEd25519;
  std::array<uint8_t, 32> public_key{};

  // "<name>+<8 hex digits>+<base64(type || key)>"
  std::string ToString() const;
  // "<name>+<8 hex digits>", for messages.
  std::string Label() const;
  bool operator==(const VerifierKey&) const = default;
};

// Parses a verifier key; checks the key ID against the name and key.
Result<VerifierKey> ParseVerifierKey(std::string_view text);

// An Ed25519 private key with its name.
class SignerKey {
 public:
  // A fresh key from the OS random generator.
  static Result<SignerKey> Generate(std::string_view name, KeyType type = KeyType::kEd25519);
  // "PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>"
  static Result<SignerKey> Parse(std::string_view text);

  std::string ToString() const;
  const VerifierKey& verifier() const { return verifier_; }
  const std::string& name() const { return verifier_.name; }

  // Raw 64-byte Ed25519 signature over `message`.
  Result<std::string> Sign(std::string_view message) const;

 private:
  VerifierKey verifier_;
  std::array<uint8_t, 32> seed_{};
};

// Checks a raw Ed25519 signature over `message` with the key's public key.
bool VerifyEd25519(const VerifierKey& key, std::string_view message, std::string_view signature);

// Key names: non-empty UTF-8 with no Unicode spaces and no '+'.
bool ValidKeyName(std::string_view name);

struct NoteSignature {
  std::string name;
  uint32_t id = 0;
  std::string signature;  // the bytes after the key ID
};

struct Note {
  std::string text;  // ends with '\n'
  std::vector<NoteSignature> signatures;
};

// Splits a signed note at its last blank line and parses the signature
// lines. Rejects control characters, invalid UTF-8, malformed lines and
// more than 100 signatures.
Result<Note> ParseNote(std::string_view note);
std::string FormatNote(const Note& note);

// Signs the note text with a type 0x01 key.
Result<NoteSignature> SignNoteText(std::string_view text, const SignerKey& key);

// Ok when the note carries a valid signature by `key` (type 0x01); otherwise
// the reason: no signature by that key (listing those present), or a
// signature that does not verify.
Status VerifyNoteSignature(const Note& note, const VerifierKey& key);

// tlog-cosignature/v1 (type 0x04).
std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp);
Result<NoteSignature> CosignCheckpoint(std::string_view checkpoint_text, const SignerKey& witness,
                                       uint64_t timestamp);
// Ok with the cosignature's timestamp, or why it does not verify.
Result<uint64_t> VerifyCosignature(const Note& note, const VerifierKey& witness);

// The body of a tlog checkpoint.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
};
std::string FormatCheckpointText(const Checkpoint& c);
Result<Checkpoint> ParseCheckpointText(std::string_view text);

}  // namespace gatehouse::ledger
