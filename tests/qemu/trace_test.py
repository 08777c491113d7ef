#!/usr/bin/env python3
"""Trace a program of known shape from the host and check the trace.

    trace_test.py COWL BUILD_DIR SMP K [--overflow] [--formats]

Boots `./cowl run --trace FILE traceshape K` (user/traceshape: fork; the
child stores to K shared pages while the parent lives; after the child
exits the parent stores to the same K pages) and reads FILE back with
tools/cowltrace.py --jsonl:

- cow=pager and cow=kernel: exactly K copy decisions for the child's pid in
  the pages' range and K reuse decisions for the parent's, each fault with
  every phase stamped and in order (trap <= sent <= decided <= applied <=
  user), and no lost events;
- cow=eager: no fault events at all (fork copies), and the test says so;
- --overflow (boots with tracering=2, rings of two records): events are
  dropped and counted, the program still ends well, the count matches the
  per-hart gaps in the records' sequence numbers and reaches --summary;
- --formats: --perfetto read back as JSON, --ctf read by babeltrace2 (the
  same number of faults), --plot a PNG (./cowl installs what they need).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

cowl, build, smp, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
overflow = "--overflow" in sys.argv
formats = "--formats" in sys.argv
tool = os.path.join(os.path.dirname(os.path.abspath(cowl)), "tools", "cowltrace.py")
failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print("     " + str(detail).replace("\n", "\n     ")[:4000])


def run(cmd, timeout=180):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    return p.returncode, p.stdout, p.stderr


def ordered(f):
    times = [f[p + "_ns"] for p in ("trap", "sent", "decided", "applied", "user")]
    return None not in times and times == sorted(times)


tmp = tempfile.mkdtemp(prefix="cowl-trace-")
trace = os.path.join(tmp, "trace.bin")
cmd = [cowl, "run", "--no-build", "--build-dir", build, "--quiet", "--smp", smp, "--timeout", "120",
       "--trace", trace]
if overflow:
    cmd += ["--append", "tracering=2"]
st, out, err = run(cmd + ["traceshape", str(k)])
console = out.replace("\r", "")
check(st == 0 and "traceshape: ok" in console, "traceshape ran and exited 0", f"{st}\n{console}\n{err}")
m = re.search(r"traceshape: parent (\d+) child (\d+) pages 0x([0-9a-f]+)-0x([0-9a-f]+) (\d+)", console)
check(m is not None, "traceshape named its pids and pages", console)
check("pager: fault" not in console and "COWTRCE" not in console,
      "the shell's console carries no trace", console)
if not m:
    sys.exit(1)
parent, child, lo, hi = int(m.group(1)), int(m.group(2)), int(m.group(3), 16), int(m.group(4), 16)

st, out, err = run([sys.executable, tool, "--jsonl", trace])
check(st == 0, "cowltrace.py --jsonl reads the trace", err)
events = [json.loads(line) for line in out.splitlines()]
stream = events[0] if events and events[0]["event"] == "stream" else None
check(stream is not None, "the trace starts with its stream record", out[:500])
mode = stream["mode"] if stream else "?"
print(f"cow={mode}, {smp} harts, {len(events)} events")
lost = sum(e["lost"] for e in events if e["event"] == "lost")
faults = [e for e in events if e["event"] == "fault"]
in_range = [f for f in faults if lo <= int(f["va"], 16) <= hi]

if not overflow:
    check(lost == 0, "no lost events", f"lost {lost}")
    if mode == "eager":
        check(not faults, "cow=eager: no fault events (fork copies every page)", faults[:3])
        print("cow=eager has no fault events: fork copied the pages, as it should")
    else:
        copies = [f for f in in_range if f["pid"] == child]
        reuses = [f for f in in_range if f["pid"] == parent]
        check(len(copies) == k and all(f["decision"] == "copy" and f["count"] >= 2 for f in copies),
              f"exactly {k} copy decisions for the child (pid {child}) in the range",
              [(f["va"], f["decision"], f["count"]) for f in copies])
        check(len(reuses) == k and all(f["decision"] == "reuse" and f["count"] == 1 for f in reuses),
              f"exactly {k} reuse decisions for the parent (pid {parent}) in the range",
              [(f["va"], f["decision"], f["count"]) for f in reuses])
        check(len({f["va"] for f in copies}) == k and {f["va"] for f in copies} == {f["va"] for f in reuses},
              "the child and the parent fault on the same K pages")
        bad = [f for f in copies + reuses if not ordered(f)]
        check(not bad, "every fault's phases are stamped and in order", bad[:2])
    forks = [e for e in events if e["event"] == "fork" and e["pid"] == parent and e["child"] == child]
    check(len(forks) == 1 and forks[0]["result"] == 0, "the fork is traced", forks)
    exits = [e for e in events if e["event"] == "exit" and e["pid"] in (parent, child)]
    check(len(exits) == 2, "both exits are traced", exits)
else:
    check(lost > 0, "rings of two records overflow: events are dropped and counted", f"lost {lost}")
    gaps, resumed = 0, False
    for hart in {e["hart"] for e in events if e["event"] == "lost"}:
        seqs = [e["seq"] for e in events if e["event"] not in ("lost", "stream") and
                (e["resume_hart"] if e["event"] == "fault" else e["hart"]) == hart]
        gaps += max(seqs) + 1 - len(seqs) if seqs else 0
        resumed = resumed or (seqs and max(seqs) + 1 > len(seqs))  # kept a record after a drop
    check(gaps <= lost, "the lost count covers every gap in the records' sequence numbers",
          f"gaps {gaps}, lost {lost}")
    st, out, err = run([sys.executable, tool, "--summary", trace])
    check(st == 0 and f"lost: {lost}" in out, "the lost count reaches --summary", out + err)
    check(resumed, "the system goes on: a ring keeps records again after dropping some",
          [(e["event"], e["hart"], e["seq"]) for e in events])

if formats:
    pf = os.path.join(tmp, "trace.json")
    st, out, err = run([sys.executable, tool, "--perfetto", pf, trace])
    with open(pf) as f:
        slices = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X" and e["name"].startswith("fault")]
    check(st == 0 and len(slices) == len(faults), "--perfetto: one fault slice per fault, valid JSON", err)
    ctf = os.path.join(tmp, "ctf")
    st, out, err = run([cowl, "trace", "--ctf", ctf, trace], timeout=600)
    check(st == 0, "./cowl trace --ctf writes the CTF trace", err)
    st, out, err = run(["babeltrace2", ctf])
    check(st == 0 and out.count(" fault: ") == len(faults), "babeltrace2 reads every fault of the CTF trace",
          f"{st} {out.count(' fault: ')} vs {len(faults)}\n{err}")
    png = os.path.join(tmp, "trace.png")
    st, out, err = run([cowl, "trace", "--plot", png, trace], timeout=600)
    sig = open(png, "rb").read(8) if os.path.exists(png) else b""
    check(st == 0 and sig == b"\x89PNG\r\n\x1a\n", "./cowl trace --plot draws a PNG", err)

subprocess.run(["rm", "-rf", tmp])
print(f"{len(failures)} failed" if failures else "trace: all checks passed")
sys.exit(1 if failures else 0)
