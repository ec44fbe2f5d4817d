// Ed25519 keys, signed notes, checkpoints and cosignatures, pinned to the
// published Go sumdb/note vector so our notes interoperate.
#include <gtest/gtest.h>

#include "gatehouse/base.h"
#include "gatehouse/ledger_note.h"

namespace gatehouse::ledger {
namespace {

// golang.org/x/mod/sumdb/note documentation and tests.
constexpr std::string_view kGoSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSigLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(LedgerNoteTest, GoSumdbVectorSignsAndVerifiesIdentically) {
  auto skey = SignerKey::Parse(kGoSkey);
  ASSERT_TRUE(skey.ok()) << skey.error().message;
  EXPECT_EQ(skey->ToString(), kGoSkey);
  EXPECT_EQ(skey->verifier().ToString(), kGoVkey);
  auto sig = SignNoteText(kGoText, *skey);
  ASSERT_TRUE(sig.ok());
  const std::string note = FormatNote(Note{std::string(kGoText), {*sig}});
  EXPECT_EQ(note,
            std::string(kGoText) + "\n" + std::string(kGoSigLine));  // Ed25519 is deterministic
  auto vkey = ParseVerifierKey(kGoVkey);
  ASSERT_TRUE(vkey.ok());
  auto parsed = ParseNote(note);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->text, kGoText);
  EXPECT_TRUE(VerifyNoteSignature(*parsed, *vkey).ok());
}

TEST(LedgerNoteTest, KeyIdFollowsTheSignedNoteSpec) {
  auto k = SignerKey::Generate("example.com/log");
  ASSERT_TRUE(k.ok());
  // SHA-256(name || 0x0A || 0x01 || pubkey)[:4], computed independently.
  std::string buf = "example.com/log\n\x01";
  buf.append(reinterpret_cast<const char*>(k->verifier().public_key.data()), 32);
  EXPECT_EQ(Sha256Hex(buf).substr(0, 8), k->verifier().Label().substr(16));
  auto w = SignerKey::Generate("witness.example/w1", KeyType::kCosignatureV1);
  ASSERT_TRUE(w.ok());
  std::string wbuf = "witness.example/w1\n\x04";
  wbuf.append(reinterpret_cast<const char*>(w->verifier().public_key.data()), 32);
  EXPECT_EQ(Sha256Hex(wbuf).substr(0, 8), w->verifier().Label().substr(19));
  // Round trips; a wrong key ID is rejected.
  auto again = SignerKey::Parse(k->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->verifier(), k->verifier());
  std::string vk = k->verifier().ToString();
  std::string bad = vk;
  bad[vk.find('+') + 1] = bad[vk.find('+') + 1] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseVerifierKey(bad).ok());
  EXPECT_FALSE(ParseVerifierKey("no-plus-signs").ok());
  EXPECT_FALSE(SignerKey::Generate("has space").ok());
  EXPECT_FALSE(SignerKey::Generate("has+plus").ok());
  EXPECT_FALSE(SignerKey::Generate("").ok());
}

TEST(LedgerNoteTest, WrongKeyAndTamperingFailWithReasons) {
  auto log = SignerKey::Generate("log.example/prod");
  auto impostor = SignerKey::Generate("log.example/prod");  // same name, other key
  ASSERT_TRUE(log.ok() && impostor.ok());
  Checkpoint c{"log.example/prod", 42, HashLeaf("x"), {}};
  const std::string text = FormatCheckpointText(c);
  auto sig = SignNoteText(text, *log);
  ASSERT_TRUE(sig.ok());
  auto note = ParseNote(FormatNote(Note{text, {*sig}}));
  ASSERT_TRUE(note.ok());
  EXPECT_TRUE(VerifyNoteSignature(*note, log->verifier()).ok());
  Status wrong = VerifyNoteSignature(*note, impostor->verifier());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("no signature by key"), std::string::npos);
  EXPECT_NE(wrong.error().message.find(log->verifier().Label()), std::string::npos);
  Note tampered = *note;
  tampered.text.replace(tampered.text.find("42"), 2, "43");
  Status t = VerifyNoteSignature(tampered, log->verifier());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("does not verify"), std::string::npos);
}

TEST(LedgerNoteTest, MalformedNotesAreRejected) {
  auto log = SignerKey::Generate("log.example/x");
  ASSERT_TRUE(log.ok());
  auto sig = SignNoteText("hello\n", *log);
  ASSERT_TRUE(sig.ok());
  const std::string good = FormatNote(Note{"hello\n", {*sig}});
  EXPECT_TRUE(ParseNote(good).ok());
  EXPECT_FALSE(ParseNote("hello\n").ok());                          // no signatures
  EXPECT_FALSE(ParseNote(good.substr(0, good.size() - 1)).ok());    // no final newline
  EXPECT_FALSE(ParseNote("hel\x01lo\n\n" + good.substr(7)).ok());   // control character
  EXPECT_FALSE(ParseNote("hello\n\n- log.example/x AAAA\n").ok());  // ASCII dash
  EXPECT_FALSE(ParseNote("hello\n\n\xE2\x80\x94 log.example/x !!!!\n").ok());
  EXPECT_FALSE(ParseNote("hello\n\n\xE2\x80\x94 log.example/x AAAA\n").ok());  // < 5 bytes
  EXPECT_FALSE(ParseNote("h\xff\n\n" + good.substr(7)).ok());                  // invalid UTF-8
  std::string many = "hello\n\n";
  for (int i = 0; i < 101; ++i) many += good.substr(7);
  EXPECT_FALSE(ParseNote(many).ok());
  // Text may contain blank lines: the signatures follow the last one.
  auto sig2 = SignNoteText("a\n\nb\n", *log);
  ASSERT_TRUE(sig2.ok());
  auto multi = ParseNote(FormatNote(Note{"a\n\nb\n", {*sig2}}));
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->text, "a\n\nb\n");
  EXPECT_TRUE(VerifyNoteSignature(*multi, log->verifier()).ok());
}

TEST(LedgerNoteTest, CheckpointTextIsStrict) {
  Checkpoint c{"example.com/behind-the-sofa", 20852163, {}, {}};
  auto root = Base64Decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  ASSERT_TRUE(root && root->size() == 32);
  std::copy(root->begin(), root->end(), c.root.begin());
  const std::string text = FormatCheckpointText(c);
  EXPECT_EQ(
      text,
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  auto back = ParseCheckpointText(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size, 20852163u);
  EXPECT_EQ(back->root, c.root);
  EXPECT_TRUE(ParseCheckpointText("o\n0\n" + Base64Encode(std::string(32, '\0')) + "\next\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n007\n" + Base64Encode(std::string(32, '\0')) + "\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n7\n" + Base64Encode("short") + "\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n7\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\nseven\n" + Base64Encode(std::string(32, '\0')) + "\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n99999999999999999999999\n" +
                                   Base64Encode(std::string(32, '\0')) + "\n")
                   .ok());
}

TEST(LedgerNoteTest, WitnessCosignatures) {
  auto log = SignerKey::Generate("log.example/prod");
  auto w1 = SignerKey::Generate("witness.example/w1", KeyType::kCosignatureV1);
  auto w2 = SignerKey::Generate("witness.example/w2", KeyType::kCosignatureV1);
  ASSERT_TRUE(log.ok() && w1.ok() && w2.ok());
  const std::string text =
      FormatCheckpointText(Checkpoint{"log.example/prod", 5, HashLeaf("r"), {}});
  EXPECT_EQ(CosignedMessage(text, 1679315147), "cosignature/v1\ntime 1679315147\n" + text);
  auto s = SignNoteText(text, *log);
  auto c = CosignCheckpoint(text, *w1, 1679315147);
  ASSERT_TRUE(s.ok() && c.ok());
  EXPECT_EQ(c->signature.size(), 72u);
  auto note = ParseNote(FormatNote(Note{text, {*s, *c}}));
  ASSERT_TRUE(note.ok());
  auto ts = VerifyCosignature(*note, w1->verifier());
  ASSERT_TRUE(ts.ok()) << ts.error().message;
  EXPECT_EQ(*ts, 1679315147u);
  EXPECT_FALSE(VerifyCosignature(*note, w2->verifier()).ok());
  EXPECT_FALSE(VerifyCosignature(*note, log->verifier()).ok());   // not a witness key
  EXPECT_TRUE(VerifyNoteSignature(*note, log->verifier()).ok());  // unknown sigs ignored
  Note forged = *note;
  forged.signatures[1].signature[7] ^= 1;  // change the timestamp
  EXPECT_FALSE(VerifyCosignature(forged, w1->verifier()).ok());
  EXPECT_FALSE(CosignCheckpoint(text, *log, 1).ok());  // log key cannot cosign
  EXPECT_FALSE(SignNoteText(text, *w1).ok());          // witness key cannot sign as a log
}

TEST(LedgerNoteTest, Base64IsStrict) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(Base64Decode("Zm9"));
  EXPECT_FALSE(Base64Decode("Zm9=v"));
  EXPECT_FALSE(Base64Decode("Zm=v"));
  EXPECT_FALSE(Base64Decode("Zh=="));  // non-zero padding bits
  EXPECT_FALSE(Base64Decode("Zm9v\n"));
}

}  // namespace
}  // namespace gatehouse::ledger
