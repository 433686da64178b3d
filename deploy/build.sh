#!/usr/bin/env bash
# Installs the Debian packages gridpilot needs and the web console's npm packages, then
# configures and builds it in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
# The console's chart library and the browser test's driver, exactly as web/package-lock.json pins them.
(cd web && npm ci --no-audit --no-fund)
# The official MCP SDK client and conformance suite the MCP tests drive gridpilot-mcp with.
(cd mcp-client && npm ci --no-audit --no-fund)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
cmake --build build -j"$(nproc)"
