#!/usr/bin/env bash
# Installs the Debian packages gridpilot needs, then configures and builds it in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
