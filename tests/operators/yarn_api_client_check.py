"""Drives a live Skein with the real `yarn-api-client` package (interop/python/yarn-api-client).

Usage: python yarn_api_client_check.py EXPECTED.json
EXPECTED names the RM and NM web addresses and what Skein itself knows (from its gRPC API):
the running and finished application ids, their user, queue and name, the node ids and the
cluster id. Every call's returned VALUES are compared with those; the running application is
finally killed through the client's cluster_application_kill (an anonymous PUT: dr.who).
Prints one line per check and exits non-zero on the first failure.
"""
import json
import sys
import time

from yarn_api_client import NodeManager, ResourceManager

checks = 0


def check(cond, what, got=None):
    global checks
    checks += 1
    if not cond:
        print("FAIL: %s (got %r)" % (what, got))
        sys.exit(1)
    print("ok: %s" % what)


def ids(apps_doc):
    apps = apps_doc["apps"]
    if not apps or not apps.get("app"):
        return []
    return [a["id"] for a in apps["app"]]


def main():
    exp = json.load(open(sys.argv[1]))
    rm = ResourceManager(service_endpoints=[exp["rm"]], timeout=10)
    check(rm.get_active_endpoint() == exp["rm"], "active RM endpoint", rm.get_active_endpoint())

    info = rm.cluster_information().data["clusterInfo"]
    check(info["id"] == exp["cluster_id"], "clusterInfo.id is the cluster timestamp", info["id"])
    check(info["state"] == "STARTED", "clusterInfo.state", info["state"])
    check(info["haState"] == "ACTIVE", "clusterInfo.haState", info["haState"])

    m = rm.cluster_metrics().data["clusterMetrics"]
    check(m["activeNodes"] == len(exp["nodes"]), "metrics.activeNodes", m["activeNodes"])
    check(m["totalNodes"] == len(exp["nodes"]), "metrics.totalNodes", m["totalNodes"])
    check(m["appsRunning"] == 1, "metrics.appsRunning", m["appsRunning"])
    check(m["appsCompleted"] == 1, "metrics.appsCompleted", m["appsCompleted"])
    check(m["appsSubmitted"] == 2, "metrics.appsSubmitted", m["appsSubmitted"])
    check(m["totalMB"] == exp["total_mb"], "metrics.totalMB", m["totalMB"])
    check(m["allocatedMB"] > 0 and m["allocatedMB"] + m["availableMB"] == m["totalMB"],
          "metrics.allocatedMB + availableMB == totalMB", m)

    sched = rm.cluster_scheduler().data["scheduler"]["schedulerInfo"]
    check(sched["type"] == "capacityScheduler", "scheduler.type", sched["type"])
    leaf = rm.cluster_scheduler_queue(exp["queue"])
    check(leaf is not None and leaf["queueName"] == exp["queue"], "scheduler queue found by BFS",
          leaf)
    check(leaf["numApplications"] == 1, "leaf queue numApplications (the running app)",
          leaf.get("numApplications"))

    run, done = exp["running"], exp["finished"]
    running = ids(rm.cluster_applications(states=["RUNNING"]).data)
    check(running == [run], "apps?states=RUNNING", running)
    finished = ids(rm.cluster_applications(final_status="SUCCEEDED").data)
    check(finished == [done], "apps?finalStatus=SUCCEEDED", finished)
    mine = ids(rm.cluster_applications(user=exp["user"]).data)
    check(sorted(mine) == sorted([run, done]), "apps?user=", mine)
    check(ids(rm.cluster_applications(user="nobody-such").data) == [], "apps?user=nobody", None)
    inq = ids(rm.cluster_applications(queue=exp["queue"]).data)
    check(sorted(inq) == sorted([run, done]), "apps?queue=", inq)
    check(len(ids(rm.cluster_applications(limit=1).data)) == 1, "apps?limit=1", None)
    later = ids(rm.cluster_applications(started_time_begin=exp["running_started"]).data)
    check(run in later and done not in later, "apps?startedTimeBegin=", later)
    typed = ids(rm.cluster_applications(application_types=[exp["type"]]).data)
    check(sorted(typed) == sorted([run, done]), "apps?applicationTypes=", typed)
    named = ids(rm.cluster_applications(name=exp["running_name"]).data)
    check(named == [run], "apps?name=", named)

    app = rm.cluster_application(run).data["app"]
    for k, v in (("id", run), ("user", exp["user"]), ("queue", exp["queue"]),
                 ("name", exp["running_name"]), ("state", "RUNNING"),
                 ("finalStatus", "UNDEFINED")):
        check(app[k] == v, "app.%s" % k, app[k])
    check(app["trackingUI"] == "ApplicationMaster", "app.trackingUI", app["trackingUI"])
    check(app["runningContainers"] == 2, "app.runningContainers", app["runningContainers"])
    fin = rm.cluster_application(done).data["app"]
    check(fin["state"] == "FINISHED" and fin["finalStatus"] == "SUCCEEDED", "finished app state",
          (fin["state"], fin["finalStatus"]))
    check(fin["trackingUI"] == "History", "finished app trackingUI", fin["trackingUI"])
    check(fin["finishedTime"] >= fin["startedTime"] > 0, "finished app times", fin)

    attempts = rm.cluster_application_attempts(run).data["appAttempts"]["appAttempt"]
    check(len(attempts) == 1, "one attempt", attempts)
    attempt = attempts[0]
    check(attempt["appAttemptId"] == exp["running_attempt"], "attempt id", attempt)
    check(attempt["nodeId"] in exp["nodes"], "attempt.nodeId is a node", attempt["nodeId"])
    check(attempt["containerId"] == exp["running_am_container"], "attempt.containerId", attempt)
    one = rm.cluster_application_attempt_info(run, exp["running_attempt"]).data["appAttempt"]
    check(one["containerId"] == exp["running_am_container"], "appattempts/{id}", one)
    conts = rm.cluster_application_attempt_containers(run, exp["running_attempt"]).data
    cids = [c["containerId"] for c in conts["containers"]["container"]]
    check(exp["running_am_container"] in cids and len(cids) == 2, "attempt containers", cids)
    check(rm.cluster_application_state(run).data["state"] == "RUNNING", "apps/{id}/state", None)
    check(rm.cluster_get_application_queue(run).data["queue"] == exp["queue"], "apps/{id}/queue",
          None)

    stats = rm.cluster_application_statistics(states=["RUNNING"]).data["appStatInfo"]["statItem"]
    check(stats == [{"state": "RUNNING", "type": "*", "count": 1}], "appstatistics", stats)

    nodes = rm.cluster_nodes().data["nodes"]["node"]
    check(sorted(n["id"] for n in nodes) == sorted(exp["nodes"]), "nodes ids", nodes)
    check(all(n["state"] == "RUNNING" for n in nodes), "nodes RUNNING", nodes)
    check(sum(n["numContainers"] for n in nodes) == 2, "nodes hold the 2 containers", nodes)
    node = rm.cluster_node(exp["nodes"][0]).data["node"]
    check(node["id"] == exp["nodes"][0], "nodes/{id}", node)

    # The NodeManager of the running AM.
    am_node = [n for n in nodes if n["id"] == attempt["nodeId"]][0]
    nm = NodeManager(service_endpoint="http://" + am_node["nodeHTTPAddress"], timeout=10)
    ninfo = nm.node_information().data["nodeInfo"]
    check(ninfo["id"] == am_node["id"], "NM nodeInfo.id", ninfo["id"])
    check(ninfo["nodeHealthy"] is True, "NM nodeHealthy", ninfo)
    napps = nm.node_applications().data["apps"]["app"]
    check(run in [a["id"] for a in napps], "NM apps lists the running app", napps)
    napp = nm.node_application(run).data["app"]
    check(napp["user"] == exp["user"] and napp["state"] == "RUNNING", "NM apps/{id}", napp)
    check(exp["running_am_container"] in napp["containerids"], "NM app containerids", napp)
    ncs = nm.node_containers().data["containers"]["container"]
    check(exp["running_am_container"] in [c["id"] for c in ncs], "NM containers", ncs)
    nc = nm.node_container(exp["running_am_container"]).data["container"]
    check(nc["state"] == "RUNNING" and nc["exitCode"] == -1000 and nc["user"] == exp["user"],
          "NM containers/{id}", nc)

    # Kill through the client: no user.name, so Skein acts as dr.who (yarn.acl.enable off).
    rm.cluster_application_kill(run)
    deadline = time.time() + 30
    state = None
    while time.time() < deadline:
        state = rm.cluster_application_state(run).data["state"]
        if state == "KILLED":
            break
        time.sleep(0.2)
    check(state == "KILLED", "killed through cluster_application_kill", state)
    killed = ids(rm.cluster_applications(states=["KILLED"]).data)
    check(killed == [run], "apps?states=KILLED", killed)
    print("%d passed, 0 failed" % checks)


if __name__ == "__main__":
    main()
