#include "core/forecast/models/change_model_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/feature_store.h"

namespace gridpilot::forecast::models {
namespace {

namespace fs = std::filesystem;

constexpr char kSetPrefix[] = "change_";
constexpr char kMetadataFile[] = "metadata.json";

std::string SetDirName(absl::Time cutoff) {
  return absl::StrCat(kSetPrefix, absl::FormatTime("%Y%m%dT%H%M%SZ", cutoff, absl::UTCTimeZone()));
}

absl::StatusOr<nlohmann::json> ReadMetadata(const fs::path& dir) {
  const fs::path path = dir / kMetadataFile;
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  nlohmann::json metadata = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (metadata.is_discarded() || !metadata.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": not a JSON object"));
  }
  return metadata;
}

// The cut-off and horizons a set's metadata declares.
absl::Status ReadSetHeader(const fs::path& dir, const nlohmann::json& metadata, absl::Time* cutoff,
                           std::vector<int>* horizons) {
  const std::string where = (dir / kMetadataFile).string();
  if (!metadata.contains("cutoff") || !metadata["cutoff"].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": \"cutoff\" missing"));
  }
  absl::StatusOr<absl::Time> parsed =
      base::ParseUtcTimestamp(metadata["cutoff"].get<std::string>());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": \"cutoff\": ", parsed.status().message()));
  }
  *cutoff = *parsed;
  horizons->clear();
  if (!metadata.contains("horizons") || !metadata["horizons"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": \"horizons\" missing"));
  }
  for (const nlohmann::json& h : metadata["horizons"]) {
    if (!h.is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": \"horizons\" must be integers"));
    }
    horizons->push_back(h.get<int>());
  }
  if (metadata.value("features", nlohmann::json()) !=
      nlohmann::json(FeatureStore::FeatureNames())) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": its \"features\" are not this build's feature store's"));
  }
  return absl::OkStatus();
}

}  // namespace

bool ChangeModelSetPublished(const std::string& root, absl::Time cutoff) {
  std::error_code ec;
  return fs::exists(fs::path(root) / SetDirName(cutoff), ec);
}

absl::Status PublishChangeModelSet(const std::string& root,
                                   const NetLoadChangeForecaster& forecaster, absl::Time cutoff,
                                   nlohmann::json metadata) {
  const fs::path final_dir = fs::path(root) / SetDirName(cutoff);
  std::error_code ec;
  if (fs::exists(final_dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("a model set for ",
                                                 base::FormatUtcTimestamp(cutoff),
                                                 " is published: ", final_dir.string()));
  }
  const fs::path temp_dir =
      fs::path(root) / absl::StrCat(".tmp-", SetDirName(cutoff), "-", getpid());
  fs::remove_all(temp_dir, ec);
  RETURN_IF_ERROR(forecaster.Save(temp_dir.string()));
  metadata["target"] = "change";
  metadata["cutoff"] = base::FormatUtcTimestamp(cutoff);
  metadata["horizons"] = forecaster.horizons();
  metadata["features"] = FeatureStore::FeatureNames();
  {
    std::ofstream out(temp_dir / kMetadataFile);
    out << metadata.dump(2) << "\n";
    if (!out) {
      fs::remove_all(temp_dir, ec);
      return absl::InternalError(
          absl::StrCat("cannot write ", (temp_dir / kMetadataFile).string()));
    }
  }
  fs::rename(temp_dir, final_dir, ec);
  if (ec) {
    fs::remove_all(temp_dir, ec);
    return absl::InternalError(
        absl::StrCat("cannot publish ", final_dir.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<ChangeModelSet> LoadNewestChangeModelSet(const std::string& root,
                                                        absl::Time not_after) {
  std::error_code ec;
  std::optional<fs::path> best;
  absl::Time best_cutoff = absl::InfinitePast();
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !absl::StartsWith(name, kSetPrefix)) continue;
    absl::StatusOr<nlohmann::json> metadata = ReadMetadata(entry.path());
    absl::Time cutoff;
    std::vector<int> horizons;
    absl::Status header = metadata.ok() ? ReadSetHeader(entry.path(), *metadata, &cutoff, &horizons)
                                        : metadata.status();
    if (!header.ok()) {
      // A damaged set, or one from a build with other features, is not a candidate.
      base::LogWarning(absl::StrCat("model registry: skipping ", name, ": ", header.message()));
      continue;
    }
    if (cutoff <= not_after && cutoff > best_cutoff) {
      best = entry.path();
      best_cutoff = cutoff;
    }
  }
  if (!best.has_value()) {
    return absl::NotFoundError(absl::StrCat("no change model set in ", root,
                                            " with a cut-off at or before ",
                                            base::FormatUtcTimestamp(not_after)));
  }
  ASSIGN_OR_RETURN(nlohmann::json metadata, ReadMetadata(*best));
  absl::Time cutoff;
  std::vector<int> horizons;
  RETURN_IF_ERROR(ReadSetHeader(*best, metadata, &cutoff, &horizons));
  ASSIGN_OR_RETURN(NetLoadChangeForecaster forecaster,
                   NetLoadChangeForecaster::Load(best->string(), horizons));
  return ChangeModelSet{std::move(forecaster), cutoff, best->string(), std::move(metadata)};
}

}  // namespace gridpilot::forecast::models
