// Isolation Forest speed: fit and score 100,000 rows of the anomaly features (10 per row,
// core/anomaly/anomaly_features.h, of a synthetic minute-resolution meter series) with 100 trees of
// 256 samples, against scikit-learn's IsolationForest on the same matrix in the same run.
// Both fits include scoring the training rows for the contamination threshold (sklearn does
// so whenever contamination is a number). sklearn's figures are its own perf_counter timing
// of fit and score_samples inside one python3 process, so Python start-up and loading the
// matrix are not counted. Both are single-threaded. Prints best-of-N wall times.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/anomaly/anomaly_features.h"
#include "core/ml/isolation_forest.h"

namespace {

constexpr int kRows = 100000;
constexpr int kRepeats = 5;
constexpr double kContamination = 0.01;

// A meter-like series: daily cycle, AR(1) noise and occasional appliance steps.
std::vector<double> MeterSeries(int rows) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> v(rows);
  double noise = 0.0, appliance = 0.0;
  for (int i = 0; i < rows; ++i) {
    noise = 0.9 * noise + 0.1 * normal(rng);
    if (unit(rng) < 0.01) appliance = unit(rng) < 0.5 ? 0.0 : 2.0 * unit(rng);
    const double day = std::sin(2 * 3.14159265358979 * (i % 1440) / 1440.0);
    v[i] = std::round((1.0 + 0.6 * day + noise + appliance) * 1000.0) / 1000.0;
  }
  return v;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main() {
  using gridpilot::anomaly::AnomalyFeatureOptions;
  using gridpilot::ml::IsolationForest;
  using gridpilot::ml::IsolationForestOptions;
  AnomalyFeatureOptions feature_options;
  feature_options.periods_per_day = 1440;
  const gridpilot::anomaly::AnomalyFeatureMatrix m =
      *gridpilot::anomaly::AnomalyFeatures(MeterSeries(kRows), feature_options);
  IsolationForestOptions options;
  options.contamination = kContamination;

  double best_fit = 1e9, best_score = 1e9;
  double checksum = 0.0;
  for (int k = 0; k < kRepeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<IsolationForest> forest =
        IsolationForest::Fit(m.values, m.feature_count, options);
    const auto t1 = std::chrono::steady_clock::now();
    absl::StatusOr<std::vector<double>> scores = forest->Score(m.values);
    const auto t2 = std::chrono::steady_clock::now();
    if (!forest.ok() || !scores.ok()) {
      std::fprintf(stderr, "anomaly_bench: fit or score failed\n");
      return 1;
    }
    best_fit = std::min(best_fit, Seconds(t1 - t0));
    best_score = std::min(best_score, Seconds(t2 - t1));
    checksum = 0.0;
    for (double s : *scores) checksum += s;
  }
  std::printf("gridpilot IsolationForest, %d rows x %d features, 100 trees, psi 256:\n", kRows,
              m.feature_count);
  std::printf(
      "  fit (incl. scoring the training rows for the threshold) %.1f ms, score %.1f ms,"
      " total %.1f ms (best of %d); mean score %.4f\n",
      best_fit * 1e3, best_score * 1e3, (best_fit + best_score) * 1e3, kRepeats, checksum / kRows);

  // The same matrix to scikit-learn.
  const std::string dir = std::filesystem::temp_directory_path().string() + "/anomaly_bench_" +
                          std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string matrix_path = dir + "/features.bin";
  {
    std::ofstream out(matrix_path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(m.values.data()),
              static_cast<std::streamsize>(m.values.size() * sizeof(double)));
  }
  const std::string script = dir + "/sklearn_timing.py";
  std::ofstream(script)
      << "import sys, time\n"
         "import numpy as np\n"
         "from sklearn.ensemble import IsolationForest\n"
         "x = np.fromfile(sys.argv[1], dtype=np.float64).reshape(-1, int(sys.argv[2]))\n"
         "best_fit = best_score = 1e9\n"
         "for k in range(int(sys.argv[3])):\n"
         "    t0 = time.perf_counter()\n"
         "    f = IsolationForest(n_estimators=100, max_samples=256, contamination="
      << kContamination
      << ", random_state=k).fit(x)\n"
         "    t1 = time.perf_counter()\n"
         "    s = -f.score_samples(x)\n"
         "    t2 = time.perf_counter()\n"
         "    best_fit = min(best_fit, t1 - t0)\n"
         "    best_score = min(best_score, t2 - t1)\n"
         "print(best_fit, best_score, s.mean())\n";
  const std::string command = "OMP_NUM_THREADS=1 /usr/bin/python3 " + script + " " + matrix_path +
                              " " + std::to_string(m.feature_count) + " 3";
  FILE* pipe = popen(command.c_str(), "r");
  double sk_fit = 0, sk_score = 0, sk_mean = 0;
  const int got =
      pipe != nullptr ? std::fscanf(pipe, "%lf %lf %lf", &sk_fit, &sk_score, &sk_mean) : 0;
  if (pipe != nullptr) pclose(pipe);
  std::filesystem::remove_all(dir);
  if (got != 3) {
    std::printf("scikit-learn: not available (python3-sklearn), no comparison\n");
    return 0;
  }
  std::printf("scikit-learn IsolationForest, same matrix and parameters:\n");
  std::printf("  fit %.1f ms, score_samples %.1f ms, total %.1f ms (best of 3); mean score %.4f\n",
              sk_fit * 1e3, sk_score * 1e3, (sk_fit + sk_score) * 1e3, sk_mean);
  std::printf("ratio sklearn / gridpilot: fit %.1fx, score %.1fx, total %.1fx\n", sk_fit / best_fit,
              sk_score / best_score, (sk_fit + sk_score) / (best_fit + best_score));
  return 0;
}
