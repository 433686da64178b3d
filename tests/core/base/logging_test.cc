// EscapeForLog: what a caller-supplied string becomes in a log line.
#include "core/base/logging.h"

#include <string>

#include "gtest/gtest.h"

namespace gridpilot::base {
namespace {

TEST(EscapeForLogTest, ControlCharactersCannotForgeOrHideALine) {
  EXPECT_EQ(EscapeForLog("agent trader registered"), "agent trader registered");
  EXPECT_EQ(EscapeForLog("x\n12:00:00.000 gateway ERROR: forged"),
            "x\\n12:00:00.000 gateway ERROR: forged");
  EXPECT_EQ(EscapeForLog("a\rb\tc"), "a\\rb\\tc");
  EXPECT_EQ(EscapeForLog(std::string("nul\0bell\x07"
                                     "del\x7f",
                                     13)),
            "nul\\x00bell\\x07del\\x7f");
  EXPECT_EQ(EscapeForLog("\x1b[2J"), "\\x1b[2J");  // no terminal escapes either
  // A backslash is doubled, so an escaped newline and a literal "\n" differ.
  EXPECT_EQ(EscapeForLog("a\\nb"), "a\\\\nb");
  EXPECT_EQ(EscapeForLog("£ 532741 — ok"), "£ 532741 — ok");  // UTF-8 passes unchanged
}

}  // namespace
}  // namespace gridpilot::base
