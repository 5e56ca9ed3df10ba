#!/usr/bin/env python3
"""Turns scripts/bench-node.sh's results directory into a Markdown table of medians.

    python3 scripts/bench-node-table.py WORK_DIR

Each run left results/<target>-<index>-r<round>.json (cachectl bench --json) and .meta
(server CPU ticks over the run). Every figure is the median over the rounds.
"""
import glob
import json
import os
import statistics
import sys


def load(work):
    runs = {}
    for meta_path in glob.glob(os.path.join(work, "results", "*.meta")):
        with open(meta_path) as f:
            meta = json.load(f)
        try:
            with open(meta_path[: -len(".meta")] + ".json") as f:
                test = json.load(f)["tests"][0]
        except (OSError, ValueError, KeyError, IndexError):
            test = None  # the run failed; its .log says why
        runs.setdefault((meta["index"], meta["name"], meta["target"]), []).append((meta, test))
    return runs


def summarize(samples):
    tests = [(meta, test) for meta, test in samples if test and test["succeeded"] > 0]
    if not tests:
        return None
    med = lambda values: statistics.median(values)
    return {
        "ops": med([t["opsPerSecond"] for _, t in tests]),
        "p50": med([t["latencyMicros"]["p50"] for _, t in tests]),
        "p99": med([t["latencyMicros"]["p99"] for _, t in tests]),
        "cpu": med([m["cpuTicks"] / m["hz"] / t["succeeded"] * 1e6 for m, t in tests]),
        "errors": sum(t["errors"] for _, t in tests),
        "errorKinds": {k: v for _, t in tests for k, v in t["errorKinds"].items()},
        "misses": sum(t.get("misses", 0) for _, t in tests),
        "failed": len(samples) - len(tests),
        "rounds": len(samples),
    }


def latency(micros):
    return f"{micros:.0f} µs" if micros < 1000 else f"{micros / 1000:.2f} ms"


def main(work):
    runs = load(work)
    rows = sorted({(index, name) for index, name, _ in runs})
    print("| test | single ops/s | p50 | p99 | CPU/op | cluster ops/s | p50 | p99 | CPU/op (3 nodes) | cluster/single ops/s | errors single/cluster |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for index, name in rows:
        single = summarize(runs.get((index, name, "single"), []))
        cluster = summarize(runs.get((index, name, "cluster"), []))
        cells = [name]
        for side in (single, cluster):
            if side is None:
                cells += ["failed"] * 4
            else:
                cells += [f"{side['ops']:.0f}", latency(side["p50"]), latency(side["p99"]), f"{side['cpu']:.1f} µs"]
        ratio = f"{cluster['ops'] / single['ops']:.2f}" if single and cluster and single["ops"] else "–"
        errors = "/".join(str(side["errors"]) if side else "–" for side in (single, cluster))
        print("| " + " | ".join(cells + [ratio, errors]) + " |")
        for label, side in (("single", single), ("cluster", cluster)):
            if side and side["errorKinds"]:
                notes.append(f"{name} on {label}: errors {side['errorKinds']}")
            if side and name.startswith("GET") and side["misses"]:
                notes.append(f"{name} on {label}: {side['misses']} GET misses")
            if side and side["failed"]:
                notes.append(f"{name} on {label}: {side['failed']} of {side['rounds']} runs failed")
    rounds = max((len(v) for v in runs.values()), default=0)
    print()
    print(f"Medians over {rounds} round(s). CPU/op: server utime+stime per answered request "
          "(the cluster's is the sum over its three nodes).")
    try:
        with open(os.path.join(work, "idle.json")) as f:
            idle = json.load(f)
        share = lambda ticks: ticks / idle["hz"] / idle["seconds"] * 100
        print(f"Idle CPU while the other side is measured: single node {share(idle['single']):.1f}% of a core, "
              f"cluster {share(idle['cluster']):.1f}% of a core.")
    except (OSError, ValueError, KeyError):
        pass
    try:
        with open(os.path.join(work, "cluster-status.json")) as f:
            status = json.load(f)
        counters = ", ".join(f"{key} {status[key]}" for key in
                             ("quorumFailures", "readRepairs", "hintsQueued", "hintsDelivered", "hintsDropped"))
        alive = sum(1 for member in status["members"] if member["state"] == "alive")
        print(f"Cluster after the runs, as node-1 sees it: {alive} of {len(status['members'])} members alive; {counters}.")
    except (OSError, ValueError, KeyError):
        print("Cluster status after the runs: unavailable.")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
