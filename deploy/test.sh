#!/usr/bin/env bash
# Install, build, and run every test (unit, service, integration with the real
# processes, and the Python gRPC client).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
# Tests share one model cache inside the build tree, never the user's.
export GRIDPILOT_MODEL_DIR="$PWD/build/test-models"
ctest --test-dir build --output-on-failure -j2
