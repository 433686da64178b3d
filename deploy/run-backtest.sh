#!/usr/bin/env bash
# The main job: install, build, and backtest the whole stack (four processes on
# loopback) over 2023 on the shipped GB data. Extra arguments go to `gridpilot backtest`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
build/bin/gridpilot backtest --from 2023-01-01 --to 2023-12-31 --json backtest-2023.json "$@"
