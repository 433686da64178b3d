// The XGBoost seam: a gradient-boosted regression tree model behind a small, Status-based
// interface. This is the one file in the project that calls the XGBoost C API; every call
// goes through one wrapper that turns XGBoost's int return code and XGBGetLastError()
// into an absl::Status. Forecasters train, save, load and query models only through here.
// XGBoost trains and serialises; predictions come from a TreeEnsemble compiled from the
// booster's JSON, because XGBoost's own single-row prediction costs 25-35 us a call.
#ifndef GRIDPILOT_CORE_ML_XGBOOST_MODEL_H_
#define GRIDPILOT_CORE_ML_XGBOOST_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/base/fnv1a.h"
#include "core/ml/tree_ensemble.h"

namespace gridpilot::ml {

// Training hyper-parameters (XGBoost names; objective is squared error, trees use "hist").
struct XgboostParams {
  int num_rounds = 300;
  int max_depth = 6;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 5;
  // Threads used while training; prediction always uses one. One by default: XGBoost's
  // OpenMP (libgomp) barriers spin, so on a loaded 2-core machine 2 threads trained many
  // times slower than 1 (docs/decisions.md, "XGBoost training threads"). The model does
  // not depend on the thread count.
  int nthread = 1;
  uint64_t seed = 7;
  // "reg:squarederror" (the default) or "binary:logistic" (Predict returns a probability).
  std::string objective = "reg:squarederror";
};

// Feeds the parameters into a model cache's fingerprint, in a fixed order: rounds, depth,
// eta, subsample, column sample, minimum child weight, threads, seed (not the objective:
// each cache holds one kind of model).
void AddToFingerprint(const XgboostParams& params, base::Fnv1a* fnv);

// A trained single-output regressor. Thread-safe: every const method may be called from
// several threads. Predict reads only the immutable TreeEnsemble, so it takes no lock;
// the calls that use the booster (SaveJson, ModelJson, Predict*WithXgboost) serialise on
// an internal mutex because an XGBoost booster handle must not be used by two threads at
// once. Not copyable or movable (hold it by pointer).
class XgboostRegressor {
 public:
  // Trains on `rows` x `cols` features (row-major, NaN = missing) against `targets`
  // (one per row; 0 or 1 for params.objective "binary:logistic"). InvalidArgument if the sizes
  // disagree, rows or cols is zero, any target is NaN or infinite (callers drop unknown targets
  // first), or num_rounds < 1; Internal if XGBoost fails. Deterministic for fixed params and data.
  static absl::StatusOr<std::unique_ptr<XgboostRegressor>> Train(
      const std::vector<float>& features_row_major, size_t rows, size_t cols,
      const std::vector<float>& targets, const XgboostParams& params);

  // Loads a model written by SaveJson, parsing the file once (into the TreeEnsemble that
  // Predict uses); XGBoost reads it only when a call first needs the booster (attributes,
  // SaveJson, the *WithXgboost predictions, Contributions), which then returns Internal if
  // XGBoost cannot. NotFound if the file does not exist; InvalidArgument if it is not a
  // model TreeEnsemble can evaluate (another objective or booster, categorical splits;
  // see TreeEnsemble).
  static absl::StatusOr<std::unique_ptr<XgboostRegressor>> LoadJson(const std::string& path);

  ~XgboostRegressor();
  XgboostRegressor(const XgboostRegressor&) = delete;
  XgboostRegressor& operator=(const XgboostRegressor&) = delete;

  // Writes the model as XGBoost JSON: first to path + ".tmp", then renames it over path,
  // so a reader never sees a half-written model. Internal on any I/O or XGBoost failure.
  absl::Status SaveJson(const std::string& path) const;

  // The model as XGBoost JSON (what SaveJson writes). Internal if XGBoost fails.
  absl::StatusOr<std::string> ModelJson() const;

  // Predicts one row (NaN = missing) with the compiled TreeEnsemble: no lock, no
  // allocation, a few microseconds, and the same value PredictWithXgboost returns.
  // InvalidArgument unless row.size() == num_features().
  absl::StatusOr<double> Predict(const std::vector<float>& row) const;

  // Predicts one row through XGBoost itself (XGBoosterPredictFromDense, 25-35 us a call,
  // serialised on the booster mutex). For tests and benchmarks that check Predict
  // against the reference. Errors as Predict, plus Internal if XGBoost fails.
  absl::StatusOr<double> PredictWithXgboost(const std::vector<float>& row) const;

  // Predicts `rows` rows (row-major, NaN = missing) in one XGBoost call, on one thread,
  // serialised on the booster mutex; one value per row. For benchmarks. InvalidArgument
  // unless rows >= 1 and the size is rows * num_features(); Internal if XGBoost fails.
  absl::StatusOr<std::vector<double>> PredictBatchWithXgboost(
      const std::vector<float>& features_row_major, size_t rows) const;
  // SHAP contributions of one row (XGBoost's exact TreeSHAP, pred_contribs): one value per
  // feature, then the bias (the expected prediction); they sum to the prediction up to
  // float rounding. Through XGBoost, serialised on the booster mutex (tens of
  // microseconds): for explanations, not for the decision path. InvalidArgument unless
  // row.size() == num_features(); Internal if XGBoost fails.
  absl::StatusOr<std::vector<double>> Contributions(const std::vector<float>& row) const;

  // Number of features the model was trained on.
  size_t num_features() const { return ensemble_.num_features(); }

  // A named string kept in the model (XGBoost's booster attributes: saved with it by
  // SaveJson and read back by LoadJson). Internal if XGBoost fails.
  absl::Status SetAttribute(const std::string& name, const std::string& value);
  // nullopt when the model has no such attribute.
  absl::StatusOr<std::optional<std::string>> Attribute(const std::string& name) const;

 private:
  XgboostRegressor(void* booster, TreeEnsemble ensemble, std::string model_json = "")
      : booster_(booster), model_json_(std::move(model_json)), ensemble_(std::move(ensemble)) {}

  // Takes ownership of `booster` (freed on error too) and compiles its TreeEnsemble.
  static absl::StatusOr<std::unique_ptr<XgboostRegressor>> FromBooster(void* booster);

  // InvalidArgument unless row.size() == num_features().
  absl::Status CheckRowSize(const std::vector<float>& row) const;

  // The booster, loaded from model_json_ on first use. Internal if XGBoost cannot.
  absl::StatusOr<void*> BoosterLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // BoosterHandle, owned; null until first needed after LoadJson.
  mutable void* booster_ ABSL_GUARDED_BY(mu_);
  // While booster_ is null: the model's JSON to load it from.
  mutable std::string model_json_ ABSL_GUARDED_BY(mu_);
  const TreeEnsemble ensemble_;  // compiled from the same JSON as booster_
};

}  // namespace gridpilot::ml

#endif  // GRIDPILOT_CORE_ML_XGBOOST_MODEL_H_
