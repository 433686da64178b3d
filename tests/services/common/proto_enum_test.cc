// The API's enums and the domain's names: every ledger cause, anomaly kind and episode
// outcome the core names has its own API value, and the short name of that value is the
// domain's name again (the backtest JSON, metric labels and the console read those names).
#include "services/common/proto_enum.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/anomaly/anomaly.h"
#include "core/control/ramp_episode_tracker.h"
#include "core/market/ledger.h"
#include "gridpilot/v1/anomaly.pb.h"
#include "gridpilot/v1/ledger.pb.h"
#include "gridpilot/v1/response.pb.h"

namespace gridpilot {
namespace {

// Maps every name to its API value and back; the values must be distinct and specified.
template <typename Enum>
void ExpectRoundTrip(const std::vector<std::string>& names) {
  std::set<int> values;
  for (const std::string& name : names) {
    const Enum value = FromShortName<Enum>(name);
    EXPECT_NE(static_cast<int>(value), 0) << name;
    EXPECT_EQ(ShortName(value), name);
    values.insert(static_cast<int>(value));
  }
  EXPECT_EQ(values.size(), names.size());
}

TEST(ProtoEnumTest, EveryLedgerCauseHasItsValue) {
  std::vector<std::string> names;
  for (int c = 0; c < market::kLedgerCauseCount; ++c) {
    names.emplace_back(market::LedgerCauseName(static_cast<market::LedgerCause>(c)));
  }
  ExpectRoundTrip<v1::LedgerCause>(names);
  EXPECT_EQ(ShortName(v1::LEDGER_CAUSE_ARBITRAGE_SOLD), "arbitrage_sold");
}

TEST(ProtoEnumTest, EveryAnomalyKindHasItsValue) {
  std::vector<std::string> names;
  for (anomaly::AnomalyKind k :
       {anomaly::AnomalyKind::kSpike, anomaly::AnomalyKind::kDrop, anomaly::AnomalyKind::kFlatLine,
        anomaly::AnomalyKind::kMissing, anomaly::AnomalyKind::kFalseData}) {
    names.emplace_back(anomaly::AnomalyKindName(k));
  }
  ExpectRoundTrip<v1::AnomalyKind>(names);
  // Not flagged: no kind, and no name.
  EXPECT_EQ(FromShortName<v1::AnomalyKind>(anomaly::AnomalyKindName(anomaly::AnomalyKind::kNone)),
            v1::ANOMALY_KIND_UNSPECIFIED);
}

TEST(ProtoEnumTest, EveryEpisodeOutcomeHasItsValue) {
  std::vector<std::string> names;
  for (control::EpisodeOutcome o :
       {control::EpisodeOutcome::kOpen, control::EpisodeOutcome::kCountered,
        control::EpisodeOutcome::kNotCountered, control::EpisodeOutcome::kDidNotHappen}) {
    names.push_back(control::EpisodeOutcomeName(o));
  }
  ExpectRoundTrip<v1::RampEpisodeOutcome>(names);
}

TEST(ProtoEnumTest, UnknownNamesAndValuesAreUnspecified) {
  EXPECT_EQ(FromShortName<v1::AnomalyKind>("gremlins"), v1::ANOMALY_KIND_UNSPECIFIED);
  EXPECT_EQ(FromShortName<v1::AnomalyKind>(""), v1::ANOMALY_KIND_UNSPECIFIED);
  EXPECT_EQ(ShortName(v1::ANOMALY_KIND_UNSPECIFIED), "");
  EXPECT_EQ(ShortName(static_cast<v1::LedgerCause>(99)), "");
}

}  // namespace
}  // namespace gridpilot
