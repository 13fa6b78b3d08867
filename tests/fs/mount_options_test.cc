// How an -o argument becomes options: split_option_list (shared by the FUSE session and the
// mount.fuse helper) and the option string libfuse gets.
#include "fs/mount_options.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fs/fuse_session.h"

namespace sigmount::fs {
namespace {

using Options = std::vector<std::string>;

TEST(SplitOptionList, SplitsAtEveryCommaInOrder) {
  EXPECT_EQ(split_option_list("allow_other"), Options({"allow_other"}));
  EXPECT_EQ(split_option_list("b,a,c"), Options({"b", "a", "c"}));
  EXPECT_EQ(split_option_list("sigmount.key=/k.pub,max_read=4096"),
            Options({"sigmount.key=/k.pub", "max_read=4096"}));
}

TEST(SplitOptionList, DropsEmptyItems) {
  EXPECT_EQ(split_option_list(""), Options());
  EXPECT_EQ(split_option_list(","), Options());
  EXPECT_EQ(split_option_list(",,a,,b,"), Options({"a", "b"}));
}

TEST(SplitOptionList, HasNoEscapingQuotingOrTrimming) {
  EXPECT_EQ(split_option_list("a\\,b"), Options({"a\\", "b"}));
  EXPECT_EQ(split_option_list("\"a,b\""), Options({"\"a", "b\""}));
  EXPECT_EQ(split_option_list(" a , b"), Options({" a ", " b"}));
  EXPECT_EQ(split_option_list("x=1,2"), Options({"x=1", "2"}));
}

TEST(SplitNonempty, SplitsAtTheGivenSeparatorOnly) {
  // sigmount.ca=CA1:CA2 (paths may hold commas, never colons here).
  EXPECT_EQ(split_nonempty("/etc/a.pem::/etc/b,c.pem:", ':'),
            Options({"/etc/a.pem", "/etc/b,c.pem"}));
  EXPECT_EQ(split_nonempty(":", ':'), Options());
}

TEST(FuseOptionString, SplitsEachEntryAndDropsWhatIsNotForFuse) {
  MountOptions options;
  options.fuse_options = {"allow_other,,ro,defaults", "x-systemd.automount,max_read=4096,",
                          "fsname=other,subtype=other"};
  EXPECT_EQ(fuse_option_string(options, "/models/a b"),
            "ro,nosuid,nodev,default_permissions,subtype=sigmount,fsname=/models/a_b,"
            "allow_other,max_read=4096");
}

TEST(FuseOptionString, AModelMountIsNosuidAndNodevWhateverTheLineSays) {
  // mount.fuse3 appends mount(8)'s "dev,suid" to every line that does not say otherwise.
  MountOptions options;
  options.fuse_options = {"allow_other,dev,suid", "nodev,nosuid"};
  EXPECT_EQ(fuse_option_string(options, "src"),
            "ro,nosuid,nodev,default_permissions,subtype=sigmount,fsname=src,allow_other");
}

TEST(FuseOptionString, RefusesReadWrite) {
  MountOptions options;
  options.fuse_options = {"allow_other,rw"};
  EXPECT_THROW((void)fuse_option_string(options, "src"), std::invalid_argument);
}

TEST(FuseOptionString, RefusesSigmountOptionsRatherThanLosingThem) {
  // `sigmount mount -o sigmount.fail_closed` would otherwise mount without --fail-closed.
  MountOptions options;
  options.fuse_options = {"allow_other,sigmount.fail_closed"};
  EXPECT_THROW((void)fuse_option_string(options, "src"), std::invalid_argument);
}

}  // namespace
}  // namespace sigmount::fs
