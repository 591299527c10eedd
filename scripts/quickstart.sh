#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root) to a running local Skein cluster:
# installs dependencies, builds, starts a ResourceManager and two NodeManagers on 127.0.0.1
# (`yarn minicluster`, embedded defaults) and runs a distributed-shell application on it.
# The cluster keeps running afterwards; the script prints how to use and stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh

echo "== building (Release) — the first build takes a few minutes"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
if ! ninja -C build-release -j2 yarn skein-dshell-am skein-launcher-am skein-executor >"${TMPDIR:-/tmp}/skein-quickstart-build.log" 2>&1; then
  tail -40 "${TMPDIR:-/tmp}/skein-quickstart-build.log" >&2
  echo "build failed; full log: ${TMPDIR:-/tmp}/skein-quickstart-build.log" >&2
  exit 1
fi
bin="$root/build-release/bin"

base=${SKEIN_QUICKSTART_DIR:-/tmp/skein-quickstart}
conf="$base/conf"
if [ -f "$base/minicluster.pid" ] && kill -0 "$(cat "$base/minicluster.pid")" 2>/dev/null; then
  echo "== stopping the previous quickstart cluster"
  kill "$(cat "$base/minicluster.pid")" || true
  sleep 2
fi
rm -rf "$base"
mkdir -p "$base"

echo "== starting a local cluster: 1 ResourceManager + 2 NodeManagers on 127.0.0.1"
nohup "$bin/yarn" minicluster --nodemanagers 2 --base-dir "$base" --conf-dir-out "$conf" \
  --ephemeral-ports >"$base/minicluster.log" 2>&1 &
echo $! >"$base/minicluster.pid"
for _ in $(seq 1 100); do
  # minicluster writes the client configuration once every NodeManager has registered
  if [ -f "$conf/yarn-site.xml" ]; then break; fi
  if ! kill -0 "$(cat "$base/minicluster.pid")" 2>/dev/null; then
    echo "the cluster failed to start:" >&2
    cat "$base/minicluster.log" >&2
    exit 1
  fi
  sleep 0.2
done
export YARN_CONF_DIR="$conf"

echo "== running a distributed-shell application with 2 containers"
"$bin/yarn" distributedshell -appname quickstart -num_containers 2 \
  -shell_command 'echo "Hello from $CONTAINER_ID on $NM_HOST"; uname -a'
echo
echo "== running a Spark-style job: pi over 10 slices, 2 executors, client mode (driver here)"
"$bin/yarn" submit --name quickstart-pi --num-executors 2 --executor-memory 512m pi 10
echo
echo "== all applications"
"$bin/yarn" application -list -appStates ALL
echo
echo "== nodes"
"$bin/yarn" node -list -all
app=$("$bin/yarn" application -list -appStates ALL -appTypes YARN | grep -o 'application_[0-9_]*' | head -1)
echo
echo "== what the containers printed"
find "$base" -path "*${app}*" -name stdout -exec sh -c 'echo "--- $1"; cat "$1"' _ {} \;
web=$(tr -d '\n' <"$conf/yarn-site.xml" |
  sed -n 's|.*<name>yarn.resourcemanager.webapp.address</name>[[:space:]]*<value>\([^<]*\)</value>.*|\1|p')
cat <<MSG

Web UI and REST API: http://${web:-?}/cluster   (REST: http://${web:-?}/ws/v1/cluster/apps)
The cluster is still running (pid $(cat "$base/minicluster.pid"), log $base/minicluster.log).
Next:
  export YARN_CONF_DIR=$conf PATH=$bin:\$PATH
  yarn application -status $app
  yarn distributedshell -shell_command 'hostname' -num_containers 4
  yarn submit --deploy-mode cluster pi 100   # driver in the AM container; output in its stdout log
  yarn node -list -showDetails
Container logs:  $base/nm*/logs/<application id>/<container id>/{stdout,stderr}
Stop it:         kill $(cat "$base/minicluster.pid")
MSG
