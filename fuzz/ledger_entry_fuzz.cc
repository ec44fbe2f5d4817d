// Fuzz the ledger's JSON Lines entry parser and RFC 8785 canonicalizer.
// Any bytes must give entries or an Error; on success, canonical JSON must be
// a fixed point and every entry's leaf must parse back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gatehouse/ledger.h"
#include "ledger/internal.h"

using namespace gatehouse::ledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto canonical = CanonicalizeJson(text);
  if (canonical.ok()) {
    auto again = CanonicalizeJson(*canonical);
    if (!again.ok() || *again != *canonical) std::abort();  // JCS must be idempotent
  } else {
    (void)canonical.error().ToString();
  }
  auto entries = ParseEntryLines(text, "fuzz");
  if (!entries.ok()) {
    (void)entries.error().ToString();
  } else {
    uint64_t index = 0;
    for (const auto& e : *entries) {
      std::string payload;
      auto rec = RecordFromInput(e, 1714564800, std::string(16, 's'), &payload);
      if (!rec.ok()) continue;
      rec->index = index++;
      const std::string leaf = LeafBytes(*rec);
      auto back = ParseLeaf(leaf);
      if (!back.ok() || LeafBytes(*back) != leaf) std::abort();  // leaves round-trip
      (void)ApprovalMessage(*rec);
    }
  }
  (void)ParseLeaf(text);
  return 0;
}
