#!/usr/bin/env bash
# Installs every Debian package gridpilot needs to build, run and test.
# Idempotent and non-interactive: packages already present are skipped by apt.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev
  libxgboost-dev xgboost
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql-15
  libmosquitto-dev mosquitto
  nlohmann-json3-dev
  glpk-utils libglpk-dev
  python3 python3-grpcio python3-grpc-tools python3-protobuf
  python3-sklearn
  prometheus-cpp-dev libcpp-httplib-dev
  prometheus docker-compose chromium poppler-utils
  python3-aiosmtpd
  clang-format
  clang-14 libfuzzer-14-dev
  openssl libssl-dev python3-cryptography
  tzdata
)
# The web console's chart and browser-test packages come from npm. A machine that already
# has node and npm (for example from NodeSource) keeps them; otherwise Debian's are installed.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
