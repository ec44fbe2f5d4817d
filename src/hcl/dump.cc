// Canonical S-expression dump of the HCL AST: the expected output of the
// conformance fixtures in tests/data/hcl/. One node per parenthesis, the
// head names the node kind, positions follow as @line:col-line:col.
#include <cstdio>

#include "gatehouse/hcl.h"

namespace gatehouse::hcl {
namespace {

void Quote(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\x%02x", c);
          *out += b;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void PosStr(const Range& r, bool on, std::string* out) {
  if (!on) return;
  char b[64];
  std::snprintf(b, sizeof b, " @%u:%u-%u:%u", r.start.line, r.start.column, r.end.line,
                r.end.column);
  *out += b;
}

void Dump(const Expr* e, bool pos, int indent, std::string* out);

void Kids(const Expr* e, bool pos, int indent, std::string* out, size_t from = 0) {
  for (size_t i = from; i < e->kids.size(); ++i) {
    *out += '\n';
    if (!e->kids[i]) {
      out->append(static_cast<size_t>(indent + 2), ' ');
      *out += "()";
      continue;
    }
    Dump(e->kids[i], pos, indent + 2, out);
  }
}

void Dump(const Expr* e, bool pos, int indent, std::string* out) {
  out->append(static_cast<size_t>(indent), ' ');
  *out += '(';
  switch (e->kind) {
    case ExprKind::kLiteral:
      switch (e->lit) {
        case LitKind::kNull:
          *out += "null";
          break;
        case LitKind::kBool:
          *out += e->bval ? "bool true" : "bool false";
          break;
        case LitKind::kNumber:
          *out += "num " + e->name;
          break;
        case LitKind::kString:
          *out += e->flag ? "key " : "str ";
          Quote(e->name, out);
          break;
      }
      PosStr(e->range, pos, out);
      break;
    case ExprKind::kTemplate:
      *out += e->flag ? "heredoc" : "template";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kTemplateIf:
      *out += "tif";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kTemplateFor:
      *out += "tfor " + (e->name.empty() ? std::string("_") : e->name) + " " + e->name2;
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kVariable:
      *out += "var " + e->name;
      PosStr(e->range, pos, out);
      break;
    case ExprKind::kGetAttr:
      *out += "attr " + e->name;
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kIndex:
      *out += e->flag ? "legacy-index" : "index";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kSplat:
      *out += e->flag ? "full-splat" : "attr-splat";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kSplatItem:
      *out += "item";
      PosStr(e->range, pos, out);
      break;
    case ExprKind::kCall:
      *out += "call " + e->name + (e->flag ? " ..." : "");
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kTuple:
      *out += "tuple";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kObject:
      *out += "object";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kFor:
      *out += std::string(e->flag2 ? "for-object " : "for-tuple ") +
              (e->name.empty() ? std::string("_") : e->name) + " " + e->name2 +
              (e->flag ? " group" : "");
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kUnary:
    case ExprKind::kBinary:
      *out += std::string(OpName(e->op));
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kConditional:
      *out += "?";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
    case ExprKind::kParen:
      *out += "paren";
      PosStr(e->range, pos, out);
      Kids(e, pos, indent, out);
      break;
  }
  *out += ')';
}

void DumpBodyInto(const Body& b, bool pos, int indent, std::string* out);

void DumpBlock(const Block& b, bool pos, int indent, std::string* out) {
  out->append(static_cast<size_t>(indent), ' ');
  *out += "(block " + b.type;
  for (const auto& l : b.labels) {
    *out += ' ';
    Quote(l, out);
  }
  PosStr(b.range, pos, out);
  *out += '\n';
  DumpBodyInto(b.body, pos, indent + 2, out);
  *out += ')';
}

void DumpBodyInto(const Body& b, bool pos, int indent, std::string* out) {
  // Attributes and blocks interleaved in source order.
  out->append(static_cast<size_t>(indent), ' ');
  *out += "(body";
  size_t ai = 0, bi = 0;
  while (ai < b.attributes.size() || bi < b.blocks.size()) {
    bool take_attr = bi >= b.blocks.size() ||
                     (ai < b.attributes.size() &&
                      b.attributes[ai].range.start.offset < b.blocks[bi]->range.start.offset);
    *out += '\n';
    if (take_attr) {
      const Attribute& a = b.attributes[ai++];
      out->append(static_cast<size_t>(indent + 2), ' ');
      *out += "(attr " + a.name;
      PosStr(a.range, pos, out);
      *out += '\n';
      Dump(a.expr, pos, indent + 4, out);
      *out += ')';
    } else {
      DumpBlock(*b.blocks[bi++], pos, indent + 2, out);
    }
  }
  *out += ')';
}

}  // namespace

std::string DumpExpr(const File& file, const Expr* e, bool positions) {
  std::string out;
  if (e) Dump(e, positions, 0, &out);
  return out;
}

std::string DumpBody(const File& file, bool positions) {
  std::string out;
  DumpBodyInto(file.body, positions, 0, &out);
  out += '\n';
  return out;
}

}  // namespace gatehouse::hcl
