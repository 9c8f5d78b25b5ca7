#include "reel/chunk/entity_path.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace reel {
namespace {

using Parts = std::vector<std::string>;

std::string parse_error(std::string_view text) {
  auto r = EntityPath::parse(text);
  EXPECT_FALSE(r.ok()) << "'" << text << "' parsed as " << r->str();
  return r.ok() ? std::string() : r.status().message();
}

std::string filter_error(std::string_view expression) {
  auto r = EntityPathFilter::parse(expression);
  EXPECT_FALSE(r.ok()) << "'" << expression << "' parsed as " << r->to_string();
  return r.ok() ? std::string() : r.status().message();
}

// ---------------------------------------------------------------------------------------
// EntityPath: parsing

TEST(EntityPathTest, StrictParseSplitsParts) {
  auto p = EntityPath::parse("/world/robot/lidar");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->parts(), (Parts{"world", "robot", "lidar"}));
  EXPECT_EQ(p->size(), 3u);
  EXPECT_EQ(p->str(), "/world/robot/lidar");
}

TEST(EntityPathTest, StrictParseAcceptsAPathWithoutLeadingSlash) {
  EXPECT_EQ(EntityPath::parse("world/robot")->parts(), (Parts{"world", "robot"}));
}

TEST(EntityPathTest, StrictParseOfSlashIsTheRoot) {
  auto p = EntityPath::parse("/");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->is_root());
  EXPECT_EQ(*p, EntityPath::root());
}

TEST(EntityPathTest, StrictParseRejectsEmptyText) {
  EXPECT_EQ(parse_error(""), "empty entity path");
}

TEST(EntityPathTest, StrictParseRejectsDoubleSlashNamingThePosition) {
  EXPECT_EQ(parse_error("/a//b"),
            "entity path '/a//b' at position 3: empty part (double slash or trailing slash)");
  EXPECT_EQ(parse_error("//a"),
            "entity path '//a' at position 1: empty part (double slash or trailing slash)");
}

// Regression: "/a/b/" was accepted as /a/b although the trailing slash ends an empty part.
TEST(EntityPathTest, StrictParseRejectsTrailingSlash) {
  EXPECT_EQ(parse_error("/a/b/"),
            "entity path '/a/b/' at position 4: empty part (double slash or trailing slash)");
  EXPECT_EQ(parse_error("a/"),
            "entity path 'a/' at position 1: empty part (double slash or trailing slash)");
  // An escaped slash at the end is part of the last part, not a separator.
  auto escaped = EntityPath::parse("/a/b\\/");
  ASSERT_TRUE(escaped.ok()) << escaped.status().to_string();
  EXPECT_EQ(escaped->parts(), (Parts{"a", "b/"}));
}

TEST(EntityPathTest, StrictParseRejectsTrailingBackslash) {
  EXPECT_EQ(parse_error("/a/b\\"), "entity path '/a/b\\' at position 4: trailing backslash");
}

TEST(EntityPathTest, StrictParseRejectsUnescapedSpecialCharacters) {
  EXPECT_EQ(parse_error("/world/robot arm"),
            "entity path '/world/robot arm' at position 12: character ' ' must be escaped with "
            "a backslash");
  EXPECT_EQ(parse_error("/a/b*"),
            "entity path '/a/b*' at position 4: character '*' must be escaped with a backslash");
}

TEST(EntityPathTest, StrictParseRejectsBadUnicodeEscapes) {
  const std::string what = ": bad \\u{...} escape";
  EXPECT_EQ(parse_error("/a/\\u{}"), "entity path '/a/\\u{}' at position 3" + what);
  EXPECT_EQ(parse_error("/a/\\u{zz}"), "entity path '/a/\\u{zz}' at position 3" + what);
  EXPECT_EQ(parse_error("/a/\\u{41"), "entity path '/a/\\u{41' at position 3" + what);
  EXPECT_EQ(parse_error("/a/\\u{110000}"), "entity path '/a/\\u{110000}' at position 3" + what);
  EXPECT_EQ(parse_error("/a/\\u{1000000}"), "entity path '/a/\\u{1000000}' at position 3" + what);
}

// Regression: `\u{D800}` decoded to the bytes ED A0 80, which are not UTF-8 (a surrogate is
// not a character), so the part could not be handed to Python or JSON.
TEST(EntityPathTest, StrictParseRejectsSurrogateEscapes) {
  EXPECT_EQ(parse_error("/\\u{D800}"),
            "entity path '/\\u{D800}' at position 1: bad \\u{...} escape");
  EXPECT_EQ(parse_error("/\\u{dfff}"),
            "entity path '/\\u{dfff}' at position 1: bad \\u{...} escape");
  EXPECT_EQ(EntityPath::parse("/\\u{D7FF}")->parts(), (Parts{"\xED\x9F\xBF"}));
}

TEST(EntityPathTest, StrictParseDecodesEscapes) {
  auto p = EntityPath::parse("/world/robot\\ arm/a\\/b/back\\\\slash");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->parts(), (Parts{"world", "robot arm", "a/b", "back\\slash"}));
}

TEST(EntityPathTest, StrictParseDecodesUnicodeEscapesToUtf8) {
  auto p = EntityPath::parse("/caf\\u{e9}/\\u{1F916}/\\u{41}");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->parts(), (Parts{"caf\xC3\xA9", "\xF0\x9F\xA4\x96", "A"}));
}

TEST(EntityPathTest, StrictParseKeepsNonAsciiTextAsIs) {
  auto p = EntityPath::parse("/café/ロボット");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->parts(), (Parts{"café", "ロボット"}));
  EXPECT_EQ(p->str(), "/café/ロボット");
  EXPECT_EQ(*p, EntityPath::parse("/caf\\u{e9}/ロボット").value());
}

TEST(EntityPathTest, LenientParseIgnoresExtraSlashes) {
  EXPECT_EQ(EntityPath("//world///robot/").parts(), (Parts{"world", "robot"}));
  EXPECT_EQ(EntityPath("world").parts(), (Parts{"world"}));
  EXPECT_TRUE(EntityPath("").is_root());
  EXPECT_TRUE(EntityPath("///").is_root());
}

TEST(EntityPathTest, LenientParseKeepsWhatStrictParseRejects) {
  EXPECT_EQ(EntityPath("/world/robot arm").parts(), (Parts{"world", "robot arm"}));
  EXPECT_EQ(EntityPath("/a\\").parts(), (Parts{"a\\"}));            // trailing backslash kept
  EXPECT_EQ(EntityPath("/a\\q").parts(), (Parts{"aq"}));            // unknown escape: the char
  EXPECT_EQ(EntityPath("/\\u{zz}").parts(), (Parts{"u{zz}"}));      // bad \u: literal text
  EXPECT_EQ(EntityPath("/\\u{D800}").parts(), (Parts{"u{D800}"}));  // surrogate: literal text
}

TEST(EntityPathTest, LenientAndStrictParseAgreeOnWellFormedPaths) {
  for (const char* text : {"/", "/a", "/world/robot\\ arm", "/x/\\u{1F916}/\\/"}) {
    EXPECT_EQ(EntityPath(text), EntityPath::parse(text).value()) << text;
  }
}

// ---------------------------------------------------------------------------------------
// EntityPath: written form

TEST(EntityPathTest, DisplayEscapesOddCharacters) {
  EXPECT_EQ(EntityPath(Parts{"world", "robot arm"}).str(), "/world/robot\\ arm");
  EXPECT_EQ(EntityPath(Parts{"a/b"}).str(), "/a\\/b");
  EXPECT_EQ(EntityPath(Parts{"back\\slash"}).str(), "/back\\\\slash");
  EXPECT_EQ(EntityPath(Parts{"x*y:z"}).str(), "/x\\*y\\:z");
  EXPECT_EQ(EntityPath(Parts{"Plain_name-1.0"}).str(), "/Plain_name-1.0");
  EXPECT_EQ(EntityPath(Parts{"café"}).str(), "/café");
  EXPECT_EQ(EntityPath::root().str(), "/");
}

// Regression: control characters were written raw after a backslash, so a path with a newline
// broke `reel print` lines and log output; they are written as \u{..} now.
TEST(EntityPathTest, DisplayWritesControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(EntityPath(Parts{"line\nbreak"}).str(), "/line\\u{A}break");
  EXPECT_EQ(EntityPath(Parts{std::string("nul\0tab\t", 8)}).str(), "/nul\\u{0}tab\\u{9}");
  EXPECT_EQ(EntityPath(Parts{"del\x7f"}).str(), "/del\\u{7F}");
}

TEST(EntityPathTest, EscapePartEscapesOnePart) {
  EXPECT_EQ(EntityPath::escape_part("robot arm/2"), "robot\\ arm\\/2");
  EXPECT_EQ(EntityPath::escape_part("plain"), "plain");
  EXPECT_EQ(EntityPath::escape_part(""), "");
}

TEST(EntityPathTest, ParseOfWrittenFormRoundTrips) {
  const std::vector<Parts> cases = {
      {},
      {"world"},
      {"world", "robot arm", "lidar"},
      {"a/b", "c\\d", "e f\tg"},
      {"café", "ロボット", "\xF0\x9F\xA4\x96"},
      {"u{41}", "\\u{41}", "{}", "}"},
      {"line\nbreak", std::string("nul\0x", 5), "del\x7f"},
      {"!\"#$%&'()*+,:;<=>?@[]^`{|}~"},
      {"-", ".", "..", "_"},
  };
  for (const auto& parts : cases) {
    EntityPath p(parts);
    auto strict = EntityPath::parse(p.str());
    ASSERT_TRUE(strict.ok()) << p.str() << ": " << strict.status().to_string();
    EXPECT_EQ(strict->parts(), parts) << p.str();
    EXPECT_EQ(*strict, p) << p.str();
    EXPECT_EQ(EntityPath(p.str()), p) << p.str();  // the lenient parse too
  }
}

// Regression: EntityPath({"a", ""}) was written "/a/", which does not parse back to it (and,
// with trailing slashes rejected, a chunk of that entity could not be read from a file).
TEST(EntityPathTest, EmptyPartsAreDroppedLikeTheLenientParseDoes) {
  EXPECT_EQ(EntityPath(Parts{"a", "", "b"}).parts(), (Parts{"a", "b"}));
  EXPECT_EQ(EntityPath(Parts{""}), EntityPath::root());
  EXPECT_EQ(EntityPath("/a").join(""), EntityPath("/a"));
  EXPECT_EQ(EntityPath(Parts{"a", ""}).str(), "/a");
}

// ---------------------------------------------------------------------------------------
// EntityPath: hierarchy

TEST(EntityPathTest, RootIsDefaultAndHasNoParts) {
  EntityPath root;
  EXPECT_TRUE(root.is_root());
  EXPECT_EQ(root.size(), 0u);
  EXPECT_EQ(root, EntityPath::root());
  EXPECT_EQ(root, EntityPath("/"));
  EXPECT_EQ(root.parent(), root);
}

TEST(EntityPathTest, ParentWalksUpToTheRoot) {
  EntityPath p("/world/robot/lidar");
  EXPECT_EQ(p.parent(), EntityPath("/world/robot"));
  EXPECT_EQ(p.parent().parent(), EntityPath("/world"));
  EXPECT_EQ(p.parent().parent().parent(), EntityPath::root());
}

TEST(EntityPathTest, JoinAppendsOnePartVerbatim) {
  EntityPath p = EntityPath("/world").join("robot arm").join("a/b");
  EXPECT_EQ(p.parts(), (Parts{"world", "robot arm", "a/b"}));
  EXPECT_EQ(p.str(), "/world/robot\\ arm/a\\/b");
  EXPECT_EQ(EntityPath::root().join("world"), EntityPath("/world"));
}

TEST(EntityPathTest, IsDescendantOfIsAStrictPrefixByParts) {
  EntityPath world("/world"), robot("/world/robot"), lidar("/world/robot/lidar");
  EXPECT_TRUE(robot.is_descendant_of(world));
  EXPECT_TRUE(lidar.is_descendant_of(world));
  EXPECT_TRUE(world.is_descendant_of(EntityPath::root()));
  EXPECT_FALSE(world.is_descendant_of(world));
  EXPECT_FALSE(world.is_descendant_of(robot));
  EXPECT_FALSE(EntityPath::root().is_descendant_of(EntityPath::root()));
  EXPECT_FALSE(EntityPath("/worlds").is_descendant_of(world));  // parts, not text
  EXPECT_FALSE(EntityPath("/world2/robot").is_descendant_of(world));
}

TEST(EntityPathTest, StartsWithIncludesTheSamePath) {
  EntityPath world("/world");
  EXPECT_TRUE(world.starts_with(world));
  EXPECT_TRUE(EntityPath("/world/a").starts_with(world));
  EXPECT_TRUE(world.starts_with(EntityPath::root()));
  EXPECT_FALSE(EntityPath("/worldly").starts_with(world));
  EXPECT_FALSE(EntityPath::root().starts_with(world));
}

TEST(EntityPathTest, EqualPathsHashEqualAndOrderByParts) {
  EntityPath a = EntityPath::parse("/world/robot\\ arm").value();
  EntityPath b(Parts{"world", "robot arm"});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_FALSE(EntityPath("/a/b") == EntityPath(Parts{"a/b"}));
  std::unordered_set<EntityPath> set = {a, b, EntityPath("/world")};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(EntityPath("/a") < EntityPath("/a/b"));
  EXPECT_TRUE(EntityPath("/a/z") < EntityPath("/b"));
  EXPECT_TRUE(EntityPath::root() < EntityPath("/a"));
}

// ---------------------------------------------------------------------------------------
// EntityPathFilter

TEST(EntityPathFilterTest, SubtreeRuleMatchesTheEntityAndItsDescendants) {
  auto f = EntityPathFilter::parse("/world/**").value();
  ASSERT_EQ(f.rules().size(), 1u);
  EXPECT_TRUE(f.rules()[0].include);
  EXPECT_TRUE(f.rules()[0].subtree);
  EXPECT_EQ(f.rules()[0].path, EntityPath("/world"));
  EXPECT_TRUE(f.matches(EntityPath("/world")));
  EXPECT_TRUE(f.matches(EntityPath("/world/robot/lidar")));
  EXPECT_FALSE(f.matches(EntityPath("/worlds")));
  EXPECT_FALSE(f.matches(EntityPath::root()));
  EXPECT_FALSE(f.matches(EntityPath("/other/world")));
}

TEST(EntityPathFilterTest, ExactRuleMatchesOnlyThatEntity) {
  auto f = EntityPathFilter::parse("/world").value();
  ASSERT_EQ(f.rules().size(), 1u);
  EXPECT_FALSE(f.rules()[0].subtree);
  EXPECT_TRUE(f.matches(EntityPath("/world")));
  EXPECT_FALSE(f.matches(EntityPath("/world/robot")));
  EXPECT_FALSE(f.matches(EntityPath::root()));
}

TEST(EntityPathFilterTest, ExclusionRemovesASubtree) {
  auto f = EntityPathFilter::parse("/world/** -/world/debug/**").value();
  ASSERT_EQ(f.rules().size(), 2u);
  EXPECT_FALSE(f.rules()[1].include);
  EXPECT_TRUE(f.matches(EntityPath("/world")));
  EXPECT_TRUE(f.matches(EntityPath("/world/robot")));
  EXPECT_FALSE(f.matches(EntityPath("/world/debug")));
  EXPECT_FALSE(f.matches(EntityPath("/world/debug/rays")));
  EXPECT_TRUE(f.matches(EntityPath("/world/debugger")));
}

TEST(EntityPathFilterTest, LaterRulesWin) {
  auto excluded_last = EntityPathFilter::parse("/world/** -/world/x/**").value();
  EXPECT_FALSE(excluded_last.matches(EntityPath("/world/x/y")));
  auto included_last = EntityPathFilter::parse("-/world/x/** /world/**").value();
  EXPECT_TRUE(included_last.matches(EntityPath("/world/x/y")));
}

TEST(EntityPathFilterTest, ExactIncludeInsideAnExcludedSubtree) {
  auto f = EntityPathFilter::parse("/world/** -/world/debug/** +/world/debug/keep").value();
  EXPECT_TRUE(f.matches(EntityPath("/world/debug/keep")));
  EXPECT_FALSE(f.matches(EntityPath("/world/debug/keep/child")));
  EXPECT_FALSE(f.matches(EntityPath("/world/debug/other")));
  EXPECT_TRUE(f.matches(EntityPath("/world/robot")));
}

TEST(EntityPathFilterTest, NoMatchingRuleMeansExcluded) {
  EXPECT_FALSE(EntityPathFilter().matches(EntityPath("/world")));
  EXPECT_FALSE(EntityPathFilter::parse("").value().matches(EntityPath::root()));
  EXPECT_FALSE(EntityPathFilter::parse("/a/**").value().matches(EntityPath("/b")));
}

TEST(EntityPathFilterTest, AllMatchesEverythingIncludingTheRoot) {
  auto f = EntityPathFilter::all();
  EXPECT_TRUE(f.matches(EntityPath::root()));
  EXPECT_TRUE(f.matches(EntityPath("/a/b/c")));
  ASSERT_EQ(f.rules().size(), 1u);
  EXPECT_TRUE(f.rules()[0].path.is_root());
  EXPECT_TRUE(f.rules()[0].subtree);
}

TEST(EntityPathFilterTest, RulesAreSeparatedByAnyWhitespace) {
  auto f = EntityPathFilter::parse("  /a/**\n\t-/a/b\r\n+/c\n\n").value();
  ASSERT_EQ(f.rules().size(), 3u);
  EXPECT_EQ(f.to_string(), "+/a/** -/a/b +/c");
  EXPECT_TRUE(f.matches(EntityPath("/a/x")));
  EXPECT_FALSE(f.matches(EntityPath("/a/b")));
  EXPECT_TRUE(f.matches(EntityPath("/a/b/c")));
  EXPECT_TRUE(f.matches(EntityPath("/c")));
}

TEST(EntityPathFilterTest, EscapedWhitespaceStaysInsideARule) {
  auto f = EntityPathFilter::parse("/world/robot\\ arm/** -/world/robot\\ arm/x").value();
  ASSERT_EQ(f.rules().size(), 2u);
  EXPECT_EQ(f.rules()[0].path.parts(), (Parts{"world", "robot arm"}));
  EXPECT_TRUE(f.matches(EntityPath(Parts{"world", "robot arm", "y"})));
  EXPECT_FALSE(f.matches(EntityPath(Parts{"world", "robot arm", "x"})));
}

TEST(EntityPathFilterTest, ToStringParsesBackToTheSameRules) {
  auto f = EntityPathFilter::parse("/** -/world/robot\\ arm/** /world/robot\\ arm/keep /").value();
  EXPECT_EQ(f.to_string(), "+/** -/world/robot\\ arm/** +/world/robot\\ arm/keep +/");
  auto back = EntityPathFilter::parse(f.to_string()).value();
  ASSERT_EQ(back.rules().size(), f.rules().size());
  for (size_t i = 0; i < f.rules().size(); ++i) {
    EXPECT_EQ(back.rules()[i].include, f.rules()[i].include) << i;
    EXPECT_EQ(back.rules()[i].subtree, f.rules()[i].subtree) << i;
    EXPECT_EQ(back.rules()[i].path, f.rules()[i].path) << i;
  }
}

TEST(EntityPathFilterTest, AddRuleAppendsALaterRule) {
  auto f = EntityPathFilter::parse("/world/**").value();
  f.add_rule({false, EntityPath("/world/x"), false});
  EXPECT_FALSE(f.matches(EntityPath("/world/x")));
  EXPECT_TRUE(f.matches(EntityPath("/world/x/y")));
}

TEST(EntityPathFilterTest, EmptyRuleIsAnErrorNamingThePosition) {
  EXPECT_EQ(filter_error("/a/** -"), "entity path filter '/a/** -': empty rule at position 6");
  EXPECT_EQ(filter_error("+"), "entity path filter '+': empty rule at position 0");
}

TEST(EntityPathFilterTest, BadPathInARuleNamesTheRuleAndPosition) {
  EXPECT_EQ(filter_error("/a/** -/a//b/**"),
            "entity path filter '/a/** -/a//b/**': entity path '/a//b' at position 3: empty part "
            "(double slash or trailing slash)");
  EXPECT_EQ(filter_error("/world/*"),
            "entity path filter '/world/*': entity path '/world/*' at position 7: character '*' "
            "must be escaped with a backslash");
}

// Regression: "/wor**" was read as the subtree of /wor, silently not matching /world; `**`
// only means a subtree as a whole last part ("/world/**", or "/**" / "**" for everything).
TEST(EntityPathFilterTest, DoubleStarMustBeAWholePart) {
  EXPECT_EQ(filter_error("/wor**"),
            "entity path filter '/wor**': entity path '/wor**' at position 4: character '*' "
            "must be escaped with a backslash");
  auto everything = EntityPathFilter::parse("**");
  ASSERT_TRUE(everything.ok()) << everything.status().to_string();
  EXPECT_TRUE(everything->matches(EntityPath("/anything")));
}

TEST(EntityPathTest, BytesThatAreNotUtf8AreRefusedOrReplaced) {
  auto strict = EntityPath::parse("/world/\xff/x");
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message(),
            "entity path: invalid UTF-8 at byte 7 of \"/world/\\xff/x\"");
  // The lenient form used by logging calls never fails and never keeps the bad byte.
  EntityPath lenient("/world/\xff/x");
  EXPECT_EQ(lenient.str(), "/world/\xEF\xBF\xBD/x");
  ASSERT_TRUE(EntityPath::parse(lenient.str()).ok());
  EXPECT_TRUE(EntityPath::parse("/w\xC3\xA9lt").ok());
}

}  // namespace
}  // namespace reel
