#!/usr/bin/env bash
# Installs Skein's build and test dependencies from Debian 12 packages.
# A no-op (no apt-get call at all) when everything is already present.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev nlohmann-json3-dev libgtest-dev libgmock-dev libcgroup-dev
  libzookeeper-mt-dev zookeeperd libleveldb-dev libpugixml-dev libcpp-httplib-dev
  libssl-dev libbenchmark-dev procps libarchive-dev
  prometheus  # promtool: tests/operators checks /metrics and /prom (issue 16)
  chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
