// Rego builtins: object.* (except object.get, a core builtin) and
// json.filter / json.remove / json.patch.
//
// object.union merges recursively (the right side wins on conflicts that
// are not both objects); object.subset follows OPA's documented rules
// (objects recurse, sets test membership, arrays test for a contiguous
// run, array ⊇ set tests membership). json.filter/json.remove take paths as
// "a/b/0" strings (JSON-pointer escapes ~0 ~1, leading "/" optional) or
// arrays of keys, and build a path trie so each value is visited once.
// json.patch implements RFC 6902 (add, remove, replace, move, copy, test)
// over objects and arrays ("-" appends); a failing operation makes the call
// undefined, as in OPA.
#include <map>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

Value Union(const Value& a, const Value& b) {
  if (!a.IsObject() || !b.IsObject()) return b;
  std::vector<ObjectItem> items(a.ObjectItems().begin(), a.ObjectItems().end());
  for (const auto& [k, v] : b.ObjectItems()) {
    auto it = std::lower_bound(items.begin(), items.end(), k,
                               [](const ObjectItem& x, const Value& key) { return x.first < key; });
    if (it != items.end() && it->first == k) {
      it->second = Union(it->second, v);
    } else {
      items.insert(it, {k, v});
    }
  }
  return Value::Object(std::move(items));
}

BuiltinResult ObjUnion(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  if (!args[1].IsObject()) return BuiltinResult::OperandError(2, "object", args[1]);
  return Union(args[0], args[1]);
}

BuiltinResult ObjUnionN(Args args, BuiltinContext&) {
  if (!args[0].IsArray()) return BuiltinResult::OperandError(1, "array", args[0]);
  Value acc = Value::EmptyObject();
  for (const Value& o : args[0].Items()) {
    if (!o.IsObject()) {
      return BuiltinResult::TypeError(
          "operand 1 must be array of objects but got array containing " +
          std::string(o.type_name()));
    }
    acc = Union(acc, o);
  }
  return acc;
}

// Keys given as array, set or object (its keys).
bool KeySet(const Value& v, int operand, std::vector<Value>* out, BuiltinResult* err) {
  out->clear();
  if (v.IsArray() || v.IsSet()) {
    out->assign(v.Items().begin(), v.Items().end());
  } else if (v.IsObject()) {
    for (const auto& [k, x] : v.ObjectItems()) out->push_back(k);
  } else {
    *err = BuiltinResult::OperandError(operand, "one of {object, set, array}", v);
    return false;
  }
  std::sort(out->begin(), out->end());
  return true;
}

BuiltinResult ObjRemove(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  std::vector<Value> keys;
  BuiltinResult err = Value();
  if (!KeySet(args[1], 2, &keys, &err)) return err;
  std::vector<ObjectItem> items;
  for (const auto& [k, v] : args[0].ObjectItems()) {
    if (!std::binary_search(keys.begin(), keys.end(), k)) items.emplace_back(k, v);
  }
  return Value::Object(std::move(items));
}

BuiltinResult ObjFilter(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  std::vector<Value> keys;
  BuiltinResult err = Value();
  if (!KeySet(args[1], 2, &keys, &err)) return err;
  std::vector<ObjectItem> items;
  for (const auto& [k, v] : args[0].ObjectItems()) {
    if (std::binary_search(keys.begin(), keys.end(), k)) items.emplace_back(k, v);
  }
  return Value::Object(std::move(items));
}

BuiltinResult ObjKeys(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  std::vector<Value> keys;
  for (const auto& [k, v] : args[0].ObjectItems()) keys.push_back(k);
  return Value::Set(std::move(keys));
}

bool IsSubset(const Value& super, const Value& sub) {
  if (super.IsObject() && sub.IsObject()) {
    for (const auto& [k, v] : sub.ObjectItems()) {
      const Value* s = super.Find(k);
      if (!s) return false;
      if (s->IsObject() && v.IsObject()) {
        if (!IsSubset(*s, v)) return false;
      } else if (s->IsSet() && v.IsSet()) {
        if (!IsSubset(*s, v)) return false;
      } else if (*s != v) {
        return false;
      }
    }
    return true;
  }
  if (super.IsSet() && sub.IsSet()) {
    for (const Value& e : sub.Items()) {
      if (!super.Contains(e)) return false;
    }
    return true;
  }
  if (super.IsArray() && sub.IsArray()) {
    auto a = super.Items();
    auto b = sub.Items();
    if (b.empty()) return true;
    if (b.size() > a.size()) return false;
    for (size_t i = 0; i + b.size() <= a.size(); ++i) {
      bool ok = true;
      for (size_t j = 0; j < b.size() && ok; ++j) ok = a[i + j] == b[j];
      if (ok) return true;
    }
    return false;
  }
  if (super.IsArray() && sub.IsSet()) {
    for (const Value& e : sub.Items()) {
      bool found = false;
      for (const Value& x : super.Items()) {
        if (x == e) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return false;
}

BuiltinResult ObjSubset(Args args, BuiltinContext&) {
  const Value& super = args[0];
  const Value& sub = args[1];
  bool ok = (super.IsObject() && sub.IsObject()) || (super.IsSet() && sub.IsSet()) ||
            (super.IsArray() && (sub.IsArray() || sub.IsSet()));
  if (!ok) {
    if (!super.IsObject() && !super.IsSet() && !super.IsArray()) {
      return BuiltinResult::OperandError(1, "one of {object, set, array}", super);
    }
    return BuiltinResult::TypeError("operand 2 must be one of {object, set, array} but got " +
                                    std::string(sub.type_name()));
  }
  return Value::Bool(IsSubset(super, sub));
}

// ---- json.filter / json.remove -------------------------------------------

struct Trie {
  bool terminal = false;
  std::map<std::string, Trie> children;
};

std::string Unescape(std::string_view seg) {
  std::string out;
  for (size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '~' && i + 1 < seg.size() && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
      out += seg[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += seg[i];
    }
  }
  return out;
}

std::string KeyText(const Value& k) {
  return k.IsString() ? std::string(k.AsString()) : k.ToJson();
}

bool BuildTrie(const Value& paths, Trie* root, BuiltinResult* err) {
  if (!paths.IsArray() && !paths.IsSet()) {
    *err = BuiltinResult::OperandError(2, "one of {set, array}", paths);
    return false;
  }
  for (const Value& p : paths.Items()) {
    std::vector<std::string> segs;
    if (p.IsString()) {
      std::string_view s = p.AsString();
      if (s.starts_with("/")) s.remove_prefix(1);
      size_t start = 0;
      while (true) {
        size_t slash = s.find('/', start);
        segs.push_back(Unescape(s.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start)));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
      }
    } else if (p.IsArray()) {
      for (const Value& seg : p.Items()) segs.push_back(KeyText(seg));
    } else {
      *err = BuiltinResult::TypeError(
          "operand 2 must be one of {set, array} containing string "
          "paths or array of path segments but got " +
          std::string(p.type_name()));
      return false;
    }
    Trie* t = root;
    for (const std::string& s : segs) t = &t->children[s];
    t->terminal = true;
  }
  return true;
}

Value Filter(const Value& v, const Trie& t) {
  if (t.terminal) return v;
  if (v.IsObject()) {
    std::vector<ObjectItem> items;
    for (const auto& [k, x] : v.ObjectItems()) {
      auto it = t.children.find(KeyText(k));
      if (it != t.children.end()) items.emplace_back(k, Filter(x, it->second));
    }
    return Value::Object(std::move(items));
  }
  if (v.IsArray()) {
    std::vector<Value> items;
    auto arr = v.Items();
    for (size_t i = 0; i < arr.size(); ++i) {
      auto it = t.children.find(std::to_string(i));
      if (it != t.children.end()) items.push_back(Filter(arr[i], it->second));
    }
    return Value::Array(std::move(items));
  }
  if (v.IsSet()) {
    std::vector<Value> items;
    for (const Value& e : v.Items()) {
      auto it = t.children.find(KeyText(e));
      if (it != t.children.end()) items.push_back(Filter(e, it->second));
    }
    return Value::Set(std::move(items));
  }
  return v;
}

Value Remove(const Value& v, const Trie& t) {
  if (v.IsObject()) {
    std::vector<ObjectItem> items;
    for (const auto& [k, x] : v.ObjectItems()) {
      auto it = t.children.find(KeyText(k));
      if (it == t.children.end()) {
        items.emplace_back(k, x);
      } else if (!it->second.terminal) {
        items.emplace_back(k, Remove(x, it->second));
      }
    }
    return Value::Object(std::move(items));
  }
  if (v.IsArray() || v.IsSet()) {
    std::vector<Value> items;
    auto arr = v.Items();
    for (size_t i = 0; i < arr.size(); ++i) {
      auto it = t.children.find(v.IsArray() ? std::to_string(i) : KeyText(arr[i]));
      if (it == t.children.end()) {
        items.push_back(arr[i]);
      } else if (!it->second.terminal) {
        items.push_back(Remove(arr[i], it->second));
      }
    }
    return v.IsArray() ? Value::Array(std::move(items)) : Value::Set(std::move(items));
  }
  return v;
}

BuiltinResult JsonFilter(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  Trie t;
  BuiltinResult err = Value();
  if (!BuildTrie(args[1], &t, &err)) return err;
  if (t.children.empty() && !t.terminal) return Value::EmptyObject();
  return Filter(args[0], t);
}

BuiltinResult JsonRemove(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  Trie t;
  BuiltinResult err = Value();
  if (!BuildTrie(args[1], &t, &err)) return err;
  return Remove(args[0], t);
}

// ---- json.patch -------------------------------------------------------------

bool PointerSegments(const Value& path, std::vector<std::string>* segs) {
  segs->clear();
  if (path.IsArray()) {
    for (const Value& s : path.Items()) segs->push_back(KeyText(s));
    return true;
  }
  if (!path.IsString()) return false;
  std::string_view s = path.AsString();
  if (s.empty()) return true;
  if (s.front() != '/') return false;
  s.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    segs->push_back(Unescape(
        s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

std::optional<size_t> Index(const std::string& seg, size_t size, bool allow_end) {
  if (seg == "-" && allow_end) return size;
  if (seg.empty() || seg.size() > 9) return std::nullopt;
  for (char c : seg) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (seg.size() > 1 && seg[0] == '0') return std::nullopt;
  size_t i = static_cast<size_t>(std::stoul(seg));
  if (i > size || (!allow_end && i == size)) return std::nullopt;
  return i;
}

std::optional<Value> GetPath(const Value& v, std::span<const std::string> segs) {
  if (segs.empty()) return v;
  if (v.IsObject()) {
    const Value* x = v.Find(segs[0]);
    if (!x) return std::nullopt;
    return GetPath(*x, segs.subspan(1));
  }
  if (v.IsArray()) {
    auto i = Index(segs[0], v.size(), false);
    if (!i) return std::nullopt;
    return GetPath(v.Items()[*i], segs.subspan(1));
  }
  if (v.IsSet()) {
    for (const Value& e : v.Items()) {
      if (KeyText(e) == segs[0]) return GetPath(e, segs.subspan(1));
    }
  }
  return std::nullopt;
}

// kind: 0 add, 1 remove, 2 replace. Returns nullopt on failure.
std::optional<Value> Apply(const Value& v, std::span<const std::string> segs, int kind,
                           const Value& val) {
  if (segs.empty()) {
    if (kind == 1) return std::nullopt;
    return val;
  }
  const std::string& seg = segs[0];
  bool last = segs.size() == 1;
  if (v.IsObject()) {
    Value key = Value::String(seg);
    const Value* cur = v.Find(key);
    std::vector<ObjectItem> items(v.ObjectItems().begin(), v.ObjectItems().end());
    if (last) {
      if (kind != 0 && !cur) return std::nullopt;
      if (kind == 1) {
        items.erase(std::remove_if(items.begin(), items.end(),
                                   [&](const ObjectItem& it) { return it.first == key; }),
                    items.end());
        return Value::Object(std::move(items));
      }
      items.emplace_back(key, val);
      return Value::Object(std::move(items));
    }
    if (!cur) return std::nullopt;
    std::optional<Value> inner = Apply(*cur, segs.subspan(1), kind, val);
    if (!inner) return std::nullopt;
    items.emplace_back(key, *inner);
    return Value::Object(std::move(items));
  }
  if (v.IsArray()) {
    std::vector<Value> items(v.Items().begin(), v.Items().end());
    if (last) {
      auto i = Index(seg, items.size(), kind == 0);
      if (!i) return std::nullopt;
      if (kind == 0) {
        items.insert(items.begin() + static_cast<ptrdiff_t>(*i), val);
      } else if (kind == 1) {
        items.erase(items.begin() + static_cast<ptrdiff_t>(*i));
      } else {
        items[*i] = val;
      }
      return Value::Array(std::move(items));
    }
    auto i = Index(seg, items.size(), false);
    if (!i) return std::nullopt;
    std::optional<Value> inner = Apply(items[*i], segs.subspan(1), kind, val);
    if (!inner) return std::nullopt;
    items[*i] = *inner;
    return Value::Array(std::move(items));
  }
  if (v.IsSet() && last) {
    std::vector<Value> items(v.Items().begin(), v.Items().end());
    if (kind == 0) {
      items.push_back(val);
      return Value::Set(std::move(items));
    }
    auto it =
        std::find_if(items.begin(), items.end(), [&](const Value& e) { return KeyText(e) == seg; });
    if (it == items.end()) return std::nullopt;
    items.erase(it);
    if (kind == 2) items.push_back(val);
    return Value::Set(std::move(items));
  }
  return std::nullopt;
}

BuiltinResult JsonPatch(Args args, BuiltinContext&) {
  if (!args[1].IsArray()) return BuiltinResult::OperandError(2, "array", args[1]);
  Value doc = args[0];
  std::vector<std::string> path, from;
  for (const Value& op : args[1].Items()) {
    if (!op.IsObject()) {
      return BuiltinResult::TypeError(
          "operand 2 must be array of objects but got array containing " +
          std::string(op.type_name()));
    }
    const Value* o = op.Find("op");
    const Value* p = op.Find("path");
    if (!o || !o->IsString() || !p || !PointerSegments(*p, &path))
      return BuiltinResult::Undefined();
    std::string_view name = o->AsString();
    const Value* value = op.Find("value");
    std::optional<Value> next;
    if (name == "add" || name == "replace") {
      if (!value) return BuiltinResult::Undefined();
      next = Apply(doc, path, name == "add" ? 0 : 2, *value);
    } else if (name == "remove") {
      next = Apply(doc, path, 1, Value());
    } else if (name == "move" || name == "copy") {
      const Value* f = op.Find("from");
      if (!f || !PointerSegments(*f, &from)) return BuiltinResult::Undefined();
      std::optional<Value> moved = GetPath(doc, from);
      if (!moved) return BuiltinResult::Undefined();
      Value base = doc;
      if (name == "move") {
        std::optional<Value> removed = Apply(doc, from, 1, Value());
        if (!removed) return BuiltinResult::Undefined();
        base = *removed;
      }
      next = Apply(base, path, 0, *moved);
    } else if (name == "test") {
      std::optional<Value> cur = GetPath(doc, path);
      if (!value || !cur || *cur != *value) return BuiltinResult::Undefined();
      next = doc;
    } else {
      return BuiltinResult::Undefined();
    }
    if (!next) return BuiltinResult::Undefined();
    doc = *next;
  }
  return doc;
}

}  // namespace

void RegisterBuiltins_Objects(BuiltinRegistry& r) {
  r.Add("object.union", 2, ObjUnion);
  r.Add("object.union_n", 1, ObjUnionN);
  r.Add("object.remove", 2, ObjRemove);
  r.Add("object.filter", 2, ObjFilter);
  r.Add("object.keys", 1, ObjKeys);
  r.Add("object.subset", 2, ObjSubset);
  r.Add("json.filter", 2, JsonFilter);
  r.Add("json.remove", 2, JsonRemove);
  r.Add("json.patch", 2, JsonPatch);
}

}  // namespace gatehouse::rego
