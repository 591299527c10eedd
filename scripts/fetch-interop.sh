#!/usr/bin/env bash
# Fetches the pinned third-party clients under interop/ (see interop/README.md) into
# $SKEIN_INTEROP_CACHE (default /var/cache/skein-interop), reusing what an earlier run fetched.
# Installs a JDK, Maven and python3-venv from Debian first when they are missing (as root).
# Usage: bash scripts/fetch-interop.sh            (every spec)
#        bash scripts/fetch-interop.sh java/hadoop-3.5 python/foo   (only these)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=${SKEIN_INTEROP_CACHE:-/var/cache/skein-interop}
mkdir -p "$cache"

need_pkgs=()
command -v javac >/dev/null || need_pkgs+=(default-jdk-headless)
command -v mvn >/dev/null || need_pkgs+=(maven)
python3 -c 'import ensurepip' 2>/dev/null || need_pkgs+=(python3-venv)
if ls interop/go/*/install.txt >/dev/null 2>&1; then command -v go >/dev/null || need_pkgs+=(golang-go); fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "fetch-interop: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# stamp DIR FILES...: the hash of the spec files, compared with DIR/.stamp.
spec_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }
fresh() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

want=("$@")
wanted() {
  [ ${#want[@]} -eq 0 ] && return 0
  local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

for pom in interop/java/*/pom.xml; do
  [ -e "$pom" ] || continue
  dir=$(dirname "$pom"); name=${dir#interop/}
  wanted "$name" || continue
  out=$cache/$name
  srcs=$(find -L "$dir" -name '*.java' | sort)
  h=$(spec_hash "$pom" $srcs)
  if fresh "$out" "$h"; then continue; fi
  echo "fetch-interop: $name (maven)"
  rm -rf "$out"; mkdir -p "$out/lib"
  mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$out/lib" \
      -Dmdep.includeScope=runtime
  if [ -n "$srcs" ]; then
    mkdir -p "$out/classes"
    # shellcheck disable=SC2086
    javac -nowarn -d "$out/classes" -cp "$out/lib/*" $srcs
  fi
  echo "$h" > "$out/.stamp"
done

for req in interop/python/*/requirements.txt; do
  [ -e "$req" ] || continue
  dir=$(dirname "$req"); name=${dir#interop/}
  wanted "$name" || continue
  out=$cache/$name
  h=$(spec_hash "$req")
  if fresh "$out" "$h"; then continue; fi
  echo "fetch-interop: $name (pip)"
  rm -rf "$out"
  python3 -m venv "$out"
  "$out/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$h" > "$out/.stamp"
done

for inst in interop/go/*/install.txt; do
  [ -e "$inst" ] || continue
  dir=$(dirname "$inst"); name=${dir#interop/}
  wanted "$name" || continue
  out=$cache/$name
  h=$(spec_hash "$inst")
  if fresh "$out" "$h"; then continue; fi
  echo "fetch-interop: $name (go)"
  rm -rf "$out"; mkdir -p "$out/bin"
  grep -v '^\s*#' "$inst" | grep -v '^\s*$' | while read -r mod; do
    GOBIN="$out/bin" GOFLAGS=-mod=mod go install "$mod"
  done
  echo "$h" > "$out/.stamp"
done
echo "fetch-interop: ready in $cache"
