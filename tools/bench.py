#!/usr/bin/env python3
"""The host side of `./cowl bench`: cowbench's raw samples into statistics,
results.json, a Markdown table, PNG plots, and the regression check.

cowbench (user/cowbench.c) prints sorted, run-length coded samples:
    bench mode MODE -
    bench clock UNIT TIMEBASE TICK_HZ HARTS
    sample NAME VALUE*COUNT ...
    figure NAME UNIT N INVALID
    skip NAME REASON
One raw file is one boot. Every figure becomes an object with name, mode,
unit, n, mean, p50, p90, p99, max (and more); percentiles are nearest-rank:
the smallest sample with at least q% of the samples at or below it.

The throughput figures have two parameters: the workers (after '@') and
the harts (the boot's clock line). tput_faults_per_s and the host's
control tput_spins_per_s get `workers`, `speedup` (the p50 over the same
figure and mode's one hart, one worker) and tput_faults_per_s
`lock_wait`, `lock_wait_long` (the share of the harts' time spent waiting
for big_lock, all of it and in waits over 1 ms: p50, min, max as
fractions, from the tput_lock_wait* figures of the same boot and point).

    bench.py report --out DIR [--config KEY=VALUE]... RAW...
    bench.py plots RESULTS.json DIR
    bench.py baseline RESULTS.json BASELINE.json
    bench.py check RESULTS.json BASELINE.json
"""
import argparse
import json
import math
import os
import sys

# The regression check: a figure regresses when its p50 or mean grows past
# baseline * (1 + TOLERANCE) + SLACK instructions. Under -icount the figures
# repeat exactly, so any growth at all is a change in the code.
TOLERANCE = 0.02
SLACK = 20
# Statistics every figure carries.
STATS = ("n", "mean", "p50", "p90", "p99", "max")
# The throughput figures: faults a second, and big_lock's wait beside them
# (in millionths of the harts' time; results.json holds fractions).
TPUT = "tput_faults_per_s"
# The host's control in the same sweep: an empty loop in each worker, no
# kernel entry (what the host gives the harts' threads).
TPUT_SPIN = "tput_spins_per_s"
TPUT_WAITS = {"tput_lock_wait": "lock_wait", "tput_lock_wait_long": "lock_wait_long"}
PPM = 1e6
# Tables list the modes in this order.
MODE_ORDER = {"pager": 0, "kernel": 1, "eager": 2}


def percentile(pairs, q):
    """Nearest-rank q-th percentile of sorted (value, count) pairs."""
    n = sum(c for _, c in pairs)
    if n == 0:
        raise ValueError("no samples")
    rank = max(1, math.ceil(q / 100.0 * n))
    seen = 0
    for v, c in pairs:
        seen += c
        if seen >= rank:
            return v
    return pairs[-1][0]


def summarize(pairs):
    """n, mean, min, p50, p90, p99, max of (value, count) pairs (any order)."""
    pairs = sorted(pairs)
    n = sum(c for _, c in pairs)
    return {
        "n": n,
        "mean": round(sum(v * c for v, c in pairs) / n, 1),
        "min": pairs[0][0],
        "p50": percentile(pairs, 50),
        "p90": percentile(pairs, 90),
        "p99": percentile(pairs, 99),
        "max": pairs[-1][0],
    }


def parse_raw(text):
    """One boot's console: mode, clock and figures (samples as pairs)."""
    run = {"mode": None, "clock": None, "figures": {}, "skips": {}, "done": False}
    for line in text.splitlines():
        w = line.strip().split()
        if len(w) >= 3 and w[:2] == ["bench", "mode"]:
            run["mode"] = w[2]
        elif len(w) == 6 and w[:2] == ["bench", "clock"]:
            run["clock"] = {"unit": w[2], "timebase_hz": int(w[3]), "tick_hz": int(w[4]),
                            "harts": int(w[5])}
        elif w == ["bench", "done"]:
            run["done"] = True
        elif len(w) >= 2 and w[0] == "sample":
            fig = run["figures"].setdefault(w[1], {"pairs": []})
            for item in w[2:]:
                v, c = item.split("*")
                fig["pairs"].append((int(v), int(c)))
        elif len(w) == 5 and w[0] == "figure":
            fig = run["figures"].setdefault(w[1], {"pairs": []})
            fig.update(unit=w[2], n=int(w[3]), invalid=int(w[4]))
            if sum(c for _, c in fig["pairs"]) != fig["n"]:
                raise ValueError("figure %s: %d samples printed, %d announced"
                                 % (w[1], sum(c for _, c in fig["pairs"]), fig["n"]))
        elif len(w) == 3 and w[0] == "skip":
            run["skips"][w[1]] = w[2]
    if not run["mode"] or not run["clock"]:
        raise ValueError("no `bench mode` or `bench clock` line: not a cowbench run")
    return run


def split_name(name):
    base, _, param = name.partition("@")
    return base, (int(param) if param else None)


def figure_object(name, mode, clock, runs):
    """A results.json figure from one or more runs' samples of one figure."""
    base, param = split_name(name)
    pairs = [p for r in runs for p in r["pairs"]]
    obj = {"name": base, "mode": mode, "unit": runs[0]["unit"]}
    if param is not None:
        obj["param"] = param
        if base in (TPUT, TPUT_SPIN) or base in TPUT_WAITS:
            obj["workers"] = param
    obj.update(summarize(pairs) if pairs else {k: None for k in STATS})
    obj["invalid"] = sum(r.get("invalid", 0) for r in runs)
    obj["clock"] = "icount" if clock["unit"] == "instructions" else "wall"
    obj["harts"] = clock["harts"]
    if len(runs) > 1:
        p50s = sorted(summarize(r["pairs"])["p50"] for r in runs if r["pairs"])
        obj["runs"] = {"count": len(p50s), "p50_min": p50s[0],
                       "p50_median": p50s[len(p50s) // 2], "p50_max": p50s[-1]}
    return obj


def add_per_page(figures):
    """fork_total@N figures get per_page: (mean - mean at 0 pages) / N."""
    base = {(f["mode"], f["clock"]): f["mean"] for f in figures
            if f["name"] == "fork_total" and f.get("param") == 0 and f["n"]}
    for f in figures:
        b = base.get((f["mode"], f["clock"]))
        if f["name"] == "fork_total" and f.get("param") and b is not None and f["n"]:
            f["per_page"] = round((f["mean"] - b) / f["param"], 1)


def add_tput(figures):
    """tput_faults_per_s figures get their lock wait (fractions of the harts'
    time) and their speedup over the same mode's one hart, one worker."""
    def point(f):
        return (f["mode"], f["harts"], f.get("workers"))
    waits = {(f["name"], point(f)): f for f in figures if f["name"] in TPUT_WAITS and f["n"]}
    one = {(f["name"], f["mode"]): f["p50"] for f in figures
           if f["name"] in (TPUT, TPUT_SPIN) and f["n"] and f["harts"] == 1
           and f.get("workers") == 1}
    for f in figures:
        if f["name"] not in (TPUT, TPUT_SPIN) or not f["n"]:
            continue
        for name, key in TPUT_WAITS.items():
            w = waits.get((name, point(f)))
            if w and f["name"] == TPUT:
                f[key] = {s: round(w[s] / PPM, 4) for s in ("p50", "min", "max")}
        if one.get((f["name"], f["mode"])):
            f["speedup"] = round(f["p50"] / one[(f["name"], f["mode"])], 2)


def build_results(raws, config):
    """results.json's object from parsed runs: runs of one mode, clock and
    harts are repeats and pool their samples."""
    groups = {}
    skips = []
    for run in raws:
        key = (run["mode"], run["clock"]["unit"], run["clock"]["harts"])
        for name, fig in run["figures"].items():
            groups.setdefault(key + (name,), (run["clock"], []))[1].append(fig)
        for name, why in run["skips"].items():
            skips.append({"name": name, "mode": run["mode"], "reason": why})
    figures = [figure_object(k[3], k[0], clock, runs) for k, (clock, runs) in groups.items()]
    add_per_page(figures)
    add_tput(figures)
    return {"config": config, "figures": figures, "skipped": skips}


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return "{:,.1f}".format(v)
    return "{:,}".format(int(v))


def markdown(results):
    """The table: one row per figure and mode, the statistics as columns
    (big_lock's wait is in the throughput table, beside its rate)."""
    rows = ["| figure | mode | clock | harts | unit | n | mean | p50 | p90 | p99 | max | invalid |",
            "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    figs = sorted((f for f in results["figures"] if f["name"] not in TPUT_WAITS),
                  key=lambda f: (f["clock"], f["name"], f.get("param") or 0,
                                 MODE_ORDER.get(f["mode"], 9), f["harts"]))
    for f in figs:
        name = f["name"] + ("@%d" % f["param"] if "param" in f else "")
        rows.append("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            name, f["mode"], f["clock"], f["harts"], f["unit"], fmt(f["n"]), fmt(f["mean"]),
            fmt(f["p50"]), fmt(f["p90"]), fmt(f["p99"]), fmt(f["max"]), f["invalid"]))
    return "\n".join(rows) + "\n"


def pct(frac):
    return "-" if frac is None else "%.1f%%" % (100 * frac)


def tput_markdown(results):
    """The throughput sweep: a row per mode, harts and workers, with the
    spread of the runs, the speedup and big_lock's share of the harts' time."""
    figs = sorted((f for f in results["figures"] if f["name"] == TPUT and f["n"]),
                  key=lambda f: (MODE_ORDER.get(f["mode"], 9), f["harts"], f["workers"]))
    if not figs:
        return ""
    rows = ["", "Throughput (faults a second, all workers; runs: median, min, max; big_lock "
            "wait: share of the harts' time, median of the runs, and the part in waits "
            "over 1 ms):", "",
            "| mode | harts | workers | runs | faults/s p50 | min | max | x 1 hart, 1 worker "
            "| big_lock wait | of it > 1 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in figs:
        rows.append("| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s |" % (
            f["mode"], f["harts"], f["workers"], f["n"], fmt(f["p50"]), fmt(f["min"]),
            fmt(f["max"]), "%.2f" % f["speedup"] if "speedup" in f else "-",
            pct(f.get("lock_wait", {}).get("p50")), pct(f.get("lock_wait_long", {}).get("p50"))))
    spins = sorted((f for f in results["figures"] if f["name"] == TPUT_SPIN and f["n"]),
                   key=lambda f: (MODE_ORDER.get(f["mode"], 9), f["harts"], f["workers"]))
    if spins:
        rows += ["", "The host's control (an empty loop in each worker, no kernel entry; spins "
                 "a second, all workers):", "",
                 "| mode | harts | workers | runs | spins/s p50 | min | max | x 1 hart, 1 worker |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for f in spins:
            rows.append("| %s | %d | %d | %d | %s | %s | %s | %s |" % (
                f["mode"], f["harts"], f["workers"], f["n"], fmt(f["p50"]), fmt(f["min"]),
                fmt(f["max"]), "%.2f" % f["speedup"] if "speedup" in f else "-"))
    return "\n".join(rows) + "\n"


def cmd_report(args):
    config = dict(kv.split("=", 1) for kv in args.config)
    raws = []
    for path in args.raw:
        with open(path, encoding="utf-8", errors="replace") as f:
            run = parse_raw(f.read())
        if not run["done"]:
            print("bench.py: %s: the run did not finish (no `bench done`)" % path, file=sys.stderr)
            return 1
        raws.append(run)
    results = build_results(raws, config)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown(results) + tput_markdown(results))
    return 0


def deterministic(results):
    """The -icount figures by `name@param/mode`: the ones the check compares."""
    out = {}
    for f in results["figures"]:
        if f["clock"] == "icount" and f["n"]:
            key = f["name"] + ("@%d" % f["param"] if "param" in f else "") + "/" + f["mode"]
            out[key] = {"mean": f["mean"], "p50": f["p50"], "p99": f["p99"], "max": f["max"]}
    return out


def cmd_baseline(args):
    with open(args.results) as f:
        results = json.load(f)
    base = {"tolerance": TOLERANCE, "slack": SLACK, "config": results["config"],
            "figures": deterministic(results)}
    with open(args.baseline, "w") as f:
        json.dump(base, f, indent=1, sort_keys=True)
        f.write("\n")
    print("bench.py: baseline of %d figures written to %s" % (len(base["figures"]), args.baseline))
    return 0


def compare(base, now):
    """(regressions, improvements, missing): lines saying what moved."""
    bad, better, missing = [], [], []
    for key, b in sorted(base["figures"].items()):
        n = now.get(key)
        if n is None:
            missing.append("%s: in the baseline, not measured now" % key)
            continue
        for stat in ("p50", "mean"):
            limit = b[stat] * (1 + base["tolerance"]) + base["slack"]
            if n[stat] > limit:
                bad.append("%s %s: %s, baseline %s (limit %s)"
                           % (key, stat, fmt(n[stat]), fmt(b[stat]), fmt(limit)))
            elif n[stat] < b[stat] * (1 - base["tolerance"]) - base["slack"]:
                better.append("%s %s: %s, baseline %s" % (key, stat, fmt(n[stat]), fmt(b[stat])))
    return bad, better, missing


def cmd_check(args):
    with open(args.results) as f:
        results = json.load(f)
    if not os.path.exists(args.baseline):
        print("bench: no baseline at %s; make one with ./cowl bench --update-baseline"
              % args.baseline)
        return 1
    with open(args.baseline) as f:
        base = json.load(f)
    bad, better, missing = compare(base, deterministic(results))
    for line in better:
        print("bench: faster than the baseline: " + line)
    for line in missing + bad:
        print("bench: REGRESSION: " + line)
    if better and not bad and not missing:
        print("bench: the baseline is stale; refresh it with ./cowl bench --update-baseline")
    print("bench: check %s: %d figures against %s (tolerance %d%% + %d instructions)"
          % ("FAILED" if bad or missing else "passed", len(base["figures"]), args.baseline,
             round(base["tolerance"] * 100), base["slack"]))
    return 1 if bad or missing else 0


def cmd_plots(args):
    import bench_plots  # matplotlib only when plots are asked for
    with open(args.results) as f:
        results = json.load(f)
    for path in bench_plots.draw(results, args.dir):
        print("bench: plot " + path)
    return 0


def main(argv):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--config", action="append", default=[])
    r.add_argument("raw", nargs="+")
    r.set_defaults(fn=cmd_report)
    for name, fn in (("baseline", cmd_baseline), ("check", cmd_check)):
        c = sub.add_parser(name)
        c.add_argument("results")
        c.add_argument("baseline")
        c.set_defaults(fn=fn)
    pl = sub.add_parser("plots")
    pl.add_argument("results")
    pl.add_argument("dir")
    pl.set_defaults(fn=cmd_plots)
    args = p.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
