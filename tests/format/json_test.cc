// The strict JSON reader: what it accepts equals what nlohmann reads, and everything hostile
// is a FormatError (the differential fuzz target fuzz_json.cc checks the same on random input).
#include "verifier/format/json.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

json::Value parse(std::string_view text) {
  return json::parse(text, "doc");
}

TEST(Json, ReadsWhatNlohmannReads) {
  for (const std::string text : {
           R"({"a":[1,-2,3.5,-0,1e3,18446744073709551615,-9223372036854775808],"b":{}})",
           R"( [ true , false , null , "" , [] , {} ] )",
           R"("esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00 \u0000")",
           "\"raw \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
           "18446744073709551616",  // beyond uint64: a double, as nlohmann reads it
           "-9223372036854775809",
           "1.7976931348623157e308",
           "0.5E-3",
           "\t\r\n 7 \n",
       }) {
    const auto ours = parse(text);
    const auto reference = nlohmann::json::parse(text);
    EXPECT_EQ(ours, reference) << text;
    EXPECT_EQ(ours.type(), reference.type()) << text;
  }
}

TEST(Json, RefusesWhatIsNotJson) {
  for (const std::string text : {
           "",
           " ",
           "{",
           "[1,]",
           "{\"a\":1,}",
           "{\"a\" 1}",
           "{a:1}",
           "[1 2]",
           "01",
           "-",
           "1.",
           ".5",
           "1e",
           "1e+",
           "+1",
           "0x10",
           "NaN",
           "Infinity",
           "tru",
           "nul",
           "\"abc",
           R"("\x")",
           R"("\u12")",
           R"("\ud800")",
           R"("\udc00")",
           R"("\ud800\u0041")",
           "\"tab\there\"",
           "\"\xc0\xaf\"",          // overlong '/'
           "\"\xed\xa0\x80\"",      // a UTF-16 surrogate encoded in UTF-8
           "\"\xf4\x90\x80\x80\"",  // above U+10FFFF
           "\"\xe2\x82\"",          // truncated sequence
           "\"\x80\"",
           "1 2",
           "{} {}",
           "[1]x",
           "1e400",
           "-1e400",
           "\xef\xbb\xbf{}",  // a byte order mark
       }) {
    EXPECT_THROW(parse(text), FormatError) << text;
  }
}

TEST(Json, RefusesDuplicateMembersAtAnyDepth) {
  EXPECT_THROW(parse(R"({"a":1,"a":1})"), FormatError);
  EXPECT_THROW(parse(R"({"x":[{"b":1,"c":2,"b":3}]})"), FormatError);
  EXPECT_NO_THROW(parse(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})"));
  try {
    parse(R"({"k":1,"k":2})");
    ADD_FAILURE() << "duplicate accepted";
  } catch (const FormatError& error) {
    EXPECT_NE(std::string(error.what()).find("duplicate member \"k\""), std::string::npos);
  }
  // The name is hostile input: escaped and cut short in the message.
  const std::string name = "\\u001b[31m" + std::string(1000, 'x');
  try {
    parse("{\"" + name + "\":1,\"" + name + "\":2}");
    ADD_FAILURE() << "duplicate accepted";
  } catch (const FormatError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
    EXPECT_NE(message.find("\\x1b[31m"), std::string::npos) << message;
    EXPECT_LT(message.size(), 200u);
  }
}

TEST(Json, BoundsDepthAndSize) {
  const std::string deep_ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_NO_THROW(parse(deep_ok));
  const std::string too_deep = std::string(65, '[') + std::string(65, ']');
  EXPECT_THROW(parse(too_deep), FormatError);
  // Far beyond any stack: refused by the bound, not by a crash.
  EXPECT_THROW(parse(std::string(1'000'000, '[')), FormatError);
  EXPECT_THROW(json::parse("[1,2,3]", "doc", json::Limits{.max_bytes = 6}), FormatError);
}

TEST(Json, BoundsTheValuesKept) {
  const json::Limits four{.max_values = 4};
  EXPECT_NO_THROW(json::parse("[{},{},{}]", "doc", four));  // the array and three objects
  try {
    json::parse("[{},{},{},{}]", "doc", four);
    ADD_FAILURE() << "kept five values";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("doc: more than 4 values"), std::string::npos) << e.what();
  }
  // Streamed elements are handed on and dropped: only what the document keeps counts.
  std::size_t elements = 0;
  EXPECT_NO_THROW(json::parse_streaming(R"({"r":[{"a":1},{"a":2},{"a":3}]})", "doc", four,
                                        std::array<std::string_view, 1>{"r"},
                                        [&](json::Value&&) { ++elements; }));
  EXPECT_EQ(elements, 3u);
}

TEST(Json, ReadsALongStringInOnePiece) {
  const std::string payload(3'000'000, 'A');
  const auto value = parse(R"({"payload":")" + payload + "\"}");
  EXPECT_EQ(value["payload"].get<std::string>(), payload);
}

// Plain runs are skipped 8 bytes at a time: whatever ends a run must be seen at every offset
// within and across those words.
TEST(Json, FindsTheEndOfAPlainRunAtEveryOffset) {
  const std::string specials[] = {"\\\"", "\\n", "\\u00e9", "\xc3\xa9", "\xf0\x9f\x98\x80"};
  for (std::size_t before = 0; before < 20; ++before) {
    for (std::size_t after = 0; after < 12; ++after) {
      for (const std::string& special : specials) {
        // Appended piece by piece: gcc 12 warns (-Wrestrict, a false positive) on "\"" + ...
        std::string text(1, '"');
        text.append(before, 'x').append(special).append(after, 'y').push_back('"');
        EXPECT_EQ(parse(text), nlohmann::json::parse(text)) << text;
      }
      // A raw control character, DEL (allowed) and a lone continuation byte.
      const std::string plain(before, 'x');
      const std::string tail(after, 'y');
      EXPECT_THROW(parse("\"" + plain + "\x01" + tail + "\""), FormatError);
      EXPECT_THROW(parse("\"" + plain + "\x1f" + tail + "\""), FormatError);
      EXPECT_EQ(parse("\"" + plain + "\x7f" + tail + "\"").get<std::string>(),
                plain + "\x7f" + tail);
      EXPECT_THROW(parse("\"" + plain + "\x80" + tail + "\""), FormatError);
      EXPECT_THROW(parse("\"" + plain + tail), FormatError) << "unterminated";
    }
  }
}

// parse_streaming: the elements of the array at the path, and only those, go to the callback.
struct Streamed {
  json::Value document;
  std::vector<json::Value> elements;
};

Streamed parse_streaming(std::string_view text) {
  static constexpr std::array<std::string_view, 2> kPath = {"p", "r"};
  Streamed out;
  out.document = json::parse_streaming(text, "doc", {}, kPath, [&out](json::Value&& element) {
    out.elements.push_back(std::move(element));
  });
  return out;
}

TEST(JsonStreaming, PassesOnTheElementsAtThePathAndKeepsTheRest) {
  const auto streamed =
      parse_streaming(R"({"x":[1],"p":{"r":[{"n":1},[2],"three",{"r":[4]}],"s":[5]},"r":[6]})");
  ASSERT_EQ(streamed.elements.size(), 4u);
  EXPECT_EQ(streamed.elements[0], parse(R"({"n":1})"));
  EXPECT_EQ(streamed.elements[1], parse("[2]"));
  EXPECT_EQ(streamed.elements[2], parse(R"("three")"));
  // An element that itself holds an "r" array is passed on whole.
  EXPECT_EQ(streamed.elements[3], parse(R"({"r":[4]})"));
  EXPECT_EQ(streamed.document, parse(R"({"x":[1],"p":{"r":[],"s":[5]},"r":[6]})"));
}

TEST(JsonStreaming, StreamsOnlyAnArrayDirectlyAtThePath) {
  for (const std::string text : {
           R"({"p":{"r":{"a":[1]}}})",          // an object at the path
           R"({"p":{"q":{"r":[1]}}})",          // the name one level too deep
           R"({"p":[{"r":[1]}]})",              // an array on the way
           R"({"r":[1],"q":{"p":{"r":[1]}}})",  // the path below the root
           R"([{"p":{"r":[1]}}])",              // the root is not an object
           R"({"p":{"r":[[1]]}})",              // nested: the outer array's element is [1]
       }) {
    const auto streamed = parse_streaming(text);
    const auto plain = parse(text);
    if (text == R"({"p":{"r":[[1]]}})") {
      ASSERT_EQ(streamed.elements.size(), 1u) << text;
      EXPECT_EQ(streamed.elements[0], parse("[1]"));
      continue;
    }
    EXPECT_TRUE(streamed.elements.empty()) << text;
    EXPECT_EQ(streamed.document, plain) << text;
  }
}

TEST(JsonStreaming, RefusesWhatTheParseRefuses) {
  for (const std::string text : {
           R"({"p":{"r":[1,2})",              // unterminated
           R"({"p":{"r":[1],"r":[2]}})",      // duplicate member holding the array
           R"({"p":{"r":[{"a":1,"a":2}]}})",  // duplicate inside an element
           R"({"p":{"r":[1,]}})",             // trailing comma
           R"({"p":{"r":[1]}} x)",            // data after the document
       }) {
    EXPECT_THROW(parse_streaming(text), FormatError) << text;
    EXPECT_THROW(parse(text), FormatError) << text;
  }
  EXPECT_THROW(json::parse_streaming(R"({"p":{"r":[1]}})", "doc", json::Limits{.max_bytes = 4},
                                     std::array<std::string_view, 1>{"p"}, [](json::Value&&) {}),
               FormatError);
}

}  // namespace
}  // namespace sigmount::verifier
