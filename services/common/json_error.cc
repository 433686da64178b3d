#include "services/common/json_error.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

using Json = nlohmann::json;

// A SAX handler that only follows where the parser is ("region.ramp_limit_mw",
// "batteries[1]"), so that a parse error can name the key it happened at. The DOM parse
// comes first; this runs only after it failed.
class KeyPathTracker : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    stack_.push_back({true, "", 0});
    return true;
  }
  bool key(string_t& key) override {
    stack_.back().key = key;
    return true;
  }
  bool end_object() override { return End(); }
  bool start_array(std::size_t) override {
    stack_.push_back({false, "", 0});
    return true;
  }
  bool end_array() override { return End(); }
  bool parse_error(std::size_t, const std::string& last_token,
                   const nlohmann::detail::exception&) override {
    last_token_ = last_token;
    return false;
  }

  // The path of the value being read when parsing stopped; "" at the top level.
  std::string Path() const {
    std::string path;
    for (const Level& level : stack_) {
      if (level.object) {
        if (level.key.empty()) break;
        absl::StrAppend(&path, path.empty() ? "" : ".", level.key);
      } else {
        absl::StrAppend(&path, "[", level.index, "]");
      }
    }
    return path;
  }
  const std::string& last_token() const { return last_token_; }

 private:
  struct Level {
    bool object;
    std::string key;  // object: the key being read
    size_t index;     // array: the element being read
  };
  bool Value() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
    return true;
  }
  bool End() {
    stack_.pop_back();
    return Value();
  }

  std::vector<Level> stack_;
  std::string last_token_;
};

}  // namespace

absl::Status JsonParseError(const std::string& text, const Json::exception& e) {
  KeyPathTracker tracker;
  Json::sax_parse(text, &tracker, nlohmann::detail::input_format_t::json, /*strict=*/true,
                  /*ignore_comments=*/false);
  const std::string at = tracker.Path().empty() ? "" : absl::StrCat(tracker.Path(), ": ");
  // 406: a number too large for a double (such as 1e999).
  if (e.id == 406) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, tracker.last_token(), " is not a finite number (", e.what(), ")"));
  }
  return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", at, e.what()));
}

}  // namespace gridpilot
