#!/usr/bin/env python3
"""Host tests of tools/cowltrace.py on streams built here, byte by byte, with
an encoder of its own (so a layout mistake in the tool cannot cancel out):
every output format parsed back by its reader (json, babeltrace2 for CTF,
the PNG's signature), the filters, --follow on a growing file, and the bad inputs (truncated, unknown
type, bad magic, another version, empty, missing), each of which must end
with a message naming the byte offset and a non-zero status, never a
traceback.

    cowltrace_test.py COWL_SCRIPT
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

cowl = sys.argv[1]
top = os.path.dirname(os.path.abspath(cowl))
tool = os.path.join(top, "tools", "cowltrace.py")
failures = []

MAGIC = 0x45435254574F43
VERSION = 1
TIMEBASE = 10_000_000
PG_REUSE, PG_COPY, PG_KILL = 3, 4, 5
PG_ALLOC, PG_OK = 1, 1


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print("     " + str(detail).replace("\n", "\n     ")[:3000])


def head(typ, hart, pid, time, seq, flags=0, cycle=0):
    return struct.pack("<HHIQQII", typ, hart, pid, time, cycle, seq, flags)


def generic(typ, hart, pid, time, seq, args):
    args = list(args) + [0] * (12 - len(args))
    return head(typ, hart, pid, time, seq) + struct.pack("<12Q", *args)


def stream(version=VERSION, magic=MAGIC, harts=2):
    return generic(1, 0, 0, 100, 0, [magic, version, 128, TIMEBASE, harts, 1])


def fault(hart, pid, t0, seq, va, decision, count, new=0, flags=0):
    times = [t0 + 10, t0 + 30, t0 + 60, t0 + 70]
    cycles = [100, 300, 600, 700]
    body = struct.pack("<4Q4I4QIHHQ", *times, *cycles, va, 0x1000000100, 0x83000000, new, count,
                       decision, hart, 0)
    return head(3, hart, pid, t0, seq, flags) + body


def good_stream():
    return b"".join([
        stream(),
        generic(7, 0, 3, 200, 0, list(struct.unpack("<2Q", b"traceshape\0\0\0\0\0\0"))),
        generic(5, 0, 3, 250, 1, [PG_ALLOC, 8, PG_OK, 100, 20, 3]),
        generic(4, 0, 3, 300, 2, [4, 12, 0]),
        fault(1, 4, 1000, 0, 0x1000002000, PG_COPY, 2, new=0x83100000),
        fault(1, 4, 2000, 1, 0x1000003000, PG_COPY, 2, new=0x83101000),
        fault(0, 3, 3000, 3, 0x1000002000, PG_REUSE, 1),
        generic(2, 1, 0, 3500, 0, [5]),
        generic(8, 0, 4, 4000, 4, [0]),
    ])


def run(*args, cwd=None):
    p = subprocess.run([sys.executable, tool] + list(args), capture_output=True, text=True, cwd=cwd, timeout=60)
    return p.returncode, p.stdout, p.stderr


def no_traceback(err, what):
    check("Traceback" not in err, what + ": no Python traceback", err)


tmp = tempfile.mkdtemp(prefix="cowltrace-test-")
try:
    good = os.path.join(tmp, "good.bin")
    with open(good, "wb") as f:
        f.write(good_stream())

    # Text: one line per event, sorted by time, with the decision.
    st, out, err = run(good)
    lines = out.splitlines()
    check(st == 0 and len(lines) == 9, "text: nine events, status 0", f"{st}\n{out}\n{err}")
    check(any("fault" in l and "-> copy 0x83100000" in l for l in lines), "text: a copy fault names the new frame", out)
    check(any("lost 5 events" in l for l in lines), "text: lost events are shown", out)

    # JSON Lines parsed back.
    st, out, err = run("--jsonl", good)
    objs = [json.loads(l) for l in out.splitlines()]
    faults = [o for o in objs if o["event"] == "fault"]
    check(st == 0 and len(objs) == 9 and len(faults) == 3, "jsonl: every event is one JSON object", out)
    need = {"event", "hart", "pid", "va", "decision", "trap_ns", "sent_ns", "decided_ns", "applied_ns", "user_ns"}
    check(all(need <= set(o) for o in faults), "jsonl: faults carry va, decision and the phase times", faults[:1])
    check(faults[0]["trap_ns"] == 100000 and faults[0]["user_ns"] == 107000,
          "jsonl: phase times are ns since boot", faults[0])
    check(all({"event", "hart", "pid"} <= set(o) for o in objs), "jsonl: every object has event, hart, pid")

    # Filters.
    st, out, err = run("--jsonl", "--pid", "4", "--decision", "copy", good)
    objs = [json.loads(l) for l in out.splitlines()]
    check(st == 0 and len(objs) == 2 and all(o["decision"] == "copy" and o["pid"] == 4 for o in objs),
          "filters: --pid 4 --decision copy keep the two copies", out)
    st, out, err = run("--jsonl", "--va", "1000003000-1000003fff", good)
    objs = [json.loads(l) for l in out.splitlines()]
    check(st == 0 and len(objs) == 1 and objs[0]["va"] == "0x1000003000", "filters: --va keeps one page", out)
    st, out, err = run("--jsonl", "--event", "fork,exit", good)
    check(st == 0 and sorted(json.loads(l)["event"] for l in out.splitlines()) == ["exit", "fork"],
          "filters: --event fork,exit", out)
    st, out, err = run("--event", "nosuch", good)
    check(st == 1 and "no event named nosuch" in err, "filters: an unknown --event name is refused", err)
    no_traceback(err, "unknown --event")

    # Summary: counts, decisions, lost.
    st, out, err = run("--summary", good)
    check(st == 0 and "decisions: copy 2 reuse 1" in out and "lost: 5" in out and "fault 3" in out,
          "summary: counts per event and decision, lost events", out)
    check("total" in out and "p99" in out, "summary: latency percentiles", out)

    # Perfetto JSON parsed back: a track per hart, a slice per phase.
    pf = os.path.join(tmp, "t.json")
    st, out, err = run("--perfetto", pf, good)
    with open(pf) as f:
        trace = json.load(f)["traceEvents"]
    names = [e["name"] for e in trace if e.get("ph") == "X"]
    tracks = {e["args"]["name"] for e in trace if e.get("name") == "thread_name"}
    check(st == 0 and names.count("sent->decided") == 3 and tracks == {"hart 0", "hart 1"},
          "perfetto: phase slices on one track per hart", f"{names}\n{tracks}")

    # CTF read by the real babeltrace2 (./cowl installs it when asked for CTF).
    ctf = os.path.join(tmp, "ctf")
    p = subprocess.run([cowl, "trace", "--ctf", ctf, good], capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "ctf: ./cowl trace --ctf writes the trace", p.stderr)
    bt = shutil.which("babeltrace2")
    check(bt is not None, "ctf: babeltrace2 is installed by ./cowl trace --ctf")
    if bt:
        p = subprocess.run([bt, ctf], capture_output=True, text=True, timeout=60)
        out = p.stdout
        check(p.returncode == 0 and out.count(" fault: ") == 3 and out.count(" exec: ") == 1,
              "ctf: babeltrace2 reads every event back", p.stdout + p.stderr)
        check('decision = "copy"' in out and 'decision = "reuse"' in out, "ctf: decisions survive", out)

    # --follow prints records as they are appended, like trace_pipe.
    grow = os.path.join(tmp, "grow.bin")
    data = good_stream()
    with open(grow, "wb") as f:
        f.write(data[:128 * 3])
    p = subprocess.Popen([sys.executable, tool, "--follow", grow], stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    with open(grow, "ab") as f:
        f.write(data[128 * 3:128 * 5 + 60])  # two records and part of a third
    time.sleep(1.0)
    with open(grow, "ab") as f:
        f.write(data[128 * 5 + 60:])
    time.sleep(1.0)
    p.terminate()
    out, _ = p.communicate(timeout=10)
    lines = out.splitlines()
    check(len(lines) == 9 and "fault" in lines[4] and "exit" in lines[8],
          "follow: every record printed as the file grows, a split record once whole", out)

    # Bad inputs: what is wrong, where, what could be decoded, status 1.
    def bad(name, data, expect, lines_min):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        st, out, err = run(path)
        check(st == 1 and expect in err, f"bad input ({name}): says '{expect}', status 1", f"{st}\n{err}")
        check(len(out.splitlines()) >= lines_min, f"bad input ({name}): prints what it can", out)
        no_traceback(err, f"bad input ({name})")

    data = good_stream()
    bad("truncated", data[:128 * 5 + 40], "byte offset 640: truncated record: 40 of 128 bytes", 5)
    unknown = bytearray(data)
    unknown[128 * 2:128 * 2 + 2] = struct.pack("<H", 99)
    bad("unknown-type", bytes(unknown), "byte offset 256: unknown event type 99", 8)
    bad("bad-magic", stream(magic=0x1234) + data[128:], "byte offset 0: not a Cowl trace", 0)
    bad("other-version", stream(version=7) + data[128:], "version 7, but this tool reads version 1", 0)
    bad("not-a-trace", b"hello, this is not a trace at all" * 8, "not a Cowl trace", 0)
    bad("empty", b"", "the file is empty", 0)
    st, out, err = run(os.path.join(tmp, "missing.bin"))
    check(st == 1 and "No such file" in err, "bad input (missing file): status 1", err)
    no_traceback(err, "bad input (missing file)")
finally:
    shutil.rmtree(tmp)

print(f"{len(failures)} failed" if failures else "cowltrace: all checks passed")
sys.exit(1 if failures else 0)
