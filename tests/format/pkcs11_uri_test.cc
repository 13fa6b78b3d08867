// RFC 7512 URIs as `sign pkcs11-*` reads them: every attribute known, none twice, values
// %-decoded, and no value (a PIN above all) in an error message.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/common/temp_dir.h"
#include "verifier/errors.h"
#include "verifier/pkcs11/uri.h"

namespace sigmount::verifier::pkcs11 {
namespace {

std::string parse_error(const std::string& text) {
  try {
    Uri::parse(text);
  } catch (const FormatError& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(Pkcs11Uri, ReadsEveryAttributeOfTheRfcExample) {
  const Uri uri = Uri::parse(
      "pkcs11:library-version=3;token=The%20Software%20PKCS%2311%20Softtoken;"
      "id=%69%95%3E%5C%F4%BD%EC%91;object=my-signing-key;type=private;slot-id=327;"
      "serial=DECC0401648;manufacturer=Snake%20Oil,%20Inc.;model=1.0;"
      "library-manufacturer=Me;library-description=Lib;slot-description=S;slot-manufacturer=M"
      "?pin-source=file:/etc/token&module-name=softhsm2");
  EXPECT_EQ(uri.token, "The Software PKCS#11 Softtoken");
  EXPECT_EQ(uri.id, (Bytes{0x69, 0x95, 0x3E, 0x5C, 0xF4, 0xBD, 0xEC, 0x91}));
  EXPECT_EQ(uri.object, "my-signing-key");
  EXPECT_EQ(uri.type, "private");
  EXPECT_EQ(uri.slot_id, 327U);
  EXPECT_EQ(uri.serial, "DECC0401648");
  EXPECT_EQ(uri.manufacturer, "Snake Oil, Inc.");
  EXPECT_EQ(uri.model, "1.0");
  EXPECT_EQ(uri.library_version, "3");
  EXPECT_EQ(uri.library_manufacturer, "Me");
  EXPECT_EQ(uri.library_description, "Lib");
  EXPECT_EQ(uri.slot_description, "S");
  EXPECT_EQ(uri.slot_manufacturer, "M");
  EXPECT_EQ(uri.pin_source, "file:/etc/token");
  EXPECT_EQ(uri.module_name, "softhsm2");
  EXPECT_FALSE(uri.module_path);
  EXPECT_FALSE(uri.pin_value);
}

TEST(Pkcs11Uri, TheSchemeIsCaseInsensitiveAndMayStandAlone) {
  EXPECT_EQ(Uri::parse("PKCS11:object=k").object, "k");
  EXPECT_FALSE(Uri::parse("pkcs11:").object);
  EXPECT_EQ(Uri::parse("pkcs11:?module-path=/m.so").module_path, "/m.so");
}

TEST(Pkcs11Uri, RefusesWhatItWouldOtherwiseIgnoreOrGuess) {
  EXPECT_NE(parse_error("token=x").find("does not start with 'pkcs11:'"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:colour=red").find("unknown path attribute 'colour'"),
            std::string::npos);
  EXPECT_NE(parse_error("pkcs11:?pin=1").find("unknown query attribute 'pin'"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object=a;object=b").find("'object' appears twice"),
            std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object=a;").find("malformed path attribute"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object").find("malformed path attribute"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:=a").find("malformed path attribute"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:?module-path=/m&").find("malformed query attribute"),
            std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object=%4").find("bad %-escape"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object=%zz").find("bad %-escape"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:slot-id=-1").find("slot-id"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:slot-id=4294967296").find("slot-id"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:slot-id=0x10").find("slot-id"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:library-version=1.2.3").find("library-version"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:type=secret").find("type must be"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:?module-path=lib/m.so").find("must be absolute"),
            std::string::npos);
  EXPECT_NE(parse_error("pkcs11:?module-name=../m").find("without '/'"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:?pin-value=1&pin-source=/p").find("not both"), std::string::npos);
  EXPECT_NE(parse_error("pkcs11:object=" + std::string(kMaxUriBytes, 'a')).find("longer than"),
            std::string::npos);
}

TEST(Pkcs11Uri, ErrorsNeverCarryAValue) {
  for (const std::string uri :
       {"pkcs11:object=s3cr3t;object=s3cr3t", "pkcs11:?pin-value=s3cr3t&pin-value=s3cr3t",
        "pkcs11:?pin-value=s3cr3t&pin-source=/s3cr3t", "pkcs11:?pin-value=s3cr3t%zz",
        "pkcs11:slot-id=s3cr3t"}) {
    const std::string error = parse_error(uri);
    EXPECT_NE(error, "(accepted)") << uri;
    EXPECT_EQ(error.find("s3cr3t"), std::string::npos) << error;
  }
}

TEST(Pkcs11Uri, ThePinComesFromTheValueOrTheSourceFile) {
  EXPECT_FALSE(pin_of(Uri::parse("pkcs11:object=k")));
  EXPECT_EQ(pin_of(Uri::parse("pkcs11:object=k?pin-value=12%2034")), "12 34");
  const testing::TempDir dir;
  const auto file = dir.path() / "pin";
  std::ofstream(file) << "2468\n";
  EXPECT_EQ(pin_of(Uri::parse("pkcs11:?pin-source=" + file.string())), "2468");
  EXPECT_EQ(pin_of(Uri::parse("pkcs11:?pin-source=file:" + file.string())), "2468");
  EXPECT_EQ(pin_of(Uri::parse("pkcs11:?pin-source=file://" + file.string())), "2468");
  EXPECT_THROW(pin_of(Uri::parse("pkcs11:?pin-source=relative/pin")), FormatError);
  EXPECT_THROW(pin_of(Uri::parse("pkcs11:?pin-source=" + (dir.path() / "none").string())),
               std::system_error);
}

}  // namespace
}  // namespace sigmount::verifier::pkcs11
