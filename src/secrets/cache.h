// The on-disk cache shared by the secrets subsystem (compiled Vectorscan
// databases, engine metadata, the parsed built-in rule set). Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/secrets.h"

namespace gatehouse {

// The compact binary form of a RuleSet used to cache the parsed built-in
// rules. Deserialize returns nullopt for anything truncated or foreign.
std::string SerializeRuleSet(const RuleSet& set);
std::optional<RuleSet> DeserializeRuleSet(std::string_view bytes);

// $GATEHOUSE_CACHE_DIR ("off" disables), else $XDG_CACHE_HOME/gatehouse,
// else ~/.cache/gatehouse; "" when caching is off or no home is known.
std::string CacheDir();
// Writes atomically (temp file + rename); failures are ignored: a cache.
void StoreText(const std::string& dir, const std::string& path, const std::string& bytes);

}  // namespace gatehouse
