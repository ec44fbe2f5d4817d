// XML → Document in the shape conftest's XML parser (goxml2json) produces.
//
// goxml2json maps an element to a JSON value: an element with neither
// attributes nor child elements becomes its text (a string, "" when empty);
// otherwise an object whose members are the attributes (prefixed "-"), the
// child elements by local name (several children with one name become an
// array, in document order) and, when there is non-blank text, "#content".
// Text is trimmed of surrounding whitespace; namespace prefixes are dropped
// (Go's encoding/xml reports local names). The file becomes
// {"<root local name>": <root value>}. All scalars stay strings.
//
// Parsing is pugixml's (no DTD processing, no external entities). Positions
// come from pugixml's node offsets.
#include <algorithm>
#include <map>
#include <pugixml.hpp>

#include "formats/inputs.h"

namespace gatehouse {

namespace {

struct LineIndex {
  std::vector<size_t> starts;
  explicit LineIndex(std::string_view text) {
    starts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts.push_back(i + 1);
    }
  }
  DocPos At(ptrdiff_t offset) const {
    if (offset < 0) return {};
    auto it = std::upper_bound(starts.begin(), starts.end(), static_cast<size_t>(offset));
    size_t line = static_cast<size_t>(it - starts.begin());
    return {static_cast<uint32_t>(line),
            static_cast<uint32_t>(static_cast<size_t>(offset) - starts[line - 1] + 1)};
  }
};

std::string_view LocalName(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string Trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return std::string(s);
}

DocValue Convert(Document& doc, const pugi::xml_node& node, const LineIndex& lines, int depth) {
  DocPos pos = lines.At(node.offset_debug());
  std::string text;
  std::vector<pugi::xml_node> elements;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      elements.push_back(c);
    } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      std::string piece = Trim(c.value());
      if (!piece.empty()) {
        if (!text.empty()) text += ' ';
        text += piece;
      }
    }
  }
  bool has_attrs = static_cast<bool>(node.first_attribute());
  if (!has_attrs && elements.empty()) return doc.AddString(text, pos);
  if (depth >= kMaxDocDepth) return doc.AddString(text, pos);

  std::vector<Document::Member> members;
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string key = "-" + std::string(LocalName(a.name()));
    members.push_back({key, pos, doc.AddString(a.value(), pos)});
  }
  // Group child elements by local name, keeping first-appearance order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<pugi::xml_node>> groups;
  for (const pugi::xml_node& e : elements) {
    std::string name(LocalName(e.name()));
    auto [it, inserted] = groups.try_emplace(name);
    if (inserted) order.push_back(name);
    it->second.push_back(e);
  }
  for (const std::string& name : order) {
    const auto& group = groups[name];
    DocPos kp = lines.At(group.front().offset_debug());
    if (group.size() == 1) {
      members.push_back({name, kp, Convert(doc, group.front(), lines, depth + 1)});
    } else {
      std::vector<DocValue> items;
      for (const pugi::xml_node& e : group) items.push_back(Convert(doc, e, lines, depth + 1));
      members.push_back({name, kp, doc.AddArray(items, kp)});
    }
  }
  if (!text.empty()) members.push_back({"#content", pos, doc.AddString(text, pos)});
  return doc.AddObject(std::move(members), pos);
}

}  // namespace

Result<Document> ParseXmlInput(std::string_view text, std::string path) {
  pugi::xml_document xml;
  pugi::xml_parse_result r =
      xml.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_cdata);
  LineIndex lines(text);
  if (!r) {
    DocPos p = lines.At(r.offset);
    return MakeError(ErrorCode::kParse, std::string("malformed XML: ") + r.description(), path,
                     static_cast<int>(p.line), static_cast<int>(p.column));
  }
  pugi::xml_node root = xml.document_element();
  if (!root) {
    return MakeError(ErrorCode::kParse, "malformed XML: no root element", path, 1, 1);
  }
  Document doc(path);
  DocPos pos = lines.At(root.offset_debug());
  std::vector<Document::Member> members;
  members.push_back({std::string(LocalName(root.name())), pos, Convert(doc, root, lines, 1)});
  doc.SetRoot(doc.AddObject(std::move(members), pos));
  return doc;
}

}  // namespace gatehouse
