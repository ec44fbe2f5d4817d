#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gatehouse/walk.h"

namespace gatehouse {
namespace {

using Verdict = IgnoreFile::Verdict;

Verdict Check(std::string_view gitignore, std::string_view path, bool is_dir = false,
              std::string base = "") {
  return IgnoreFile::Parse(gitignore, std::move(base)).Match(path, is_dir);
}

bool Ignored(std::string_view gitignore, std::string_view path, bool is_dir = false) {
  return Check(gitignore, path, is_dir) == Verdict::kIgnore;
}

// git's own wildmatch table (t/t3070-wildmatch.sh, first column: wildmatch
// with WM_PATHNAME), minus the rows that need an empty pattern or case
// folding.
struct WildCase {
  bool match;
  const char* text;
  const char* pattern;
};

const WildCase kWildmatchTable[] = {
    {true, "foo", "foo"},
    {false, "foo", "bar"},
    {true, "", ""},
    {true, "foo", "???"},
    {false, "foo", "??"},
    {true, "foo", "*"},
    {true, "foo", "f*"},
    {false, "foo", "*f"},
    {true, "foo", "*foo*"},
    {true, "foobar", "*ob*a*r*"},
    {true, "aaaaaaabababab", "*ab"},
    {true, "foo*", "foo\\*"},
    {false, "foobar", "foo\\*bar"},
    {true, "f\\oo", "f\\\\oo"},
    {true, "ball", "*[al]?"},
    {false, "ten", "[ten]"},
    {true, "ten", "**[!te]"},
    {false, "ten", "**[!ten]"},
    {true, "ten", "t[a-g]n"},
    {false, "ten", "t[!a-g]n"},
    {true, "ton", "t[!a-g]n"},
    {true, "ton", "t[^a-g]n"},
    {true, "a]b", "a[]]b"},
    {true, "a-b", "a[]-]b"},
    {true, "a]b", "a[]-]b"},
    {false, "aab", "a[]-]b"},
    {true, "aab", "a[]a-]b"},
    {true, "]", "]"},
    {false, "foo/baz/bar", "foo*bar"},
    {false, "foo/baz/bar", "foo**bar"},
    {true, "foobazbar", "foo**bar"},
    {true, "foo/baz/bar", "foo/**/bar"},
    {true, "foo/baz/bar", "foo/**/**/bar"},
    {true, "foo/b/a/z/bar", "foo/**/bar"},
    {true, "foo/b/a/z/bar", "foo/**/**/bar"},
    {true, "foo/bar", "foo/**/bar"},
    {true, "foo/bar", "foo/**/**/bar"},
    {false, "foo/bar", "foo?bar"},
    {false, "foo/bar", "foo[/]bar"},
    {false, "foo/bar", "foo[^a-z]bar"},
    {false, "foo/bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r"},
    {true, "foo-bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r"},
    {true, "foo", "**/foo"},
    {true, "XXX/foo", "**/foo"},
    {true, "bar/baz/foo", "**/foo"},
    {false, "bar/baz/foo", "*/foo"},
    {false, "foo/bar/baz", "**/bar*"},
    {true, "deep/foo/bar/baz", "**/bar/*"},
    {false, "deep/foo/bar/baz/", "**/bar/*"},
    {true, "deep/foo/bar/baz/", "**/bar/**"},
    {false, "deep/foo/bar", "**/bar/*"},
    {true, "deep/foo/bar/", "**/bar/**"},
    {false, "foo/bar/baz", "**/bar**"},
    {true, "foo/bar/baz/x", "*/bar/**"},
    {false, "deep/foo/bar/baz/x", "*/bar/**"},
    {true, "deep/foo/bar/baz/x", "**/bar/*/*"},
    {false, "acrt", "a[c-c]st"},
    {true, "acrt", "a[c-c]rt"},
    {false, "]", "[!]-]"},
    {true, "a", "[!]-]"},
    {false, "", "\\"},
    {false, "\\", "\\"},
    {false, "XXX/\\", "*/\\"},
    {true, "XXX/\\", "*/\\\\"},
    {true, "foo", "foo"},
    {true, "@foo", "@foo"},
    {false, "foo", "@foo"},
    {true, "[ab]", "\\[ab]"},
    {true, "[ab]", "[[]ab]"},
    {true, "[ab]", "[[:]ab]"},
    {false, "[ab]", "[[::]ab]"},
    {true, "[ab]", "[[:digit]ab]"},
    {true, "[ab]", "[\\[:]ab]"},
    {true, "?a?b", "\\??\\?b"},
    {true, "abc", "\\a\\b\\c"},
    {false, "foo", ""},
    {true, "foo/bar/baz/to", "**/t[o]"},
    {true, "a1B", "[[:alpha:]][[:digit:]][[:upper:]]"},
    {false, "a", "[[:digit:][:upper:][:space:]]"},
    {true, "A", "[[:digit:][:upper:][:space:]]"},
    {true, "1", "[[:digit:][:upper:][:space:]]"},
    {false, "1", "[[:digit:][:upper:][:spaci:]]"},
    {true, " ", "[[:digit:][:upper:][:space:]]"},
    {false, ".", "[[:digit:][:upper:][:space:]]"},
    {true, ".", "[[:digit:][:punct:][:space:]]"},
    {true, "5", "[[:xdigit:]]"},
    {true, "f", "[[:xdigit:]]"},
    {true, "D", "[[:xdigit:]]"},
    {true, "_",
     "[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:]["
     ":upper:][:xdigit:]]"},
    {true, ".",
     "[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]"},
    {true, "5", "[a-c[:digit:]x-z]"},
    {true, "b", "[a-c[:digit:]x-z]"},
    {true, "y", "[a-c[:digit:]x-z]"},
    {false, "q", "[a-c[:digit:]x-z]"},
    {true, "]", "[\\\\-^]"},
    {false, "[", "[\\\\-^]"},
    {true, "-", "[\\-_]"},
    {true, "]", "[\\]]"},
    {false, "\\]", "[\\]]"},
    {false, "\\", "[\\]]"},
    {false, "ab", "a[]b"},
    {false, "a[]b", "a[]b"},
    {false, "ab[", "ab["},
    {false, "ab", "[!"},
    {false, "ab", "[-"},
    {true, "-", "[-]"},
    {false, "-", "[a-"},
    {false, "-", "[!a-"},
    {true, "-", "[--A]"},
    {true, "5", "[--A]"},
    {true, " ", "[ --]"},
    {true, "$", "[ --]"},
    {true, "-", "[ --]"},
    {false, "0", "[ --]"},
    {true, "-", "[---]"},
    {true, "-", "[------]"},
    {false, "j", "[a-e-n]"},
    {true, "-", "[a-e-n]"},
    {true, "a", "[!------]"},
    {false, "[", "[]-a]"},
    {true, "^", "[]-a]"},
    {false, "^", "[!]-a]"},
    {true, "[", "[!]-a]"},
    {true, "^", "[a^bc]"},
    {true, "-b]", "[a-]b]"},
    {false, "\\", "[\\]"},
    {true, "\\", "[\\\\]"},
    {false, "\\", "[!\\\\]"},
    {true, "G", "[A-\\\\]"},
    {false, "aaabbb", "b*a"},
    {false, "aabcaa", "*ba*"},
    {true, ",", "[,]"},
    {true, ",", "[\\\\,]"},
    {true, "\\", "[\\\\,]"},
    {true, "-", "[,-.]"},
    {false, "+", "[,-.]"},
    {false, "-.]", "[,-.]"},
    {true, "2", "[\\1-\\3]"},
    {true, "3", "[\\1-\\3]"},
    {false, "4", "[\\1-\\3]"},
    {true, "\\", "[[-\\]]"},
    {true, "[", "[[-\\]]"},
    {true, "]", "[[-\\]]"},
    {false, "-", "[[-\\]]"},
    {true, "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1",
     "-*-*-*-*-*-*-12-*-*-*-m-*-*-*"},
    {false, "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1",
     "-*-*-*-*-*-*-12-*-*-*-m-*-*-*"},
    {false, "-adobe-courier-bold-o-normal--12-120-75-75-/-70-iso8859-1",
     "-*-*-*-*-*-*-12-*-*-*-m-*-*-*"},
    {true, "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1",
     "XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*"},
    {false, "XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1",
     "XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*"},
    {true, "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", "**/*a*b*g*n*t"},
    {false, "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", "**/*a*b*g*n*t"},
    {false, "foo", "*/*/*"},
    {false, "foo/bar", "*/*/*"},
    {true, "foo/bba/arr", "*/*/*"},
    {false, "foo/bb/aa/rr", "*/*/*"},
    {true, "foo/bb/aa/rr", "**/**/**"},
    {true, "abcXdefXghi", "*X*i"},
    {false, "ab/cXd/efXg/hi", "*X*i"},
    {true, "ab/cXd/efXg/hi", "*/*X*/*/*i"},
    {true, "ab/cXd/efXg/hi", "**/*X*/**/*i"},
    {false, "foo", "fo"},
    {true, "foo/bar", "foo/bar"},
    {true, "foo/bar", "foo/*"},
    {false, "foo/bba/arr", "foo/*"},
    {true, "foo/bba/arr", "foo/**"},
    {false, "foo/bba/arr", "foo*"},
    {false, "foo/bba/arr", "foo**"},
    {false, "foo/bba/arr", "foo/*arr"},
    {false, "foo/bba/arr", "foo/**arr"},
    {false, "foo/bba/arr", "foo/*z"},
    {false, "foo/bba/arr", "foo/**z"},
    {false, "foo/bar", "foo?bar"},
    {false, "foo/bar", "foo[/]bar"},
    {false, "foo/bar", "foo[^a-z]bar"},
    {false, "ab/cXd/efXg/hi", "*Xg*i"},
    {false, "a", "[A-Z]"},
    {true, "A", "[A-Z]"},
    {false, "A", "[a-z]"},
    {true, "a", "[a-z]"},
    {false, "a", "[[:upper:]]"},
    {true, "A", "[[:upper:]]"},
    {false, "A", "[[:lower:]]"},
    {true, "a", "[[:lower:]]"},
    {false, "A", "[B-Za]"},
    {true, "a", "[B-Za]"},
    {false, "A", "[B-a]"},
    {true, "a", "[B-a]"},
    {false, "z", "[Z-y]"},
    {true, "Z", "[Z-y]"},
};

TEST(WalkGlobTest, GitWildmatchTable) {
  for (const auto& c : kWildmatchTable) {
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match)
        << "pattern '" << c.pattern << "' text '" << c.text << "'";
    EXPECT_EQ(Glob(c.pattern).Match(c.text), c.match)
        << "pattern '" << c.pattern << "' text '" << c.text << "'";
  }
}

TEST(WalkGlobTest, StarDoesNotCrossSlashDoubleStarDoes) {
  EXPECT_TRUE(GlobMatch("*.go", "main.go"));
  EXPECT_FALSE(GlobMatch("*.go", "cmd/main.go"));
  EXPECT_TRUE(GlobMatch("**/*.go", "cmd/main.go"));
  EXPECT_TRUE(GlobMatch("**/*.go", "main.go"));
  EXPECT_TRUE(GlobMatch("vendor/**", "vendor/a/b/c.go"));
  EXPECT_FALSE(GlobMatch("vendor/**", "vendor"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatch("a/**/b", "a/xb"));
  EXPECT_FALSE(GlobMatch("**/b", "ab"));
  EXPECT_FALSE(GlobMatch("**/b", "x/ab"));
  EXPECT_TRUE(GlobMatch("**/b", "x/b"));
  EXPECT_FALSE(GlobMatch("src/?", "src/"));
  EXPECT_TRUE(GlobMatch("src/?", "src/a"));
}

TEST(WalkGlobTest, FastPathsAgreeWithGeneralMatcher) {
  // Each pattern below takes a literal fast path; a class that accepts one
  // byte forces the same pattern through the NFA for comparison.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"*.o", "*[.]o"}, {"lib*", "[l]ib*"},     {"a/b/c", "a/b/[c]"},
      {"*", "[!/]*"},   {"src/**", "[s]rc/**"}, {"*/foo", "*[/]foo"},
  };
  const std::vector<std::string> texts = {"",      "a.o",   ".o",      "x/a.o", "lib",  "libx",
                                          "lib/x", "a/b/c", "a/b/cd",  "src",   "src/", "src/a/b",
                                          "foo",   "a/foo", "a/b/foo", "/foo"};
  for (const auto& [fast, general] : pairs) {
    for (const auto& text : texts) {
      // "*[/]foo" can never match (a class never matches '/'), so compare
      // "*/foo" with a hand-written expectation instead.
      if (general == "*[/]foo") {
        EXPECT_EQ(GlobMatch(fast, text), text == "a/foo" || text == "/foo") << text;
        continue;
      }
      if (general == "[!/]*" && text.empty()) continue;  // the class needs one byte
      EXPECT_EQ(GlobMatch(fast, text), GlobMatch(general, text)) << fast << " vs " << text;
    }
  }
}

TEST(WalkGlobTest, PathologicalPatternIsFast) {
  // Backtracking matchers take exponential time on this; the NFA is linear.
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "*a";
  pattern += "b";
  std::string text(4000, 'a');
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_FALSE(GlobMatch("**/" + pattern, text + "/" + text));
}

TEST(WalkGlobTest, LongPatternUsesHeapBitset) {
  std::string pattern(300, '?');
  EXPECT_TRUE(GlobMatch(pattern + "*", std::string(300, 'x')));
  EXPECT_FALSE(GlobMatch(pattern + "*", std::string(299, 'x')));
  EXPECT_TRUE(GlobMatch("**/" + pattern, "d/" + std::string(300, 'x')));
}

TEST(WalkGitignoreTest, BlankLinesAndComments) {
  const char* text = "\n# comment\n   \n#*.c\n";
  EXPECT_EQ(Check(text, "x.c"), Verdict::kNone);
  EXPECT_EQ(Check(text, "# comment"), Verdict::kNone);
  EXPECT_EQ(Check(text, "   "), Verdict::kNone);
}

TEST(WalkGitignoreTest, EscapedHashAndBang) {
  EXPECT_TRUE(Ignored("\\#notes", "#notes"));
  EXPECT_TRUE(Ignored("\\!important", "!important"));
  EXPECT_FALSE(Ignored("\\!important", "important"));
  // A '#' that is not first is an ordinary character.
  EXPECT_TRUE(Ignored("a#b", "a#b"));
}

TEST(WalkGitignoreTest, TrailingSpacesTrimmedUnlessEscaped) {
  EXPECT_TRUE(Ignored("foo   ", "foo"));
  EXPECT_FALSE(Ignored("foo   ", "foo   "));
  EXPECT_TRUE(Ignored("foo\\ ", "foo "));
  EXPECT_FALSE(Ignored("foo\\ ", "foo"));
  EXPECT_TRUE(Ignored("foo\\  ", "foo "));  // escaped space kept, the next one trimmed
  // Only spaces are trimmed, not tabs.
  EXPECT_FALSE(Ignored("foo\t", "foo"));
  EXPECT_TRUE(Ignored("foo\t", "foo\t"));
}

TEST(WalkGitignoreTest, CrlfBomAndMissingFinalNewline) {
  EXPECT_TRUE(Ignored("a\r\nb\r\n", "a"));
  EXPECT_TRUE(Ignored("a\r\nb\r\n", "b"));
  EXPECT_TRUE(Ignored("\xEF\xBB\xBF*.log", "x.log"));
  EXPECT_TRUE(Ignored("x\ny", "y"));
}

TEST(WalkGitignoreTest, NegationLastLineWins) {
  const char* text = "*.o\n!keep.o\n";
  EXPECT_EQ(Check(text, "a.o"), Verdict::kIgnore);
  EXPECT_EQ(Check(text, "keep.o"), Verdict::kInclude);
  EXPECT_EQ(Check("!keep.o\n*.o\n", "keep.o"), Verdict::kIgnore);
}

TEST(WalkGitignoreTest, SlashlessPatternMatchesAtAnyDepth) {
  EXPECT_TRUE(Ignored("build", "build", true));
  EXPECT_TRUE(Ignored("build", "a/b/build", true));
  EXPECT_TRUE(Ignored("build", "a/b/build"));
  EXPECT_TRUE(Ignored("*.o", "deep/dir/x.o"));
}

TEST(WalkGitignoreTest, LeadingOrMiddleSlashAnchors) {
  EXPECT_TRUE(Ignored("/build", "build", true));
  EXPECT_FALSE(Ignored("/build", "a/build", true));
  EXPECT_TRUE(Ignored("doc/*.txt", "doc/a.txt"));
  EXPECT_FALSE(Ignored("doc/*.txt", "x/doc/a.txt"));
  EXPECT_FALSE(Ignored("doc/*.txt", "doc/sub/a.txt"));
  EXPECT_TRUE(Ignored("/*.c", "a.c"));
  EXPECT_FALSE(Ignored("/*.c", "d/a.c"));
}

TEST(WalkGitignoreTest, TrailingSlashMeansDirectoryOnly) {
  EXPECT_TRUE(Ignored("out/", "out", true));
  EXPECT_FALSE(Ignored("out/", "out", false));
  EXPECT_TRUE(Ignored("out/", "a/out", true));  // still slashless: any depth
  EXPECT_TRUE(Ignored("a/out/", "a/out", true));
  EXPECT_FALSE(Ignored("a/out/", "b/a/out", true));
}

TEST(WalkGitignoreTest, DoubleStarForms) {
  EXPECT_TRUE(Ignored("**/foo", "foo"));
  EXPECT_TRUE(Ignored("**/foo", "a/b/foo"));
  EXPECT_TRUE(Ignored("**/foo/bar", "x/foo/bar"));
  EXPECT_TRUE(Ignored("abc/**", "abc/x/y"));
  EXPECT_FALSE(Ignored("abc/**", "abc", true));
  EXPECT_TRUE(Ignored("a/**/b", "a/b"));
  EXPECT_TRUE(Ignored("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(Ignored("a/**/b", "x/a/b"));
}

TEST(WalkGitignoreTest, DoubleStarAfterLiteralPrefixCrossesDirectories) {
  // git strips the literal prefix "foo" before calling wildmatch, which then
  // sees `**` at the start of its pattern. Pin that quirk.
  EXPECT_TRUE(Ignored("foo**/bar", "foo/x/bar"));
  EXPECT_TRUE(Ignored("foo**/bar", "foox/bar"));
  EXPECT_TRUE(Ignored("a/b**", "a/bx/y/z"));
  EXPECT_FALSE(GlobMatch("a/b**", "a/bx/y/z"));
}

TEST(WalkGitignoreTest, ClassesAndWildcards) {
  EXPECT_TRUE(Ignored("*.[oa]", "x.o"));
  EXPECT_TRUE(Ignored("*.[oa]", "x.a"));
  EXPECT_FALSE(Ignored("*.[oa]", "x.c"));
  EXPECT_TRUE(Ignored("[!a]*", "b"));
  EXPECT_FALSE(Ignored("[!a]*", "abc"));
  EXPECT_TRUE(Ignored("[^a]*", "b"));
  EXPECT_TRUE(Ignored("file?.txt", "file1.txt"));
  EXPECT_FALSE(Ignored("file?.txt", "file10.txt"));
  EXPECT_TRUE(Ignored("v[0-9].[0-9]", "v1.2"));
}

TEST(WalkGitignoreTest, NestedBaseOnlyAppliesBelowIt) {
  EXPECT_EQ(Check("*.txt", "sub/a.txt", false, "sub"), Verdict::kIgnore);
  EXPECT_EQ(Check("*.txt", "other/a.txt", false, "sub"), Verdict::kNone);
  EXPECT_EQ(Check("/a.txt", "sub/a.txt", false, "sub"), Verdict::kIgnore);
  EXPECT_EQ(Check("/a.txt", "sub/x/a.txt", false, "sub"), Verdict::kNone);
  EXPECT_EQ(Check("x/*.txt", "sub/x/a.txt", false, "sub/"), Verdict::kIgnore);
  // The directory holding the .gitignore is not below it.
  EXPECT_EQ(Check("sub", "sub", true, "sub"), Verdict::kNone);
}

TEST(WalkGitignoreTest, DegenerateLinesMatchNothing) {
  for (const char* text : {"!", "/", "//", "\\", "[", "[[:nope:]]", "foo\\", "\r", "!/"}) {
    EXPECT_EQ(Check(text, "foo"), Verdict::kNone) << text;
    EXPECT_EQ(Check(text, "foo", true), Verdict::kNone) << text;
    EXPECT_EQ(Check(text, "a/foo", true), Verdict::kNone) << text;
  }
}

TEST(WalkGitignoreTest, IndexedFileAgreesWithLineByLine) {
  // Files over a few lines are indexed (exact names, exact paths, extension
  // buckets); the verdict must equal "last single line that matches".
  const std::vector<std::string> lines = {
      "*.o",         "!keep.o", "Makefile",  "!Makefile", "/build",  "build/",  "*.tar.gz",
      "!*.gz",       "*.gz",    "docs/",     "/docs/x",   "*.[ch]",  "!main.c", ".*",
      "!.gitignore", "a/**",    "foo",       "foo/",      "!foo",    "*~",      "x.o",
      "/sub/x.o",    "*.so.1",  "!lib.so.1", "sub/*.txt", "**/gen/", "!a/keep"};
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  const IgnoreFile all = IgnoreFile::Parse(text, "");
  std::vector<IgnoreFile> singles;
  for (const auto& l : lines) singles.push_back(IgnoreFile::Parse(l, ""));
  const std::vector<std::string> paths = {
      "x.o",     "keep.o",   "sub/x.o",    "d/sub/x.o", "Makefile", "a/Makefile", "build",
      "a/build", "a.tar.gz", "b.gz",       "docs",      "docs/x",   "q/docs",     "main.c",
      "util.h",  ".env",     ".gitignore", "a/b",       "a/keep",   "foo",        "x/foo",
      "f~",      "lib.so.1", "libz.so.1",  "sub/a.txt", "gen",      "a/gen",      "plain",
      "no.ext.", ".o",       "o"};
  for (const auto& path : paths) {
    for (bool is_dir : {false, true}) {
      Verdict expected = Verdict::kNone;
      for (auto it = singles.rbegin(); it != singles.rend(); ++it) {
        if (auto v = it->Match(path, is_dir); v != Verdict::kNone) {
          expected = v;
          break;
        }
      }
      EXPECT_EQ(all.Match(path, is_dir), expected) << path << (is_dir ? "/" : "");
    }
  }
}

TEST(WalkGitignoreTest, LineEndsAtNul) {
  EXPECT_TRUE(Ignored(std::string_view("abc\0def\n", 8), "abc"));
  EXPECT_FALSE(Ignored(std::string_view("abc\0def\n", 8), "abcdef"));
}

}  // namespace
}  // namespace gatehouse
