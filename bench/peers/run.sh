#!/usr/bin/env bash
# Skein side by side with Apache Hadoop YARN 3.5.0 (issue 14): every workload on both, one run.
#   bash bench/peers/run.sh [--latency 50] [--burst 1000] [--systems skein-stock,...] ...
# Needs a Release build (build-rel: ninja -C build-rel yarn skein-dshell-am) and the pinned peer
# (bash scripts/fetch-interop.sh java/yarn-peer). Prints a table; JSON to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
case " $* " in *" --bindir "*) ;; *) [ -x build-rel/bin/yarn ] || { echo "build-rel/bin/yarn missing: cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-rel yarn skein-dshell-am" >&2; exit 2; } ;; esac
cache=${SKEIN_INTEROP_CACHE:-/var/cache/skein-interop}
[ -f "$cache/java/yarn-peer/.stamp" ] || bash scripts/fetch-interop.sh java/yarn-peer
exec nice -n 10 python3 bench/peers/peers.py "$@"
