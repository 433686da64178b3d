#include "services/gateway/telemetry_json_plain.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/telemetry_validator.h"

namespace gridpilot {

namespace {

// A cursor over the payload; every method returns false where the plain form ends.
class Plain {
 public:
  explicit Plain(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  bool Take(char c) {
    SkipSpace();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }
  // A string of printable ASCII without escapes.
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      const unsigned char c = static_cast<unsigned char>(text_[at_]);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++at_;
    }
    if (at_ >= text_.size()) return false;
    *out = text_.substr(start, at_ - start);
    ++at_;
    return true;
  }
  // A JSON number token: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; `integer` says
  // whether it had neither fraction nor exponent.
  bool Number(std::string_view* out, bool* integer) {
    SkipSpace();
    const size_t start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ >= text_.size() || !IsDigit(text_[at_])) return false;
    if (text_[at_] == '0') {
      ++at_;
    } else {
      Digits();
    }
    *integer = true;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!Digits()) return false;
      *integer = false;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!Digits()) return false;
      *integer = false;
    }
    *out = text_.substr(start, at_ - start);
    return true;
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  bool Digits() {
    const size_t start = at_;
    while (at_ < text_.size() && IsDigit(text_[at_])) ++at_;
    return at_ > start;
  }

  std::string_view text_;
  size_t at_ = 0;
};

bool ToInt64(std::string_view token, int64_t* out) {
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return error == std::errc() && end == token.data() + token.size();
}

// As the general decoder reads a number: an integer token as a 64-bit integer converted to
// double, any other as the correctly rounded double.
bool ToDouble(std::string_view token, bool integer, double* out) {
  if (integer) {
    int64_t whole = 0;
    if (!ToInt64(token, &whole)) return false;
    *out = static_cast<double>(whole);
    return true;
  }
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return error == std::errc() && end == token.data() + token.size();
}

bool Values(Plain& in, data::TelemetrySample* sample) {
  if (!in.Take('{')) return false;
  if (in.Take('}')) return true;
  do {
    std::string_view name;
    std::string_view token;
    bool integer = false;
    double value = 0.0;
    if (!in.String(&name) || !in.Take(':') || !in.Number(&token, &integer) ||
        !ToDouble(token, integer, &value)) {
      return false;
    }
    const data::ValueName kind = data::ClassifyValueName(name);
    if (!kind.quantity) return false;
    std::optional<double>* slot = nullptr;
    switch (*kind.quantity) {
      case data::TelemetryQuantity::kNetLoadMw: slot = &sample->net_load_mw; break;
      case data::TelemetryQuantity::kSolarMw: slot = &sample->solar_mw; break;
      case data::TelemetryQuantity::kWindMw: slot = &sample->wind_mw; break;
      case data::TelemetryQuantity::kPriceGbpPerMwh: slot = &sample->price_gbp_per_mwh; break;
    }
    if (slot->has_value()) return false;  // a duplicate name
    *slot = value;
  } while (in.Take(','));
  return in.Take('}');
}

}  // namespace

std::optional<data::TelemetrySample> DecodePlainTelemetryJson(std::string_view payload) {
  Plain in(payload);
  if (!in.Take('{')) return std::nullopt;
  data::TelemetrySample sample;
  bool has_timestamp = false, has_source = false, has_seq = false, has_values = false;
  do {
    std::string_view key;
    if (!in.String(&key) || !in.Take(':')) return std::nullopt;
    if (key == "timestamp" && !has_timestamp) {
      std::string_view text;
      if (!in.String(&text)) return std::nullopt;
      absl::StatusOr<absl::Time> at = base::ParseUtcTimestamp(text);
      if (!at.ok()) return std::nullopt;
      sample.timestamp = *at;
      has_timestamp = true;
    } else if (key == "source" && !has_source) {
      std::string_view text;
      if (!in.String(&text)) return std::nullopt;
      sample.source = std::string(text);
      has_source = true;
    } else if (key == "seq" && !has_seq) {
      std::string_view token;
      bool integer = false;
      if (!in.Number(&token, &integer) || !integer || !ToInt64(token, &sample.sequence)) {
        return std::nullopt;
      }
      has_seq = true;
    } else if (key == "values" && !has_values) {
      if (!Values(in, &sample)) return std::nullopt;
      has_values = true;
    } else {
      return std::nullopt;  // another key, or one repeated
    }
  } while (in.Take(','));
  if (!in.Take('}') || !in.AtEnd()) return std::nullopt;
  if (!has_timestamp || !has_source || !has_seq || !has_values) return std::nullopt;
  return sample;
}

}  // namespace gridpilot
