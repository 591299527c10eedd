#!/usr/bin/env python3
"""Skein side by side with Apache Hadoop YARN (issue 14): the same workloads, the same machine,
one run. Called by bench/peers/run.sh; see docs/benchmarks.md, "Side by side with Apache Hadoop
YARN". Standard library only. Every process it starts is stopped at exit; every wait is bounded.

Systems: skein-stock, skein-tuned (Skein's `yarn` daemons), yarn-stock, yarn-tuned (Hadoop
3.5.0's ResourceManager and NodeManagers, each a JVM started by interop/java/yarn-peer's
YarnPeer). Each is one RM + 2 NMs of <8192 MB, 8 vcores> on 127.0.0.1, CapacityScheduler with
one queue; `tuned` adds TUNED below to both systems.

Workloads (in this order):
  latency  submit -> AM RUNNING and submit -> FINISHED of one distributed shell (`true`, one
           container), N in a row: Skein's `yarn distributedshell`, YARN's DistributedShell
           Client (a JVM, as `yarn jar` runs it). Times from the client's start; RUNNING and
           FINISHED as /ws/v1/cluster/metrics shows them (polled every 5 ms).
  burst    N one-container apps submitted over REST by 4 client threads (AM command `true`),
           until every app is final: makespan and apps/s.
  memory   VmRSS of the RM and of NM 0: idle, with 10 running containers (a distributed shell
           of 10 x `sleep 60`, 1 GB each after rounding, + its AM), after the burst.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("SKEIN_INTEROP_CACHE", "/var/cache/skein-interop")
PEER = os.path.join(CACHE, "java", "yarn-peer")

COMMON = {
    "yarn.resourcemanager.hostname": "127.0.0.1",
    "yarn.nodemanager.hostname": "127.0.0.1",
    "yarn.nodemanager.resource.memory-mb": "8192",
    "yarn.nodemanager.resource.cpu-vcores": "8",
    "yarn.nodemanager.vmem-check-enabled": "false",
    "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage": "100.0",
    "yarn.resourcemanager.scheduler.class":
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler",
    "yarn.scheduler.capacity.root.queues": "default",
    "yarn.scheduler.capacity.root.default.capacity": "100",
    "yarn.resourcemanager.connect.max-wait.ms": "10000",
}
# What a careful operator sets for latency.
TUNED = {
    "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms": "100",
    "yarn.scheduler.capacity.maximum-am-resource-percent": "1.0",
    "yarn.scheduler.capacity.schedule-asynchronously.enable": "true",
}
ADDRESSES = {
    "yarn.resourcemanager.address": "127.0.0.1:0",
    "yarn.resourcemanager.scheduler.address": "127.0.0.1:0",
    "yarn.resourcemanager.resource-tracker.address": "127.0.0.1:0",
    "yarn.resourcemanager.admin.address": "127.0.0.1:0",
    "yarn.resourcemanager.webapp.address": "127.0.0.1:0",
}
LOG4J = """log4j.rootLogger=WARN,stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%d{ISO8601} %p %c{1}: %m%n
"""
RM_HEAP = "-Xmx1g"
NM_HEAP = "-Xmx512m"
CLIENT_HEAP = "-Xmx256m"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def write_site(d, props):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "yarn-site.xml"), "w") as f:
        f.write('<?xml version="1.0"?>\n<configuration>\n')
        for k, v in sorted(props.items()):
            f.write(f"  <property><name>{k}</name><value>{v}</value></property>\n")
        f.write("</configuration>\n")
    with open(os.path.join(d, "log4j.properties"), "w") as f:
        f.write(LOG4J)


def read_site(path):
    text = open(path).read()
    return dict(re.findall(r"<name>([^<]*)</name>\s*<value>([^<]*)</value>", text))


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Rest:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, timeout=20):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Accept": "application/json"}
            data = None
            if body is not None:
                data = json.dumps(body)
                headers["Content-Type"] = "application/json"
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            raw = r.read()
            try:
                return r.status, json.loads(raw) if raw else None
            except ValueError:
                return r.status, None
        finally:
            c.close()

    def get(self, path):
        try:
            s, j = self.call("GET", path)
            return j if s == 200 else None
        except OSError:
            return None

    def metrics(self):
        j = self.get("/ws/v1/cluster/metrics")
        return j["clusterMetrics"] if j else None


class System:
    """One RM + NMs. Subclasses: start(), ds_argv(), stop()."""

    def __init__(self, name, base, props):
        self.name = name
        self.base = os.path.join(base, name)
        self.props = dict(props)
        self.procs = []  # (role, Popen)
        self.rest = None
        self.client_conf = os.path.join(self.base, "client")

    def spawn(self, role, argv, stdin=None, env=None):
        out = open(os.path.join(self.base, role + ".out"), "w")
        err = open(os.path.join(self.base, role + ".err"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=stdin or subprocess.DEVNULL,
                             env=env, start_new_session=True)
        self.procs.append((role, p))
        return p

    def pid(self, role):
        for r, p in self.procs:
            if r == role:
                return p.pid
        return None

    def wait_nodes(self, n, timeout=180):
        def ok():
            j = self.rest.get("/ws/v1/cluster/nodes?states=RUNNING")
            nodes = ((j or {}).get("nodes") or {}).get("node") or []
            return len(nodes) >= n
        if not wait_for(ok, timeout, 0.2):
            raise RuntimeError(f"{self.name}: {n} nodes not RUNNING within {timeout}s")

    def stop(self):
        for role, p in reversed(self.procs):
            if p.poll() is None:
                if p.stdin:
                    try:
                        p.stdin.close()
                    except OSError:
                        pass
                else:
                    p.send_signal(signal.SIGTERM)
        for role, p in reversed(self.procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        self.procs = []


class Skein(System):
    def __init__(self, name, base, props, bindir):
        super().__init__(name, base, props)
        self.yarn = os.path.join(bindir, "yarn")

    def start(self, nms=2):
        rm_conf = os.path.join(self.base, "rm-conf")
        write_site(rm_conf, {**self.props, **ADDRESSES})
        addr_file = os.path.join(self.base, "rm-addresses.xml")
        self.spawn("rm", [self.yarn, "--config", rm_conf, "resourcemanager",
                          "--address-file", addr_file])
        if not wait_for(lambda: os.path.exists(addr_file), 60):
            raise RuntimeError("skein RM did not start")
        time.sleep(0.1)
        bound = read_site(addr_file)
        client = {**self.props, **{k: bound[k] for k in ADDRESSES if k in bound}}
        write_site(self.client_conf, client)
        self.rest = Rest(int(bound["yarn.resourcemanager.webapp.address"].rsplit(":", 1)[1]))
        for i in range(nms):
            d = os.path.join(self.base, f"nm{i}")
            write_site(os.path.join(d, "conf"), {
                **client, "yarn.nodemanager.address": "127.0.0.1:0",
                "yarn.nodemanager.webapp.address": "127.0.0.1:0",
                "yarn.nodemanager.local-dirs": d + "/local",
                "yarn.nodemanager.log-dirs": d + "/logs"})
            self.spawn(f"nm{i}", [self.yarn, "--config", os.path.join(d, "conf"), "nodemanager"])
        self.wait_nodes(nms)

    def ds_argv(self, command, containers):
        return [self.yarn, "--config", self.client_conf, "distributedshell",
                "-shell_command", command, "-num_containers", str(containers),
                "-master_memory", "256", "-container_memory", "256"]


class Yarn(System):
    def __init__(self, name, base, props):
        super().__init__(name, base, props)
        self.cp = f"{PEER}/lib/*:{PEER}/classes"
        jars = [f for f in os.listdir(os.path.join(PEER, "lib"))
                if f.startswith("hadoop-yarn-applications-distributedshell-")]
        self.ds_jar = os.path.join(PEER, "lib", jars[0])

    def java_peer(self, role, heap, args, conf):
        return self.spawn(role, ["java", heap, "-cp", f"{self.cp}:{conf}", "YarnPeer"] + args,
                          stdin=subprocess.PIPE)

    def wait_ready(self, role, timeout=240):
        path = os.path.join(self.base, role + ".out")

        def ready():
            try:
                for line in open(path):
                    if line.startswith("READY"):
                        return dict(kv.split("=", 1) for kv in line.split()[1:])
                    if line.startswith("FAILED"):
                        raise RuntimeError(f"{self.name} {role}: {line}")
            except FileNotFoundError:
                pass
            return None
        r = wait_for(ready, timeout, 0.1)
        if not r:
            raise RuntimeError(f"{self.name} {role} not READY within {timeout}s")
        return r

    def start(self, nms=2):
        rm_conf = os.path.join(self.base, "rm-conf")
        # The AM (DistributedShell's, a JVM) finds the RM through the client conf on its classpath.
        site = {**self.props, **ADDRESSES, "hadoop.tmp.dir": os.path.join(self.base, "tmp"),
                "yarn.application.classpath": f"{self.client_conf},{PEER}/lib/*,{PEER}/classes"}
        write_site(rm_conf, site)
        self.java_peer("rm", RM_HEAP, ["rm", rm_conf, self.client_conf], rm_conf)
        r = self.wait_ready("rm")
        with open(os.path.join(self.client_conf, "log4j.properties"), "w") as f:
            f.write(LOG4J)
        self.rest = Rest(int(r["web"].rsplit(":", 1)[1]))
        for i in range(nms):
            d = os.path.join(self.base, f"nm{i}")
            conf = os.path.join(d, "conf")
            write_site(conf, {
                **site, "yarn.resourcemanager.address": r["rm"],
                "yarn.resourcemanager.scheduler.address": r["scheduler"],
                "yarn.resourcemanager.resource-tracker.address": r["tracker"],
                "yarn.nodemanager.address": "127.0.0.1:0",
                "yarn.nodemanager.localizer.address": "127.0.0.1:0",
                "yarn.nodemanager.webapp.address": "127.0.0.1:0",
                "yarn.nodemanager.collector-service.address": "127.0.0.1:0",
                "yarn.nodemanager.local-dirs": d + "/local",
                "yarn.nodemanager.log-dirs": d + "/logs"})
            self.java_peer(f"nm{i}", NM_HEAP, ["nm", conf], conf)
        for i in range(nms):
            self.wait_ready(f"nm{i}")
        self.wait_nodes(nms)

    def ds_argv(self, command, containers):
        return ["java", CLIENT_HEAP, "-cp", f"{self.client_conf}:{PEER}/lib/*",
                "org.apache.hadoop.yarn.applications.distributedshell.Client",
                "-jar", self.ds_jar, "-shell_command", command,
                "-num_containers", str(containers),
                "-master_memory", "256", "-container_memory", "256"]


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(xs):
    return {"n": len(xs), "median": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99),
            "min": min(xs) if xs else None, "max": max(xs) if xs else None, "all": xs}


def latency(sys_, n, timeout):
    """Distributed shell `true` N times in a row; metrics polled every 5 ms."""
    running, finished, rm_seen = [], [], []
    for i in range(n):
        m0 = sys_.rest.metrics()
        base_done = m0["appsCompleted"] + m0["appsFailed"] + m0["appsKilled"]
        base_sub = m0["appsSubmitted"]
        t0 = time.monotonic()
        p = subprocess.Popen(sys_.ds_argv("true", 1), stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(sys_.base, "ds.err"), "w"))
        t_sub = t_run = t_fin = None
        end = t0 + timeout
        while time.monotonic() < end:
            m = sys_.rest.metrics()
            now = time.monotonic()
            if m:
                if t_sub is None and m["appsSubmitted"] > base_sub:
                    t_sub = now
                done = m["appsCompleted"] + m["appsFailed"] + m["appsKilled"]
                if t_run is None and (m["appsRunning"] > 0 or done > base_done):
                    t_run = now
                if done > base_done:
                    t_fin = now
                    break
            time.sleep(0.005)
        try:
            p.wait(timeout=max(1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        t_exit = time.monotonic()
        if t_run is None or t_fin is None:
            log(f"  {sys_.name}: run {i} timed out")
            continue
        running.append(round((t_run - t0) * 1000, 1))
        finished.append(round((max(t_fin, t_exit) - t0) * 1000, 1))
        if t_sub is not None:
            rm_seen.append(round((t_fin - t_sub) * 1000, 1))
        log(f"  {sys_.name}: run {i}: RUNNING {running[-1]:.0f} ms, FINISHED {finished[-1]:.0f} ms")
    return {"submit_to_running_ms": summary(running),
            "submit_to_finished_ms": summary(finished),
            "rm_submitted_to_final_ms": summary(rm_seen)}


def burst(sys_, n, threads=4, timeout=900):
    """N one-container apps over REST as fast as `threads` clients can; until all are final."""
    ids, errors = [], []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                s, j = sys_.rest.call("POST",
                                      "/ws/v1/cluster/apps/new-application?user.name=bench")
                app = j["application-id"]
                s, _ = sys_.rest.call("POST", "/ws/v1/cluster/apps?user.name=bench", {
                    "application-id": app, "application-name": f"burst-{i}",
                    "queue": "default", "am-container-spec": {"commands": {"command": "true"}},
                    "max-app-attempts": 1, "resource": {"memory": 256, "vCores": 1},
                    "application-type": "YARN"})
                if s != 202:
                    raise RuntimeError(f"submit answered {s}")
                with lock:
                    ids.append(app)
            except Exception as e:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(str(e))

    m0 = sys_.rest.metrics()
    base_done = m0["appsCompleted"] + m0["appsFailed"] + m0["appsKilled"]
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout)
    t_submitted = time.monotonic()

    def all_final():
        m = sys_.rest.metrics()
        return m and m["appsCompleted"] + m["appsFailed"] + m["appsKilled"] - base_done >= len(ids)
    ok = wait_for(all_final, timeout, 0.02)
    t1 = time.monotonic()
    m = sys_.rest.metrics()
    return {"apps": n, "submitted": len(ids), "errors": len(errors),
            "first_error": errors[0] if errors else None, "all_final": bool(ok),
            "submit_s": round(t_submitted - t0, 2), "makespan_s": round(t1 - t0, 2),
            "apps_per_s": round(len(ids) / (t1 - t0), 2) if ok else None,
            "finished": m["appsCompleted"], "failed": m["appsFailed"]}


def memory_running(sys_, containers=10, timeout=120):
    """Starts a distributed shell with `containers` x `sleep`; RSS once they all run."""
    p = subprocess.Popen(sys_.ds_argv("sleep 60", containers), stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(sys_.base, "ds-mem.err"), "w"))

    def all_running():
        m = sys_.rest.metrics()
        return m and m["containersAllocated"] >= containers + 1
    ok = wait_for(all_running, timeout, 0.2)
    time.sleep(2)
    res = {"containers": containers, "reached": bool(ok),
           "rm_kb": rss_kb(sys_.pid("rm")), "nm_kb": rss_kb(sys_.pid("nm0"))}
    return p, res


def run_system(sys_, args):
    res = {"system": sys_.name, "config": sys_.props}
    t = time.monotonic()
    sys_.start()
    res["startup_s"] = round(time.monotonic() - t, 1)
    time.sleep(3)
    res["rss_idle"] = {"rm_kb": rss_kb(sys_.pid("rm")), "nm_kb": rss_kb(sys_.pid("nm0"))}
    log(f"{sys_.name}: up in {res['startup_s']} s, idle RSS {res['rss_idle']}")
    if args.latency > 0:
        n = args.latency if sys_.name.startswith("skein") else args.latency_yarn or args.latency
        res["latency"] = latency(sys_, n, args.app_timeout)
    if args.memory:
        p, res["rss_running"] = memory_running(sys_)
        log(f"{sys_.name}: RSS with running containers {res['rss_running']}")
        p.kill()
        p.wait()
        # let the shell app end (its containers exit after their sleep) before the burst
        wait_for(lambda: (sys_.rest.metrics() or {}).get("appsRunning", 1) == 0, 120, 0.5)
    if args.burst > 0:
        res["burst"] = burst(sys_, args.burst)
        log(f"{sys_.name}: burst {res['burst']}")
        time.sleep(2)
        res["rss_after_burst"] = {"apps": args.burst, "rm_kb": rss_kb(sys_.pid("rm")),
                                  "nm_kb": rss_kb(sys_.pid("nm0"))}
    return res


def fmt_ms(v):
    return "-" if v is None else (f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.0f} ms")


def ratio(a, b):
    if a is None or b is None or a == 0:
        return "-"
    return f"{b / a:.1f}x"


def table(results):
    by = {r["system"]: r for r in results}
    lines = ["| workload | " + " | ".join(by) + " | stock YARN / stock Skein | "
             "tuned YARN / tuned Skein |", "|---" * (len(by) + 3) + "|"]

    def row(label, get, fmt, lower_better=True):
        vals = {k: get(v) for k, v in by.items()}
        cells = [fmt(v) if v is not None else "-" for v in vals.values()]
        pairs = []
        for s, y in (("skein-stock", "yarn-stock"), ("skein-tuned", "yarn-tuned")):
            a, b = vals.get(s), vals.get(y)
            pairs.append(ratio(a, b) if lower_better else ratio(b, a))
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(pairs) + " |")

    def lat(key, q):
        return lambda r: ((r.get("latency") or {}).get(key) or {}).get(q)
    for q in ("median", "p90", "p99"):
        row(f"submit → AM RUNNING, {q}", lat("submit_to_running_ms", q), fmt_ms)
    for q in ("median", "p90", "p99"):
        row(f"submit → FINISHED, {q}", lat("submit_to_finished_ms", q), fmt_ms)
    row("burst: makespan", lambda r: (r.get("burst") or {}).get("makespan_s"),
        lambda v: f"{v:.1f} s")
    row("burst: apps/s", lambda r: (r.get("burst") or {}).get("apps_per_s"),
        lambda v: f"{v:.1f}", lower_better=False)
    for phase, label in (("rss_idle", "idle"), ("rss_running", "10 running containers"),
                         ("rss_after_burst", "after the burst")):
        for d in ("rm", "nm"):
            row(f"RSS {d.upper()}, {label}", lambda r, p=phase, d=d: (r.get(p) or {}).get(d + "_kb"),
                lambda v: f"{v / 1024:.0f} MiB")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build-rel", "bin"))
    ap.add_argument("--systems", default="skein-stock,skein-tuned,yarn-stock,yarn-tuned")
    ap.add_argument("--latency", type=int, default=50, help="apps in a row (0: skip)")
    ap.add_argument("--latency-yarn", type=int, default=0,
                    help="apps in a row on YARN when fewer than --latency (0: the same)")
    ap.add_argument("--burst", type=int, default=1000, help="apps in the burst (0: skip)")
    ap.add_argument("--no-memory", dest="memory", action="store_false")
    ap.add_argument("--app-timeout", type=float, default=180)
    ap.add_argument("--out", default=None, help="JSON path (default bench/results/<date>-<commit>.json)")
    args = ap.parse_args()
    # A SIGTERM (e.g. from `timeout`) still stops every daemon started here (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    out = args.out or os.path.join(ROOT, "bench", "results", f"{date}-{commit}.json")
    if not os.path.isdir(PEER):
        sys.exit(f"{PEER} missing: run `bash scripts/fetch-interop.sh java/yarn-peer`")
    base = tempfile.mkdtemp(prefix="skein-peers-")
    results = []
    load = []
    try:
        for name in args.systems.split(","):
            props = dict(COMMON)
            if name.endswith("-tuned"):
                props.update(TUNED)
            if name.startswith("skein"):
                s = Skein(name, base, props, args.bindir)
            else:
                s = Yarn(name, base, props)
            os.makedirs(s.base, exist_ok=True)
            try:
                load.append(os.getloadavg()[0])
                results.append(run_system(s, args))
            except Exception as e:  # noqa: BLE001 - one system failing must not lose the rest
                log(f"{name}: FAILED: {e}")
                results.append({"system": name, "error": str(e)})
            finally:
                s.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "commit": commit, "hadoop": "3.5.0 (DistributedShell 3.4.2)",
           "java": java.splitlines()[0] if java else None,
           "heaps": {"rm": RM_HEAP, "nm": NM_HEAP, "client": CLIENT_HEAP},
           "cpus": os.cpu_count(), "loadavg_at_each_start": load,
           "args": vars(args), "tuned": TUNED, "common": COMMON, "results": results}
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    print(table(results))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
