// BuiltinRegistry and the process-wide registry of every builtin group.
#include <mutex>

#include "rego/builtins.h"

namespace gatehouse::rego {

void BuiltinRegistry::Add(BuiltinDef def) {
  if (by_name_.count(def.name)) {
    duplicates_.push_back(def.name);
    return;
  }
  auto owned = std::make_unique<BuiltinDef>(std::move(def));
  by_name_.emplace(owned->name, owned.get());
  defs_.push_back(std::move(owned));
}

const BuiltinDef* BuiltinRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

const BuiltinRegistry& GlobalBuiltins() {
  static const BuiltinRegistry* registry = [] {
    auto* r = new BuiltinRegistry();
    RegisterBuiltins_Core(*r);
    RegisterBuiltins_Strings(*r);
    RegisterBuiltins_Regex(*r);
    RegisterBuiltins_Encoding(*r);
    RegisterBuiltins_Time(*r);
    RegisterBuiltins_Net(*r);
    RegisterBuiltins_Crypto(*r);
    RegisterBuiltins_Jwt(*r);
    RegisterBuiltins_Objects(*r);
    RegisterBuiltins_Misc(*r);
    return r;
  }();
  return *registry;
}

}  // namespace gatehouse::rego
