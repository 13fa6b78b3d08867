#include "verifier/format/dsse.h"

#include <gtest/gtest.h>

namespace sigmount::verifier {
namespace {

std::string text(const Bytes& bytes) {
  return std::string(as_chars(bytes));
}

TEST(DssePae, MatchesTheSpecExample) {
  // secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world").
  EXPECT_EQ(text(dsse_pae("http://example.com/HelloWorld", as_bytes("hello world"))),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(DssePae, EmptyPayloadAndBinaryBytes) {
  EXPECT_EQ(text(dsse_pae("", {})), "DSSEv1 0  0 ");
  const Bytes binary = {0, 0xff, ' '};
  EXPECT_EQ(dsse_pae("t", binary),
            (Bytes{'D', 'S', 'S', 'E', 'v', '1', ' ', '1', ' ', 't', ' ', '3', ' ', 0, 0xff, ' '}));
}

TEST(PythonBytesRepr, EscapesLikePython) {
  EXPECT_EQ(python_bytes_repr(as_bytes("")), "b''");
  EXPECT_EQ(python_bytes_repr(as_bytes("{\n  \"a\": 1\t\r}")), "b'{\\n  \"a\": 1\\t\\r}'");
  EXPECT_EQ(python_bytes_repr(as_bytes("it's")), "b\"it's\"");
  EXPECT_EQ(python_bytes_repr(as_bytes("it's \"q\"")), "b'it\\'s \"q\"'");
  EXPECT_EQ(python_bytes_repr(as_bytes("back\\slash")), "b'back\\\\slash'");
  const Bytes high = {0x00, 0x1f, 0x7f, 0x80, 0xff, 'A'};
  EXPECT_EQ(python_bytes_repr(high), "b'\\x00\\x1f\\x7f\\x80\\xffA'");
}

TEST(DssePae, ModelSigning02Compat) {
  EXPECT_EQ(text(dsse_pae_model_signing_v0_2("application/vnd.in-toto+json", as_bytes("{\n}"))),
            "DSSEV1 28 application/vnd.in-toto+json 3 b'{\\n}'");
}

}  // namespace
}  // namespace sigmount::verifier
