#include "core/ml/tree_ensemble.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/ml/xgboost_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/ml/synthetic_regression.h"

namespace gridpilot::ml {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr size_t kCols = 6;

// Six features, each missing 10% of the time. x0's missingness carries signal (the
// target jumps when it is missing), so trees learn default branches in both directions.
Synthetic MakeSynthetic(size_t rows, uint32_t seed) {
  std::uniform_real_distribution<float> x(-3.0f, 3.0f);
  std::bernoulli_distribution missing(0.1);
  std::normal_distribution<float> noise(0.0f, 0.2f);
  return ml::MakeSynthetic(rows, kCols, seed, [&](std::mt19937& rng, float* v) {
    for (size_t c = 0; c < kCols; ++c) v[c] = missing(rng) ? kNaN : x(rng);
    auto or_zero = [](float f) { return std::isnan(f) ? 0.0f : f; };
    return (std::isnan(v[0]) ? 5.0f : 2.0f * v[0]) + std::sin(or_zero(v[1])) * 3.0f +
           or_zero(v[2]) * or_zero(v[3]) - (or_zero(v[4]) > 1.0f ? 4.0f : 0.0f) + noise(rng);
  });
}

// Every numeric threshold the model's trees use, per split feature.
std::map<int, std::vector<float>> Thresholds(const std::string& model_json) {
  std::map<int, std::vector<float>> out;
  const Json model = Json::parse(model_json);
  for (const Json& tree : model["learner"]["gradient_booster"]["model"]["trees"]) {
    for (size_t i = 0; i < tree["left_children"].size(); ++i) {
      if (tree["left_children"][i] == -1) continue;
      out[tree["split_indices"][i].get<int>()].push_back(tree["split_conditions"][i].get<float>());
    }
  }
  return out;
}

struct Config {
  int num_rounds;
  int max_depth;
};

class TreeEnsembleMatchesXgboostTest : public testing::TestWithParam<Config> {};

TEST_P(TreeEnsembleMatchesXgboostTest, OnRandomRowsWithMissingValuesAndExactThresholds) {
  const Synthetic train = MakeSynthetic(4000, 11);
  XgboostParams params;
  params.num_rounds = GetParam().num_rounds;
  params.max_depth = GetParam().max_depth;
  params.eta = 0.1;
  params.min_child_weight = 1;
  auto model = TrainOn(train, params);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string json = (*model)->ModelJson().value();
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(json);
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  EXPECT_EQ(ensemble->num_trees(), static_cast<size_t>(params.num_rounds));
  EXPECT_EQ(ensemble->num_features(), kCols);

  const std::map<int, std::vector<float>> thresholds = Thresholds(json);
  ASSERT_FALSE(thresholds.empty());
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> x(-3.5f, 3.5f);
  std::discrete_distribution<int> kind({15, 30, 55});  // missing, on a threshold, random
  double max_relative_diff = 0.0;
  std::vector<float> batch;
  std::vector<double> ensemble_predictions;
  for (int r = 0; r < 2000; ++r) {
    std::vector<float> row(kCols);
    for (size_t f = 0; f < kCols; ++f) {
      const int k = kind(rng);
      const auto it = thresholds.find(static_cast<int>(f));
      if (k == 0) {
        row[f] = kNaN;
      } else if (k == 1 && it != thresholds.end()) {
        row[f] = it->second[rng() % it->second.size()];
      } else {
        row[f] = x(rng);
      }
    }
    const double expected = (*model)->PredictWithXgboost(row).value();
    const double actual = ensemble->Predict(row.data(), row.size());
    const double diff = std::abs(actual - expected);
    if (expected == 0.0) {
      EXPECT_EQ(actual, 0.0) << "row " << r;
    } else {
      max_relative_diff = std::max(max_relative_diff, diff / std::abs(expected));
    }
    // The regressor's own Predict goes through its TreeEnsemble; the portable walk (no
    // AVX-512) takes the same decisions and additions.
    EXPECT_EQ((*model)->Predict(row).value(), actual) << "row " << r;
    EXPECT_EQ(ensemble->PredictPortable(row.data(), row.size()), actual) << "row " << r;
    batch.insert(batch.end(), row.begin(), row.end());
    ensemble_predictions.push_back(actual);
  }
  // XGBoost's batch path takes the same decisions as its single-row one.
  EXPECT_EQ((*model)->PredictBatchWithXgboost(batch, 2000).value(), ensemble_predictions);
  EXPECT_EQ((*model)->PredictBatchWithXgboost(batch, 1999).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_LE(max_relative_diff, 1e-5);
  // Stronger, and true for XGBoost 1.7: the same float additions in the same order give
  // bit-identical results (summing in double instead fails even the bound above).
  EXPECT_EQ(max_relative_diff, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, TreeEnsembleMatchesXgboostTest,
                         testing::Values(Config{30, 2}, Config{150, 6}, Config{60, 10}),
                         [](const testing::TestParamInfo<Config>& info) {
                           return "rounds" + std::to_string(info.param.num_rounds) + "_depth" +
                                  std::to_string(info.param.max_depth);
                         });

TEST(TreeEnsembleTest, LoadedModelPredictsAsXgboost) {
  const Synthetic train = MakeSynthetic(2000, 21);
  XgboostParams params;
  params.num_rounds = 50;
  auto model = TrainOn(train, params);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string path = TempPath("tree_ensemble_loaded.json");
  ASSERT_TRUE((*model)->SaveJson(path).ok());
  auto loaded = XgboostRegressor::LoadJson(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Synthetic test = MakeSynthetic(200, 22);
  for (size_t r = 0; r < test.rows; ++r) {
    const std::vector<float> row = test.Row(r);
    EXPECT_EQ((*loaded)->Predict(row).value(), (*model)->PredictWithXgboost(row).value())
        << "row " << r;
  }
}

// Two hand-written trees over 3 features, base_score 0.5; leaf values are exact in
// float so sums can be compared exactly.
//   tree 0: x0 < 1 (missing: left) ? 10 : (x1 < -2 (missing: right) ? 20 : 30)
//   tree 1: x2 < 0.5 (missing: right) ? 0.25 : 0.125. Its children are stored out of
//           order (left = node 2) and node 3 is a pruned slot that no node points to.
Json TinyModel() {
  return Json::parse(R"({
    "learner": {
      "learner_model_param": {"base_score": "5E-1", "num_feature": "3"},
      "objective": {"name": "reg:squarederror"},
      "gradient_booster": {
        "name": "gbtree",
        "model": {
          "tree_info": [0, 0],
          "trees": [
            {"left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1],
             "split_indices": [0, 0, 1, 0, 0], "split_conditions": [1.0, 10, -2.0, 20, 30],
             "default_left": [1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0]},
            {"left_children": [2, -1, -1, -1], "right_children": [1, -1, -1, -1],
             "split_indices": [2, 0, 0, 2147483647],
             "split_conditions": [0.5, 0.125, 0.25, 0.0],
             "default_left": [false, false, false, false]}
          ]
        }
      }
    }
  })");
}

TEST(TreeEnsembleTest, HandWrittenModelRoutesLeftRightAndMissing) {
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(TinyModel().dump());
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  EXPECT_EQ(ensemble->num_trees(), 2u);
  EXPECT_EQ(ensemble->num_features(), 3u);
  struct Case {
    std::vector<float> row;
    double expected;
  };
  const Case cases[] = {
      {{0.5f, 0.0f, 0.0f}, 0.5 + 10 + 0.25},    // both below their thresholds: left
      {{1.0f, -2.0f, 0.5f}, 0.5 + 30 + 0.125},  // equal to the threshold goes right
      {{std::nextafter(1.0f, 0.0f), 0.0f, std::nextafter(0.5f, 0.0f)}, 0.5 + 10 + 0.25},
      {{2.0f, -3.0f, 1.0f}, 0.5 + 20 + 0.125},
      {{kNaN, -3.0f, kNaN}, 0.5 + 10 + 0.125},  // x0 missing: left; x2 missing: right
      {{2.0f, kNaN, -1.0f}, 0.5 + 30 + 0.25},   // x1 missing: right
      {{kNaN, kNaN, kNaN}, 0.5 + 10 + 0.125},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ensemble->Predict(c.row.data(), c.row.size()), c.expected)
        << c.row[0] << " " << c.row[1] << " " << c.row[2];
  }
  // A short row: features past its end count as missing, never read.
  const float short_row[] = {2.0f};
  EXPECT_EQ(ensemble->Predict(short_row, 1), 0.5 + 30 + 0.125);
  EXPECT_EQ(ensemble->PredictPortable(short_row, 1), 0.5 + 30 + 0.125);
}

TEST(TreeEnsembleTest, LogisticModelReturnsTheSigmoidOfTheMargin) {
  Json model = TinyModel();
  model["learner"]["objective"]["name"] = "binary:logistic";
  model["learner"]["learner_model_param"]["base_score"] = "2E-1";  // margin log(0.25)
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(model.dump());
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  const float row[] = {0.5f, 0.0f, 0.0f};  // leaves 10 and 0.25, as in the regression case
  const float margin = -std::log(1.0f / 0.2f - 1.0f) + 10.0f + 0.25f;
  EXPECT_EQ(ensemble->Predict(row, 3), 1.0f / (1.0f + std::exp(-margin)));
  EXPECT_GT(ensemble->Predict(row, 3), 0.99);
}

TEST(TreeEnsembleTest, TreeThatIsASingleLeaf) {
  Json model = TinyModel();
  Json& trees = model["learner"]["gradient_booster"]["model"]["trees"];
  trees[1] = Json::parse(R"({"left_children": [-1], "right_children": [-1],
      "split_indices": [0], "split_conditions": [-1.5], "default_left": [0]})");
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(model.dump());
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  const float row[] = {0.0f, 0.0f, 0.0f};
  EXPECT_EQ(ensemble->Predict(row, 3), 0.5 + 10 - 1.5);
}

// Applies `edit` to the tiny model and expects InvalidArgument mentioning every part of
// `expected`.
void ExpectRejected(void (*edit)(Json&), const std::vector<std::string>& expected) {
  Json model = TinyModel();
  edit(model);
  const absl::Status status = TreeEnsemble::FromXgboostJson(model.dump()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  for (const std::string& part : expected) EXPECT_THAT(status.message(), HasSubstr(part));
}

Json& Tree(Json& model, int t) { return model["learner"]["gradient_booster"]["model"]["trees"][t]; }

TEST(TreeEnsembleTest, RejectsMalformedOrUnsupportedModels) {
  const absl::Status not_json =
      TreeEnsemble::FromXgboostJson(R"({"learner": {"objective": )").status();
  EXPECT_EQ(not_json.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_json.message(), HasSubstr("not valid JSON"));
  EXPECT_EQ(TreeEnsemble::FromXgboostJson("").status().code(), absl::StatusCode::kInvalidArgument);

  ExpectRejected([](Json& m) { m["learner"]["objective"]["name"] = "multi:softprob"; },
                 {"learner.objective.name", "multi:softprob", "reg:squarederror"});
  ExpectRejected(
      [](Json& m) {
        m["learner"]["objective"]["name"] = "binary:logistic";
        m["learner"]["learner_model_param"]["base_score"] = "1E0";
      },
      {"base_score", "(0, 1)"});
  ExpectRejected([](Json& m) { m["learner"]["gradient_booster"]["name"] = "dart"; },
                 {"learner.gradient_booster.name", "dart"});
  ExpectRejected([](Json& m) { m["learner"]["learner_model_param"].erase("base_score"); },
                 {"learner.learner_model_param.base_score is missing"});
  ExpectRejected([](Json& m) { m["learner"]["learner_model_param"]["base_score"] = "abc"; },
                 {"base_score", "\"abc\""});
  ExpectRejected([](Json& m) { m["learner"]["learner_model_param"]["num_feature"] = 3; },
                 {"learner.learner_model_param.num_feature is not a string"});
  ExpectRejected([](Json& m) { m["learner"] = Json::array(); },
                 {"learner.objective.name", "not an object"});
  ExpectRejected([](Json& m) { m["learner"]["gradient_booster"]["model"]["tree_info"][1] = 1; },
                 {"tree_info[1]", "single-output"});
  ExpectRejected([](Json& m) { Tree(m, 1)["split_conditions"].erase(3); },
                 {"trees[1].split_conditions has 3 entries, left_children has 4"});
  ExpectRejected([](Json& m) { Tree(m, 0).erase("default_left"); },
                 {"trees[0].default_left is missing"});
  ExpectRejected([](Json& m) { Tree(m, 0)["split_conditions"][2] = "x"; },
                 {"trees[0].split_conditions[2] is not a number"});
  ExpectRejected([](Json& m) { Tree(m, 0)["split_indices"][2] = 3; },
                 {"trees[0].split_indices[2] is 3", "3 features"});
  ExpectRejected([](Json& m) { Tree(m, 0)["left_children"][2] = 1; },  // 1 gets two parents
                 {"trees[0]: node 2 has child 1", "already has a parent"});
  ExpectRejected([](Json& m) { Tree(m, 0)["right_children"][0] = 0; },  // a cycle
                 {"trees[0]: node 0 has child 0"});
  ExpectRejected([](Json& m) { Tree(m, 1)["right_children"][0] = 4; },
                 {"trees[1]: node 0 has child 4", "out of range"});
  ExpectRejected([](Json& m) { Tree(m, 0)["split_type"][2] = 1; },
                 {"trees[0].split_type[2] is categorical"});
  ExpectRejected([](Json& m) { Tree(m, 1)["left_children"] = Json::array(); },
                 {"trees[1].left_children is empty"});
  // The compact node keeps a feature in 15 bits, one value of which marks a leaf.
  ExpectRejected([](Json& m) { m["learner"]["learner_model_param"]["num_feature"] = "32767"; },
                 {"num_feature is \"32767\"", "[1, 32767)"});
  Json widest = TinyModel();
  widest["learner"]["learner_model_param"]["num_feature"] = "32766";
  EXPECT_TRUE(TreeEnsemble::FromXgboostJson(widest.dump()).ok());
}

TEST(TreeEnsembleTest, VectorGroupsMixingLeavesAndSplitsAddInTreeOrder) {
  // 70 trees: one block of four vectors of sixteen for the AVX-512 walk and six left over
  // (one part-filled vector; the portable walk: eight and eight and so on), cycling through
  // the tiny model's two trees and a single leaf, so each vector walks trees of depth 0, 1
  // and 2 side by side. The expected value adds the leaves one by one in float.
  Json model = TinyModel();
  Json& trees = model["learner"]["gradient_booster"]["model"]["trees"];
  const Json tree0 = trees[0], tree1 = trees[1];
  const Json leaf = Json::parse(R"({"left_children": [-1], "right_children": [-1],
      "split_indices": [0], "split_conditions": [0.0078125], "default_left": [0]})");
  trees = Json::array();
  for (int t = 0; t < 70; ++t) trees.push_back(t % 3 == 0 ? tree0 : t % 3 == 1 ? tree1 : leaf);
  model["learner"]["gradient_booster"]["model"]["tree_info"] = std::vector<int>(70, 0);
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(model.dump());
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  ASSERT_EQ(ensemble->num_trees(), 70u);
  const std::vector<std::vector<float>> rows = {
      {0.5f, 0.0f, 0.0f}, {2.0f, -3.0f, 1.0f}, {kNaN, kNaN, kNaN}, {2.0f, kNaN, -1.0f}};
  for (const std::vector<float>& row : rows) {
    auto leaf0 = [&] {
      if (std::isnan(row[0]) || row[0] < 1.0f) return 10.0f;
      return !std::isnan(row[1]) && row[1] < -2.0f ? 20.0f : 30.0f;
    };
    const float leaf1 = !std::isnan(row[2]) && row[2] < 0.5f ? 0.25f : 0.125f;
    float expected = 0.5f;
    for (int t = 0; t < 70; ++t) expected += t % 3 == 0 ? leaf0() : t % 3 == 1 ? leaf1 : 0.0078125f;
    EXPECT_EQ(ensemble->Predict(row.data(), 3), expected) << row[0] << " " << row[1];
    EXPECT_EQ(ensemble->PredictPortable(row.data(), 3), expected) << row[0] << " " << row[1];
  }
}

}  // namespace
}  // namespace gridpilot::ml
