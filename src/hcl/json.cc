// HCL JSON syntax (hashicorp/hcl json/spec.md) for Terraform's .tf.json.
//
// The file is read with the native expression parser in JSON mode (JSON
// escapes; strings are still templates, as Terraform evaluates "${...}" in
// .tf.json), which gives every value a position. The JSON object is then
// mapped onto the same Body model as native files. JSON cannot say whether
// a member is a block or an attribute: the spec leaves that to the schema,
// so we apply Terraform's: top-level resource/data take two labels,
// module/variable/output/provider one, terraform/locals none; inside a
// block the well-known nested block types listed below become blocks (an
// array value means repeated blocks) and every other member is an
// attribute. Everything inside `locals` and a variable's `default` stays an
// attribute.
#include <set>

#include "gatehouse/hcl.h"
#include "hcl/internal.h"

namespace gatehouse::hcl {
namespace {

int TopLevelLabels(std::string_view k) {
  if (k == "resource" || k == "data") return 2;
  if (k == "module" || k == "variable" || k == "output" || k == "provider") return 1;
  if (k == "terraform" || k == "locals" || k == "moved" || k == "import" || k == "check" ||
      k == "removed")
    return 0;
  return -1;
}

// Nested block types → label count (-1: an attribute).
int NestedLabels(std::string_view parent, std::string_view k) {
  if (parent == "locals") return -1;
  if (parent == "variable") return k == "validation" ? 0 : -1;
  if (parent == "terraform") {
    if (k == "backend") return 1;
    if (k == "required_providers" || k == "cloud") return 0;
    return -1;
  }
  if (k == "provisioner" || k == "dynamic") return 1;
  static const std::set<std::string_view> kBlocks = {
      "ingress",
      "egress",
      "lifecycle",
      "connection",
      "statement",
      "principals",
      "not_principals",
      "condition",
      "rule",
      "apply_server_side_encryption_by_default",
      "versioning_configuration",
      "server_side_encryption_configuration",
      "versioning",
      "workspaces",
      "expiration",
      "transition",
      "filter",
      "noncurrent_version_expiration",
      "logging",
      "content",
      "precondition",
      "postcondition",
      "validation",
      "assume_role",
      "default_tags",
      "ebs_block_device",
      "root_block_device",
      "metadata_options",
  };
  return kBlocks.count(k) ? 0 : -1;
}

bool LiteralKey(const Expr* k, std::string* out) {
  if (k->kind == ExprKind::kLiteral && k->lit == LitKind::kString) {
    *out = k->name;
    return true;
  }
  if (k->kind == ExprKind::kTemplate) {
    if (k->kids.empty()) {
      out->clear();
      return true;
    }
    if (k->kids.size() == 1 && k->kids[0]->kind == ExprKind::kLiteral) {
      *out = k->kids[0]->name;
      return true;
    }
  }
  return false;
}

class Mapper {
 public:
  explicit Mapper(File* f) : f_(f) {}

  void Err(const Expr* at, std::string msg) {
    f_->errors.push_back(MakeError(ErrorCode::kParse, std::move(msg), f_->path,
                                   static_cast<int>(at->range.start.line),
                                   static_cast<int>(at->range.start.column)));
  }

  void MapBody(const Expr* obj, Body* body, std::string_view type, int depth) {
    if (depth > 64) return;
    if (obj->kind == ExprKind::kTuple) {  // [ {...}, {...} ] bodies are merged
      for (const Expr* it : obj->kids) MapBody(it, body, type, depth + 1);
      return;
    }
    if (obj->kind != ExprKind::kObject) {
      Err(obj, "expected a JSON object for the body of a '" + std::string(type) + "' block");
      return;
    }
    body->range = obj->range;
    for (size_t i = 0; i + 1 < obj->kids.size(); i += 2) {
      const Expr* k = obj->kids[i];
      const Expr* v = obj->kids[i + 1];
      std::string key;
      if (!LiteralKey(k, &key)) {
        Err(k, "expected a literal string as object key");
        continue;
      }
      if (key == "//") continue;  // JSON syntax comment
      int labels = type.empty() ? TopLevelLabels(key) : NestedLabels(type, key);
      if (labels < 0) {
        Attribute a;
        a.name = key;
        a.name_range = k->range;
        a.expr = const_cast<Expr*>(v);
        a.range = Range{k->range.start, v->range.end};
        body->attributes.push_back(std::move(a));
        continue;
      }
      std::vector<std::string> ls;
      std::vector<Range> lr;
      AddBlocks(key, k->range, v, labels, &ls, &lr, body, depth);
    }
  }

  void AddBlocks(const std::string& type, Range type_range, const Expr* v, int labels,
                 std::vector<std::string>* ls, std::vector<Range>* lr, Body* body, int depth) {
    if (depth > 64) return;
    if (static_cast<int>(ls->size()) == labels) {
      if (v->kind == ExprKind::kTuple) {
        for (const Expr* it : v->kids)
          AddBlocks(type, type_range, it, labels, ls, lr, body, depth + 1);
        return;
      }
      Block* b = f_->NewBlock();
      b->type = type;
      b->labels = *ls;
      b->label_ranges = *lr;
      b->type_range = type_range;
      b->range = Range{type_range.start, v->range.end};
      MapBody(v, &b->body, type, depth + 1);
      body->blocks.push_back(b);
      return;
    }
    if (v->kind == ExprKind::kTuple) {
      for (const Expr* it : v->kids)
        AddBlocks(type, type_range, it, labels, ls, lr, body, depth + 1);
      return;
    }
    if (v->kind != ExprKind::kObject) {
      Err(v, "expected a JSON object holding the labels of a '" + type + "' block");
      return;
    }
    for (size_t i = 0; i + 1 < v->kids.size(); i += 2) {
      std::string l;
      if (!LiteralKey(v->kids[i], &l)) {
        Err(v->kids[i], "expected a literal string as block label");
        continue;
      }
      ls->push_back(l);
      lr->push_back(v->kids[i]->range);
      AddBlocks(type, type_range, v->kids[i + 1], labels, ls, lr, body, depth + 1);
      ls->pop_back();
      lr->pop_back();
    }
  }

 private:
  File* f_;
};

}  // namespace

std::unique_ptr<File> ParseJson(std::string_view text, std::string path,
                                const ParseOptions& options) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->source = std::string(text);
  f->json = true;
  Expr* root = ParseExpressionInto(f.get(), Mode::kJsonTemplate, options);
  if (!root) return f;
  if (root->kind != ExprKind::kObject) {
    f->errors.push_back(MakeError(
        ErrorCode::kParse, "expected a JSON object at the top of a .tf.json file", f->path,
        static_cast<int>(root->range.start.line), static_cast<int>(root->range.start.column)));
    return f;
  }
  Mapper(f.get()).MapBody(root, &f->body, "", 0);
  return f;
}

}  // namespace gatehouse::hcl
