#include "core/ml/xgboost_model.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/status_macros.h"

namespace gridpilot::ml {
namespace {

// The single translation of XGBoost's error convention (non-zero return, message in
// XGBGetLastError) into a Status; `what` names the call for the message.
absl::Status XgbCall(int rc, std::string_view what) {
  if (rc == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("XGBoost ", std::string(what), " failed: ", XGBGetLastError()));
}

struct BoosterDeleter {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
struct DMatrixDeleter {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;
using DMatrixPtr = std::unique_ptr<void, DMatrixDeleter>;

absl::Status SetParam(void* booster, const char* name, const std::string& value) {
  return XgbCall(XGBoosterSetParam(booster, name, value.c_str()),
                 absl::StrCat("SetParam(", name, "=", value, ")"));
}

std::string Num(double v) { return absl::StrFormat("%.17g", v); }

// Caller holds the booster's mutex or is its only user.
absl::StatusOr<std::string> SaveToJson(void* booster) {
  bst_ulong len = 0;
  const char* data = nullptr;
  RETURN_IF_ERROR(XgbCall(XGBoosterSaveModelToBuffer(booster, R"({"format":"json"})", &len, &data),
                          "SaveModelToBuffer"));
  return std::string(data, len);  // the buffer is only valid until the next call
}

}  // namespace

absl::StatusOr<std::unique_ptr<XgboostRegressor>> XgboostRegressor::Train(
    const std::vector<float>& features_row_major, size_t rows, size_t cols,
    const std::vector<float>& targets, const XgboostParams& params) {
  if (rows == 0 || cols == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("training needs rows and columns, got ", rows, " x ", cols));
  }
  if (features_row_major.size() != rows * cols) {
    return absl::InvalidArgumentError(absl::StrCat("features hold ", features_row_major.size(),
                                                   " values, expected ", rows, " rows x ", cols,
                                                   " cols = ", rows * cols));
  }
  if (targets.size() != rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", targets.size(), " targets for ", rows, " rows"));
  }
  if (params.objective != "reg:squarederror" && params.objective != "binary:logistic") {
    return absl::InvalidArgumentError(
        absl::StrCat("objective \"", params.objective, "\": reg:squarederror or binary:logistic"));
  }
  const bool labels = params.objective == "binary:logistic";
  for (size_t i = 0; i < rows; ++i) {
    if (!std::isfinite(targets[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("target of row ", i, " is ", targets[i], "; drop unknown targets"));
    }
    if (labels && targets[i] != 0.0f && targets[i] != 1.0f) {
      return absl::InvalidArgumentError(
          absl::StrCat("target of row ", i, " is ", targets[i], "; binary:logistic needs 0 or 1"));
    }
  }
  if (params.num_rounds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_rounds must be >= 1, got ", params.num_rounds));
  }

  DMatrixHandle dmatrix_raw = nullptr;
  RETURN_IF_ERROR(XgbCall(
      XGDMatrixCreateFromMat(features_row_major.data(), rows, cols, std::nanf(""), &dmatrix_raw),
      "DMatrixCreateFromMat"));
  DMatrixPtr dmatrix(dmatrix_raw);
  RETURN_IF_ERROR(XgbCall(XGDMatrixSetFloatInfo(dmatrix.get(), "label", targets.data(), rows),
                          "DMatrixSetFloatInfo(label)"));

  BoosterHandle booster_raw = nullptr;
  DMatrixHandle train_sets[] = {dmatrix.get()};
  RETURN_IF_ERROR(XgbCall(XGBoosterCreate(train_sets, 1, &booster_raw), "BoosterCreate"));
  BoosterPtr booster(booster_raw);
  void* b = booster.get();
  RETURN_IF_ERROR(SetParam(b, "objective", params.objective));
  RETURN_IF_ERROR(SetParam(b, "tree_method", "hist"));
  RETURN_IF_ERROR(SetParam(b, "verbosity", "0"));
  RETURN_IF_ERROR(SetParam(b, "max_depth", absl::StrCat(params.max_depth)));
  RETURN_IF_ERROR(SetParam(b, "eta", Num(params.eta)));
  RETURN_IF_ERROR(SetParam(b, "subsample", Num(params.subsample)));
  RETURN_IF_ERROR(SetParam(b, "colsample_bytree", Num(params.colsample_bytree)));
  RETURN_IF_ERROR(SetParam(b, "min_child_weight", Num(params.min_child_weight)));
  RETURN_IF_ERROR(SetParam(b, "nthread", absl::StrCat(params.nthread)));
  RETURN_IF_ERROR(SetParam(b, "seed", absl::StrCat(params.seed)));
  for (int iter = 0; iter < params.num_rounds; ++iter) {
    RETURN_IF_ERROR(XgbCall(XGBoosterUpdateOneIter(b, iter, dmatrix.get()),
                            absl::StrCat("BoosterUpdateOneIter(", iter, ")")));
  }
  return FromBooster(booster.release());
}

absl::Status XgboostRegressor::SetAttribute(const std::string& name, const std::string& value) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(void* booster, BoosterLocked());
  return XgbCall(XGBoosterSetAttr(booster, name.c_str(), value.c_str()),
                 absl::StrCat("SetAttr(", name, ")"));
}

absl::StatusOr<std::optional<std::string>> XgboostRegressor::Attribute(
    const std::string& name) const {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(void* booster, BoosterLocked());
  const char* value = nullptr;
  int found = 0;
  RETURN_IF_ERROR(XgbCall(XGBoosterGetAttr(booster, name.c_str(), &value, &found),
                          absl::StrCat("GetAttr(", name, ")")));
  if (found == 0) return std::nullopt;
  return std::string(value);
}

absl::StatusOr<std::unique_ptr<XgboostRegressor>> XgboostRegressor::FromBooster(void* booster_raw) {
  BoosterPtr booster(booster_raw);
  // PredictWithXgboost's single rows are far cheaper on one thread than waking a pool.
  RETURN_IF_ERROR(SetParam(booster.get(), "nthread", "1"));
  ASSIGN_OR_RETURN(const std::string json, SaveToJson(booster.get()));
  ASSIGN_OR_RETURN(TreeEnsemble ensemble, TreeEnsemble::FromXgboostJson(json));
  return std::unique_ptr<XgboostRegressor>(
      new XgboostRegressor(booster.release(), std::move(ensemble)));
}

absl::StatusOr<std::unique_ptr<XgboostRegressor>> XgboostRegressor::LoadJson(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open model file ", path));
  std::ostringstream read;
  read << in.rdbuf();
  std::string bytes = std::move(read).str();
  if (in.bad()) return absl::InternalError(absl::StrCat("cannot read model file ", path));

  // One parse: XGBoost's own, and its re-serialisation, wait until a call needs them.
  absl::StatusOr<TreeEnsemble> ensemble = TreeEnsemble::FromXgboostJson(bytes);
  if (!ensemble.ok()) {
    return absl::Status(ensemble.status().code(),
                        absl::StrCat("model file ", path, ": ", ensemble.status().message()));
  }
  return std::unique_ptr<XgboostRegressor>(
      new XgboostRegressor(nullptr, *std::move(ensemble), std::move(bytes)));
}

absl::StatusOr<void*> XgboostRegressor::BoosterLocked() const {
  if (booster_ != nullptr) return booster_;
  BoosterHandle booster_raw = nullptr;
  RETURN_IF_ERROR(XgbCall(XGBoosterCreate(nullptr, 0, &booster_raw), "BoosterCreate"));
  BoosterPtr booster(booster_raw);
  RETURN_IF_ERROR(
      XgbCall(XGBoosterLoadModelFromBuffer(booster.get(), model_json_.data(), model_json_.size()),
              "LoadModelFromBuffer"));
  // PredictWithXgboost's single rows are far cheaper on one thread than waking a pool.
  RETURN_IF_ERROR(SetParam(booster.get(), "nthread", "1"));
  booster_ = booster.release();
  std::string().swap(model_json_);
  return booster_;
}

XgboostRegressor::~XgboostRegressor() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

absl::StatusOr<std::string> XgboostRegressor::ModelJson() const {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(void* booster, BoosterLocked());
  return SaveToJson(booster);
}

absl::Status XgboostRegressor::SaveJson(const std::string& path) const {
  ASSIGN_OR_RETURN(const std::string bytes, ModelJson());
  const std::string tmp_path = path + ".tmp";
  {
    std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp_path));
  }
  std::error_code ec;
  std::filesystem::rename(tmp_path, path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", tmp_path, " to ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status XgboostRegressor::CheckRowSize(const std::vector<float>& row) const {
  if (row.size() == num_features()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("row has ", row.size(), " features, the model expects ", num_features()));
}

absl::StatusOr<double> XgboostRegressor::Predict(const std::vector<float>& row) const {
  RETURN_IF_ERROR(CheckRowSize(row));
  return ensemble_.Predict(row.data(), row.size());
}

absl::StatusOr<double> XgboostRegressor::PredictWithXgboost(const std::vector<float>& row) const {
  RETURN_IF_ERROR(CheckRowSize(row));
  ASSIGN_OR_RETURN(const std::vector<double> predictions, PredictBatchWithXgboost(row, 1));
  return predictions[0];
}

absl::StatusOr<std::vector<double>> XgboostRegressor::Contributions(
    const std::vector<float>& row) const {
  RETURN_IF_ERROR(CheckRowSize(row));
  // In-place prediction serves only values and margins; contributions need a DMatrix.
  DMatrixHandle matrix = nullptr;
  RETURN_IF_ERROR(XgbCall(XGDMatrixCreateFromMat(row.data(), 1, row.size(),
                                                 std::numeric_limits<float>::quiet_NaN(), &matrix),
                          "DMatrixCreateFromMat"));
  static constexpr char kConfig[] =
      R"({"type":2,"training":false,"iteration_begin":0,"iteration_end":0,)"
      R"("strict_shape":false})";
  absl::MutexLock lock(&mu_);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  absl::StatusOr<void*> booster = BoosterLocked();
  absl::Status status =
      booster.ok()
          ? XgbCall(XGBoosterPredictFromDMatrix(*booster, matrix, kConfig, &shape, &dim, &result),
                    "PredictFromDMatrix")
          : booster.status();
  std::vector<double> contributions;
  if (status.ok()) {
    bst_ulong total = 1;
    for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
    if (total != num_features() + 1) {
      status = absl::InternalError("XGBoost contributions have an unexpected shape");
    } else {
      // Copied under the lock: the result buffer belongs to the booster.
      contributions.assign(result, result + total);
    }
  }
  XGDMatrixFree(matrix);
  if (!status.ok()) return status;
  return contributions;
}

absl::StatusOr<std::vector<double>> XgboostRegressor::PredictBatchWithXgboost(
    const std::vector<float>& features_row_major, size_t rows) const {
  if (rows == 0 || features_row_major.size() != rows * num_features()) {
    return absl::InvalidArgumentError(absl::StrCat("batch holds ", features_row_major.size(),
                                                   " values, expected ", rows, " rows x ",
                                                   num_features(), " features (rows >= 1)"));
  }
  // __array_interface__ description of a dense row-major float32 matrix, by address.
  const std::string values = absl::StrCat(
      R"({"data":[)", reinterpret_cast<uintptr_t>(features_row_major.data()), R"(,true],"shape":[)",
      rows, ",", num_features(), R"(],"typestr":"<f4","version":3})");
  static constexpr char kConfig[] =
      R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,)"
      R"("strict_shape":false,"cache_id":0,"missing":NaN})";
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(void* booster, BoosterLocked());
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  RETURN_IF_ERROR(XgbCall(
      XGBoosterPredictFromDense(booster, values.c_str(), kConfig, nullptr, &shape, &dim, &result),
      "PredictFromDense"));
  if (dim < 1 || shape[0] != rows) {
    return absl::InternalError("XGBoost PredictFromDense returned an unexpected shape");
  }
  // Copied under the lock: the result buffer belongs to the booster.
  return std::vector<double>(result, result + rows);
}

void AddToFingerprint(const XgboostParams& params, base::Fnv1a* fnv) {
  fnv->Value(params.num_rounds);
  fnv->Value(params.max_depth);
  fnv->Value(params.eta);
  fnv->Value(params.subsample);
  fnv->Value(params.colsample_bytree);
  fnv->Value(params.min_child_weight);
  fnv->Value(params.nthread);
  fnv->Value(params.seed);
}

}  // namespace gridpilot::ml
