// Lowering of an HCL2 file to the shared Document tree, in the shape that
// conftest's HCL2 parser (hcl2json) produces, so Rego policies written for
// conftest read our Document unchanged:
//
//   resource "aws_s3_bucket" "b" { acl = "private" }
//     → {"resource": {"aws_s3_bucket": {"b": [{"acl": "private"}]}}}
//
// Blocks nest by type then by each label; the innermost key holds an array
// of bodies because blocks may repeat (two `ingress` blocks, two `locals`).
// Attributes lower to their value when the expression is a literal (tuples
// and objects recursively, negative number literals folded); a template
// with interpolations keeps its literal parts and writes each interpolation
// as ${source}; any other expression becomes "${source}" (the source text
// of the expression), except bare type expressions (string, list(string),
// object({...})) which stay as written, as hcl2json does.
#include <map>

#include "gatehouse/hcl.h"

namespace gatehouse::hcl {
namespace {

DocPos P(const Pos& p) { return DocPos{p.line, p.column}; }

class Lowerer {
 public:
  Lowerer(const File& f, Document* d) : f_(f), d_(d) {}

  DocValue Expr_(const Expr* e, int depth = 0) {
    if (!e) return d_->AddNull();
    DocPos pos = P(e->range.start);
    if (depth > 256) return d_->AddString(Wrap(e), pos);
    switch (e->kind) {
      case ExprKind::kLiteral:
        switch (e->lit) {
          case LitKind::kNull:
            return d_->AddNull(pos);
          case LitKind::kBool:
            return d_->AddBool(e->bval, pos);
          case LitKind::kString:
            return d_->AddString(e->name, pos);
          case LitKind::kNumber:
            return Number(e->name, e->num, false, pos);
        }
        break;
      case ExprKind::kUnary:
        if (e->op == Op::kNeg && e->kids[0]->kind == ExprKind::kLiteral &&
            e->kids[0]->lit == LitKind::kNumber)
          return Number("-" + e->kids[0]->name, -e->kids[0]->num, true, pos);
        break;
      case ExprKind::kTemplate: {
        std::string s;
        for (const Expr* k : e->kids) {
          if (k->kind == ExprKind::kLiteral && k->lit == LitKind::kString)
            s += k->name;
          else if (k->kind == ExprKind::kTemplateIf || k->kind == ExprKind::kTemplateFor)
            s += f_.Text(k->range);
          else
            s += "${" + std::string(f_.Text(k->range)) + "}";
        }
        return d_->AddString(std::move(s), pos);
      }
      case ExprKind::kTuple: {
        std::vector<DocValue> items;
        for (const Expr* k : e->kids) items.push_back(Expr_(k, depth + 1));
        return d_->AddArray(items, pos);
      }
      case ExprKind::kObject: {
        std::vector<Document::Member> ms;
        for (size_t i = 0; i + 1 < e->kids.size(); i += 2) {
          const Expr* k = e->kids[i];
          std::string key;
          if (k->kind == ExprKind::kLiteral && k->lit == LitKind::kString) {
            key = k->name;
          } else if (k->kind == ExprKind::kTemplate && k->kids.size() == 1 &&
                     k->kids[0]->kind == ExprKind::kLiteral) {
            key = k->kids[0]->name;
          } else if (k->kind == ExprKind::kTemplate && k->kids.empty()) {
            key = "";
          } else {
            key = Wrap(k);
          }
          ms.push_back({std::move(key), P(k->range.start), Expr_(e->kids[i + 1], depth + 1)});
        }
        return d_->AddObject(std::move(ms), pos);
      }
      default:
        break;
    }
    std::string src(f_.Text(e->range));
    for (std::string_view t :
         {"string", "number", "bool", "list", "set", "map", "object", "tuple", "any"})
      if (src.starts_with(t) && (src.size() == t.size() || src[t.size()] == '(')) {
        return d_->AddString(std::move(src), pos);
      }
    return d_->AddString(Wrap(e), pos);
  }

  std::string Wrap(const Expr* e) { return "${" + std::string(f_.Text(e->range)) + "}"; }

  DocValue Number(const std::string& spelling, double v, bool neg, DocPos pos) {
    bool integral = spelling.find_first_of(".eE") == std::string::npos && spelling.size() < 18;
    if (integral) {
      long long x = std::strtoll(spelling.c_str(), nullptr, 10);
      return d_->AddInt(x, pos, spelling);
    }
    return d_->AddDouble(v, pos, spelling);
  }

  // Intermediate tree: keys in first-appearance order.
  struct Node {
    std::string key;
    DocPos key_pos;
    bool is_value = false;  // attribute value
    DocValue value;
    std::vector<DocValue> bodies;  // leaf of a block path
    std::vector<Node> kids;
    Node* Child(const std::string& k, DocPos pos) {
      for (Node& n : kids)
        if (n.key == k && !n.is_value) return &n;
      kids.push_back(Node{k, pos, false, {}, {}, {}});
      return &kids.back();
    }
  };

  DocValue Emit(const Node& n) {
    if (!n.bodies.empty() && n.kids.empty()) return d_->AddArray(n.bodies, n.key_pos);
    std::vector<Document::Member> ms;
    for (const Node& k : n.kids) ms.push_back({k.key, k.key_pos, k.is_value ? k.value : Emit(k)});
    return d_->AddObject(std::move(ms), n.key_pos);
  }

  DocValue Body_(const Body& b, DocPos pos, int depth) {
    Node root;
    root.key_pos = pos;
    size_t ai = 0, bi = 0;
    while (ai < b.attributes.size() || bi < b.blocks.size()) {
      bool take_attr = bi >= b.blocks.size() ||
                       (ai < b.attributes.size() &&
                        b.attributes[ai].range.start.offset < b.blocks[bi]->range.start.offset);
      if (take_attr) {
        const Attribute& a = b.attributes[ai++];
        Node n;
        n.key = a.name;
        n.key_pos = P(a.name_range.start);
        n.is_value = true;
        n.value = Expr_(a.expr);
        bool replaced = false;
        for (Node& k : root.kids)
          if (k.key == n.key) k = n, replaced = true;
        if (!replaced) root.kids.push_back(std::move(n));
        continue;
      }
      const Block& blk = *b.blocks[bi++];
      Node* cur = root.Child(blk.type, P(blk.type_range.start));
      for (size_t i = 0; i < blk.labels.size(); ++i)
        cur = cur->Child(blk.labels[i], P(blk.label_ranges[i].start));
      cur->bodies.push_back(depth > 200 ? d_->AddObject({}, P(blk.body.range.start))
                                        : Body_(blk.body, P(blk.body.range.start), depth + 1));
    }
    return Emit(root);
  }

 private:
  const File& f_;
  Document* d_;
};

}  // namespace

Document LowerToDocument(const File& file) {
  Document d(file.path);
  Lowerer l(file, &d);
  d.SetRoot(l.Body_(file.body, DocPos{1, 1}, 0));
  return d;
}

Result<Document> HclToDocument(std::string_view text, std::string path) {
  auto f = Parse(text, std::move(path));
  if (!f->errors.empty()) return f->errors.front();
  return LowerToDocument(*f);
}

}  // namespace gatehouse::hcl
