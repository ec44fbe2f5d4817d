// Fuzz the signed-note, checkpoint and key parsers: any bytes must give a
// value or an Error; a parsed note must format back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gatehouse/ledger_note.h"

using namespace gatehouse::ledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto note = ParseNote(text);
  if (note.ok()) {
    // Base64 decoding is strict (canonical), so a parsed note formats back
    // to exactly its bytes.
    if (FormatNote(*note) != text) std::abort();
    auto cp = ParseCheckpointText(note->text);
    if (cp.ok()) {
      auto again = ParseCheckpointText(FormatCheckpointText(*cp));
      if (!again.ok() || again->root != cp->root || again->size != cp->size) std::abort();
    }
  }
  auto cp = ParseCheckpointText(text);
  if (cp.ok() && FormatCheckpointText(*cp) != text) std::abort();
  (void)ParseVerifierKey(text);
  (void)SignerKey::Parse(text);
  (void)Base64Decode(text);
  return 0;
}
