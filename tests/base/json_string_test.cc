#include <gtest/gtest.h>

#include <string>

#include "gatehouse/base.h"

namespace gatehouse {
namespace {

TEST(BaseJsonString, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\r\t\b\f\x01 <&>\xc3\xa9", 17));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001 <&>\xc3\xa9\"");
}

TEST(BaseJsonString, EscapesHtmlLikeGoWhenAsked) {
  std::string out = "x";
  AppendJsonString(out, "<a&b>", true);
  EXPECT_EQ(out, "x\"\\u003ca\\u0026b\\u003e\"");
}

}  // namespace
}  // namespace gatehouse
