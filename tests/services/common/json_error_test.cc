#include "services/common/json_error.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::Status ErrorFor(const std::string& text) {
  try {
    const nlohmann::json parsed = nlohmann::json::parse(text);
    return absl::InternalError(parsed.dump());
  } catch (const nlohmann::json::exception& e) {
    return JsonParseError(text, e);
  }
  return absl::OkStatus();
}

TEST(JsonErrorTest, NamesTheKeyOfANumberTooLarge) {
  EXPECT_THAT(std::string(ErrorFor(R"({"a": {"b": [1, {"c": 1e999}]}})").message()),
              StartsWith("a.b[1].c: 1e999 is not a finite number"));
}

TEST(JsonErrorTest, NamesTheKeyOfATruncatedFile) {
  const absl::Status error = ErrorFor(R"({"alerts": {"rules": [)");
  EXPECT_TRUE(absl::IsInvalidArgument(error));
  EXPECT_THAT(std::string(error.message()), HasSubstr("not valid JSON: alerts.rules[0]: "));
}

TEST(JsonErrorTest, TopLevelErrorsHaveNoKey) {
  EXPECT_THAT(std::string(ErrorFor("{").message()), StartsWith("not valid JSON: [json.exception"));
}

}  // namespace
}  // namespace gridpilot
