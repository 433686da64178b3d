#!/usr/bin/env bash
# Install, build, and run every test (unit, service, integration with the real
# processes, and the Python gRPC client), then each libFuzzer target for 20 s from its
# seed corpus (deploy/fuzz.sh; a crash fails the run and prints how to reproduce it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
# Tests share one model cache inside the build tree, never the user's.
export GRIDPILOT_MODEL_DIR="$PWD/build/test-models"
ctest --test-dir build --output-on-failure -j2
bash deploy/fuzz.sh --seconds 20 --from-seeds
