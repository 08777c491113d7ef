#!/usr/bin/env python3
"""cowltrace: read the binary trace Cowl's kernel writes on its trace console.

`./cowl run --trace FILE ...` or `./cowl qemu --trace FILE` records the
stream; this tool decodes it (docs/tracing.md):

    cowltrace.py FILE                      one line per event, time since boot
    cowltrace.py --follow FILE             keep printing as FILE grows
    cowltrace.py --jsonl FILE              JSON Lines, one object per event
    cowltrace.py --summary FILE            counts, phase latencies, lost events
    cowltrace.py --perfetto OUT.json FILE  Chrome trace-event JSON (Perfetto UI)
    cowltrace.py --ctf DIR FILE            a CTF 1.8 trace for babeltrace2
    cowltrace.py --plot OUT.png FILE       latency histograms, phase breakdown

Filters (--pid N, --event NAME[,NAME], --decision copy|reuse|kill,
--va LO-HI) select the events every output shows. The record layout and
every number come from libsys/include/cowl/trace.h and abi.h, the headers
the kernel is built from; a stream of another format version is refused.

Exit status: 0; 1 when the file is malformed (the problems are named with
their byte offsets on stderr, after what could be decoded); 2 for bad usage.
"""

import argparse
import json
import math
import os
import re
import struct
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACE_H = os.path.join(TOP, "libsys", "include", "cowl", "trace.h")
ABI_H = os.path.join(TOP, "libsys", "include", "cowl", "abi.h")

HEAD = struct.Struct("<HHIQQII")  # struct cowl_trace_head
PHASES = ["trap", "sent", "decided", "applied", "user"]
PHASE_SPANS = [("trap", "sent"), ("sent", "decided"), ("decided", "applied"), ("applied", "user")]


class TraceError(Exception):
    """A problem with the input, at a byte offset (None: the whole file)."""

    def __init__(self, offset, message):
        super().__init__(message)
        self.offset = offset
        self.message = message

    def __str__(self):
        where = "" if self.offset is None else f"byte offset {self.offset}: "
        return where + self.message


# ---- The format, read from the headers. ----


def read_defines(text):
    out = {}
    for name, value in re.findall(r"^#define\s+(COWL_TRACE_\w+)\s+(0x[0-9a-fA-F]+|\d+)", text, re.M):
        out[name] = int(value.rstrip("ULul"), 0)
    return out


def read_xmacro(text, macro):
    body = re.search(r"#define\s+" + macro + r"\(X\)(.*?)\n\n", text, re.S)
    if not body:
        raise TraceError(None, f"{macro} not found in {TRACE_H}")
    return {int(n): name for n, name in re.findall(r"X\((\d+),\s*(\w+)\)", body.group(1))}


def read_enum(text, name):
    body = re.search(r"enum\s+" + name + r"\s*\{(.*?)\};", text, re.S)
    values, nxt = {}, 0
    for item in re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S).split(","):
        item = item.strip()
        if not item:
            continue
        key, _, value = item.partition("=")
        nxt = int(value.strip(), 0) if value.strip() else nxt
        values[nxt] = key.strip()
        nxt += 1
    return values


class Format:
    """Numbers and names the kernel's headers define."""

    def __init__(self):
        with open(TRACE_H) as f:
            trace_h = f.read()
        with open(ABI_H) as f:
            abi_h = f.read()
        d = read_defines(trace_h)
        self.magic = d["COWL_TRACE_MAGIC"]
        self.version = d["COWL_TRACE_VERSION"]
        self.record = d["COWL_TRACE_RECORD_BYTES"]
        self.nargs = d["COWL_TRACE_ARGS"]
        self.reader_hart = d["COWL_TRACE_HART_READER"]
        self.copyout = d["COWL_TRACE_FAULT_COPYOUT"]
        self.noreturn = d["COWL_TRACE_FAULT_NORETURN"]
        self.events = read_xmacro(trace_h, "COWL_TRACE_EVENTS")
        self.kill_reasons = read_xmacro(trace_h, "COWL_TRACE_KILL_REASONS")
        self.type_of = {v: k for k, v in self.events.items()}
        replies = read_enum(abi_h, "pager_reply_label")
        self.decisions = {n: replies[n][3:].lower() for n in replies if replies[n] != "PG_OK" and replies[n] != "PG_FAIL"}
        self.requests = {n: v[3:].lower() for n, v in read_enum(abi_h, "pager_label").items()}
        self.results = {n: v[3:].lower() for n, v in replies.items()}
        self.modes = {n: v[10:].lower() for n, v in read_enum(abi_h, "cowl_mode").items()}
        self.generic = struct.Struct("<%dQ" % self.nargs)
        self.fault = struct.Struct("<4Q4I4QIHHQ")
        if HEAD.size + self.generic.size != self.record or HEAD.size + self.fault.size != self.record:
            raise TraceError(None, f"this tool's layouts do not add up to {self.record} bytes: update it with trace.h")


# ---- Decoding. ----


def decode(fmt, raw, offset, stream):
    """One record as a dict; raises TraceError for an unknown type."""
    typ, hart, pid, t, cycle, seq, flags = HEAD.unpack_from(raw, 0)
    name = fmt.events.get(typ)
    if name is None:
        raise TraceError(offset, f"unknown event type {typ}")
    ev = {"event": name, "hart": hart, "pid": pid, "time": t, "cycle": cycle, "seq": seq,
          "flags": flags, "offset": offset}
    if name == "fault":
        f = fmt.fault.unpack_from(raw, HEAD.size)
        times = [t] + list(f[0:4])
        ev.update(va=f[8], pc=f[9], old_frame=f[10], new_frame=f[11], count=f[12],
                  decision=fmt.decisions.get(f[13], f"unknown({f[13]})"), resume_hart=f[14],
                  copyout=bool(flags & fmt.copyout), noreturn=bool(flags & fmt.noreturn))
        ev["phases"] = {p: (times[i] if i == 0 or times[i] else None) for i, p in enumerate(PHASES)}
        ev["phase_cycles"] = {p: (0 if i == 0 else (f[4 + i - 1] if times[i] else None))
                              for i, p in enumerate(PHASES)}
        return ev
    a = fmt.generic.unpack_from(raw, HEAD.size)
    if name == "stream":
        ev.update(magic=a[0], version=a[1], record_bytes=a[2], timebase_hz=a[3], harts=a[4],
                  mode=fmt.modes.get(a[5], str(a[5])))
    elif name == "lost":
        ev.update(lost=a[0], reader=hart == fmt.reader_hart)
    elif name == "fork":
        ev.update(child=a[0], pages=a[1], result=struct.unpack("<q", struct.pack("<Q", a[2]))[0])
    elif name == "batch":
        ev.update(request=fmt.requests.get(a[0], str(a[0])), count=a[1],
                  result=fmt.results.get(a[2], str(a[2])), free=a[3], used=a[4], shared=a[5])
    elif name == "kill":
        ev.update(reason=fmt.kill_reasons.get(a[0], f"unknown({a[0]})"), scause=a[1], pc=a[2], addr=a[3])
    elif name == "exec":
        ev.update(name=struct.pack("<2Q", a[0], a[1]).split(b"\0")[0].decode("utf-8", "replace"))
    elif name == "exit":
        ev.update(status=struct.unpack("<q", struct.pack("<Q", a[0]))[0])
    return ev


class Reader:
    """Decodes a stream incrementally; problems collect in .errors."""

    def __init__(self, fmt):
        self.fmt = fmt
        self.offset = 0
        self.buf = b""
        self.stream = None
        self.errors = []

    def check_stream(self, ev):
        if ev["magic"] != self.fmt.magic:
            raise TraceError(ev["offset"], "not a Cowl trace (bad magic in the stream record)")
        if ev["version"] != self.fmt.version:
            raise TraceError(ev["offset"], f"trace format version {ev['version']}, but this tool reads "
                             f"version {self.fmt.version}: the file comes from another build")
        if ev["record_bytes"] != self.fmt.record:
            raise TraceError(ev["offset"], f"records of {ev['record_bytes']} bytes, expected {self.fmt.record}")
        if not ev["timebase_hz"]:
            raise TraceError(ev["offset"], "the stream record gives no timebase")

    def feed(self, data):
        """Decode every whole record in data (plus what was left over); yield events."""
        self.buf += data
        n = self.fmt.record
        while len(self.buf) >= n:
            raw, self.buf = self.buf[:n], self.buf[n:]
            off = self.offset
            self.offset += n
            if self.stream is None and HEAD.unpack_from(raw, 0)[0] != self.fmt.type_of["stream"]:
                raise TraceError(off, "not a Cowl trace: it does not start with a stream record")
            try:
                ev = decode(self.fmt, raw, off, self.stream)
            except TraceError as e:
                self.errors.append(e)
                continue
            if ev["event"] == "stream":
                self.check_stream(ev)
                self.stream = ev
            yield ev

    def finish(self):
        if self.buf:
            self.errors.append(TraceError(self.offset, f"truncated record: {len(self.buf)} of "
                                          f"{self.fmt.record} bytes"))
            self.buf = b""


def read_file(fmt, path):
    """Every event of path, in file order, and the reader (its errors)."""
    reader = Reader(fmt)
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise TraceError(None, "the file is empty (was the system started with --trace?)")
    events = []
    try:
        events.extend(reader.feed(data))
    except TraceError as e:
        reader.errors.append(e)
    reader.finish()
    return events, reader


# ---- Filters and times. ----


def parse_va(text):
    lo, sep, hi = text.partition("-")
    try:
        return int(lo, 16), int(hi, 16) if sep else int(lo, 16)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--va wants LO-HI in hex, not '{text}'")


def selector(args, fmt):
    names = set()
    for e in args.event or []:
        names.update(x for x in e.split(",") if x)
    unknown = names - set(fmt.events.values())
    if unknown:
        raise TraceError(None, f"--event: no event named {', '.join(sorted(unknown))} "
                         f"(events: {', '.join(fmt.events.values())})")

    narrowed = args.pid is not None or args.decision or args.va

    def keep(ev):
        if ev["event"] == "stream":
            return (not names or "stream" in names) and not narrowed
        if names and ev["event"] not in names:
            return False
        if args.pid is not None and ev["pid"] != args.pid and ev["event"] != "lost":
            return False
        if args.decision and (ev["event"] != "fault" or ev["decision"] != args.decision):
            return False
        if args.va and (ev["event"] != "fault" or not args.va[0] <= ev["va"] <= args.va[1]):
            return False
        return True
    return keep


def ns(stream, ticks):
    return None if ticks is None else ticks * 1_000_000_000 // stream["timebase_hz"]


def spans_ns(stream, ev):
    """Each phase's length and the whole fault's, in ns (None where a phase is missing)."""
    p = ev["phases"]
    out = {}
    for a, b in PHASE_SPANS:
        out[f"{a}-{b}"] = None if p[a] is None or p[b] is None else ns(stream, p[b] - p[a])
    last = p["user"] if p["user"] is not None else p["applied"]
    out["total"] = None if last is None else ns(stream, last - p["trap"])
    return out


# ---- Text. ----


def describe(ev, stream):
    e = ev["event"]
    if e == "stream":
        return (f"stream version {ev['version']}, {ev['harts']} harts, timebase {ev['timebase_hz']} Hz, "
                f"cow={ev['mode']}")
    if e == "lost":
        return f"lost {ev['lost']} events" + (" (the reader's buffer)" if ev["reader"] else "")
    if e == "fault":
        s = f"va {ev['va']:#x} pc {ev['pc']:#x} frame {ev['old_frame']:#x} count {ev['count']} -> {ev['decision']}"
        if ev["decision"] == "copy":
            s += f" {ev['new_frame']:#x}"
        if ev["copyout"]:
            s += " (copyout)"
        parts = []
        for span, v in spans_ns(stream, ev).items():
            parts.append(f"{span} {'-' if v is None else f'{v / 1000:.1f}us'}")
        return s + " [" + ", ".join(parts) + "]"
    if e == "fork":
        return f"child {ev['child']} pages {ev['pages']}" + ("" if ev["result"] == 0 else f" failed ({ev['result']})")
    if e == "batch":
        return (f"{ev['request']} n {ev['count']} -> {ev['result']}, free {ev['free']} used {ev['used']} "
                f"shared {ev['shared']}")
    if e == "kill":
        return f"reason {ev['reason']} pc {ev['pc']:#x} addr {ev['addr']:#x}"
    if e == "exec":
        return ev["name"]
    if e == "exit":
        return f"status {ev['status']}"
    return ""


def text_line(ev, stream):
    t = ev["time"] / stream["timebase_hz"]
    hart = "-" if ev["hart"] == 0xFFFF else str(ev["hart"])
    return f"{t:12.6f} hart {hart:>2} pid {ev['pid']:>3} {ev['event']:<6} {describe(ev, stream)}"


# ---- JSON Lines. ----


def json_object(ev, stream):
    o = {k: v for k, v in ev.items() if k not in ("phases", "phase_cycles", "flags")}
    o["time_ns"] = ns(stream, ev["time"])
    if ev["event"] == "fault":
        for k in ("va", "pc", "old_frame", "new_frame"):
            o[k] = f"{ev[k]:#x}"
        for p in PHASES:
            o[f"{p}_ns"] = ns(stream, ev["phases"][p])
            o[f"{p}_cycles"] = ev["phase_cycles"][p]
        o["spans_ns"] = spans_ns(stream, ev)
    if ev["event"] == "kill":
        o["pc"], o["addr"] = f"{ev['pc']:#x}", f"{ev['addr']:#x}"
    if ev["event"] == "stream":
        o["magic"] = f"{ev['magic']:#x}"
    return o


# ---- Summary. ----


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))]


def latency_row(name, values, unit_div, unit):
    if not values:
        return f"  {name:<16} {'-':>10}"
    cells = [percentile(values, q) / unit_div for q in (0.5, 0.9, 0.99)] + [max(values) / unit_div]
    return f"  {name:<16} {len(values):>6} " + " ".join(f"{c:>10.1f}" for c in cells) + f"  {unit}"


def summary(events, stream, out):
    from collections import Counter, defaultdict
    per_event = Counter(e["event"] for e in events if e["event"] != "stream")
    faults = [e for e in events if e["event"] == "fault"]
    per_decision = Counter(e["decision"] for e in faults)
    per_pid = defaultdict(Counter)
    for e in events:
        if e["event"] not in ("stream", "lost"):
            per_pid[e["pid"]][e["event"] if e["event"] != "fault" else "fault:" + e["decision"]] += 1
    lost = sum(e["lost"] for e in events if e["event"] == "lost")
    print(f"trace: cow={stream['mode']}, {stream['harts']} harts, timebase {stream['timebase_hz']} Hz", file=out)
    print("events:", " ".join(f"{k} {v}" for k, v in sorted(per_event.items())) or "none", file=out)
    print("decisions:", " ".join(f"{k} {v}" for k, v in sorted(per_decision.items())) or "none", file=out)
    print(f"lost: {lost}", file=out)
    print("per pid:", file=out)
    for pid in sorted(per_pid):
        print(f"  {pid:>5} " + " ".join(f"{k} {v}" for k, v in sorted(per_pid[pid].items())), file=out)
    print("fault latency (us):        n        p50        p90        p99        max", file=out)
    groups = [("all", faults)] + [(d, [e for e in faults if e["decision"] == d]) for d in sorted(per_decision)]
    for label, group in groups:
        if len(groups) > 2 or label == "all":
            print(f" {label}:", file=out)
            for span in [f"{a}-{b}" for a, b in PHASE_SPANS] + ["total"]:
                vals = [s[span] for s in (spans_ns(stream, e) for e in group) if s[span] is not None]
                print(latency_row(span, vals, 1000, "us"), file=out)
    if stream["harts"] == 1 and faults:
        print("fault cycles (one hart: the cycle counter; instructions under -icount):", file=out)
        for label, group in groups:
            if len(groups) > 2 or label == "all":
                print(f" {label}:", file=out)
                for a, b in PHASE_SPANS:
                    vals = [e["phase_cycles"][b] - e["phase_cycles"][a] for e in group
                            if e["phase_cycles"][a] is not None and e["phase_cycles"][b] is not None]
                    print(latency_row(f"{a}-{b}", vals, 1, "cycles"), file=out)


# ---- Perfetto (Chrome trace-event JSON). ----


def perfetto(events, stream, path):
    us = lambda ticks: ticks * 1_000_000 / stream["timebase_hz"]
    out = [{"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "cowl"}}]
    harts = sorted({e["hart"] for e in events if e["hart"] != 0xFFFF})
    for h in harts:
        out.append({"ph": "M", "name": "thread_name", "pid": 1, "tid": h, "args": {"name": f"hart {h}"}})
    for e in events:
        if e["event"] == "stream":
            continue
        args = {k: v for k, v in json_object(e, stream).items() if not isinstance(v, dict)}
        if e["event"] != "fault":
            out.append({"ph": "i", "s": "t", "name": e["event"], "pid": 1, "tid": e["hart"],
                        "ts": us(e["time"]), "args": args})
            continue
        p = e["phases"]
        end = p["user"] if p["user"] is not None else p["applied"] or p["trap"]
        out.append({"ph": "X", "name": f"fault {e['decision']} pid {e['pid']}", "pid": 1, "tid": e["hart"],
                    "ts": us(p["trap"]), "dur": us(end - p["trap"]), "args": args})
        for a, b in PHASE_SPANS:
            if p[a] is not None and p[b] is not None:
                out.append({"ph": "X", "name": f"{a}->{b}", "pid": 1, "tid": e["hart"], "ts": us(p[a]),
                            "dur": us(p[b] - p[a])})
    with open(path, "w") as f:
        json.dump({"traceEvents": out, "displayTimeUnit": "ns"}, f)


# ---- CTF 1.8, for babeltrace2. ----

CTF_MAGIC = 0xC1FC1FC1
CTF_FIELDS = {
    "stream": [("version", "u64"), ("harts", "u64"), ("timebase_hz", "u64"), ("mode", "str")],
    "lost": [("lost", "u64")],
    "fault": [("va", "u64"), ("pc", "u64"), ("old_frame", "u64"), ("new_frame", "u64"), ("count", "u64"),
              ("decision", "str"), ("copyout", "u64"), ("sent_ns", "u64"), ("decided_ns", "u64"),
              ("applied_ns", "u64"), ("user_ns", "u64"), ("resume_hart", "u64")],
    "fork": [("child", "u64"), ("pages", "u64"), ("result", "s64")],
    "batch": [("request", "str"), ("count", "u64"), ("result", "str"), ("free", "u64"), ("used", "u64"),
              ("shared", "u64")],
    "kill": [("reason", "str"), ("scause", "u64"), ("pc", "u64"), ("addr", "u64")],
    "exec": [("name", "str")],
    "exit": [("status", "s64")],
}


def ctf_metadata(fmt, stream):
    types = {"u64": "uint64_t", "s64": "int64_t", "str": "string"}
    lines = ["/* CTF 1.8 */",
             "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;",
             "typealias integer { size = 16; align = 8; signed = false; } := uint16_t;",
             "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;",
             "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;",
             "typealias integer { size = 64; align = 8; signed = true; } := int64_t;",
             "trace { major = 1; minor = 8; byte_order = le;",
             "  packet.header := struct { uint32_t magic; uint32_t stream_id; }; };",
             'env { domain = "cowl"; tracer_name = "cowl"; };',
             f"clock {{ name = cowl_time; freq = {stream['timebase_hz']}; offset = 0; }};",
             "typealias integer { size = 64; align = 8; signed = false; map = clock.cowl_time.value; } := clock_t;",
             "stream { id = 0;",
             "  packet.context := struct { uint64_t packet_size; uint64_t content_size; };",
             "  event.header := struct { uint32_t id; clock_t timestamp; };",
             "  event.context := struct { uint16_t hart; uint32_t pid; }; };"]
    for typ, name in sorted(fmt.events.items()):
        fields = " ".join(f"{types[t]} {f};" for f, t in CTF_FIELDS[name])
        lines.append(f'event {{ name = "{name}"; id = {typ}; stream_id = 0; fields := struct {{ {fields} }}; }};')
    return "\n".join(lines) + "\n"


def ctf_event(fmt, e, stream):
    o = json_object(e, stream)
    data = struct.pack("<IQHI", fmt.type_of[e["event"]], e["time"], e["hart"], e["pid"])
    for f, t in CTF_FIELDS[e["event"]]:
        v = o.get(f)
        if t == "str":
            data += str(v).encode() + b"\0"
        elif t == "s64":
            data += struct.pack("<q", v)
        else:
            v = int(v, 16) if isinstance(v, str) else (0 if v is None else int(v))
            data += struct.pack("<Q", v)
    return data


def ctf(fmt, events, stream, path):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "metadata"), "w") as f:
        f.write(ctf_metadata(fmt, stream))
    body = b"".join(ctf_event(fmt, e, stream) for e in sorted(events, key=lambda e: e["time"]))
    size_bits = (8 + 16 + len(body)) * 8
    with open(os.path.join(path, "stream_0"), "wb") as f:
        f.write(struct.pack("<IIQQ", CTF_MAGIC, 0, size_bits, size_bits) + body)


# ---- Plot. ----


def plot(events, stream, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise TraceError(None, "--plot needs python3-matplotlib (./cowl trace --plot installs it)")
    faults = [e for e in events if e["event"] == "fault"]
    decisions = sorted({e["decision"] for e in faults})
    fig, (hist, bars) = plt.subplots(1, 2, figsize=(12, 4.5))
    totals = {d: [spans_ns(stream, e)["total"] / 1000 for e in faults
                  if e["decision"] == d and spans_ns(stream, e)["total"]] for d in decisions}
    every = [v for vals in totals.values() for v in vals]
    if every:
        lo, hi = min(every), max(every)
        edges = [lo * (hi / lo) ** (i / 40) for i in range(41)] if hi > lo else 10
        for d, vals in totals.items():
            if vals:
                hist.hist(vals, bins=edges, alpha=0.6, label=f"{d} ({len(vals)})")
        hist.set_xscale("log")
    hist.set_xlabel("fault latency, trap to user (us, log scale)")
    hist.set_ylabel("faults")
    hist.set_title("Fault latency per decision")
    if decisions:
        hist.legend()
    bottom = [0.0] * len(decisions)
    for a, b in PHASE_SPANS:
        medians = []
        for d in decisions:
            vals = [spans_ns(stream, e)[f"{a}-{b}"] for e in faults if e["decision"] == d]
            vals = [v for v in vals if v is not None]
            medians.append(percentile(vals, 0.5) / 1000 if vals else 0.0)
        bars.bar(decisions, medians, bottom=bottom, label=f"{a}->{b}")
        bottom = [x + y for x, y in zip(bottom, medians)]
    bars.set_ylabel("median time of each phase (us)")
    bars.set_title("Where a fault's time goes")
    bars.legend()
    fig.suptitle(f"cowl trace: cow={stream['mode']}, {len(faults)} faults")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


# ---- Main. ----


def follow(fmt, args, keep):
    reader = Reader(fmt)
    with open(args.file, "rb") as f:
        while True:
            data = f.read()
            if not data:
                time.sleep(0.2)
                continue
            try:
                for ev in reader.feed(data):
                    if keep(ev) and reader.stream:
                        print(text_line(ev, reader.stream), flush=True)
            except TraceError as e:
                print(f"cowltrace: {args.file}: {e}", file=sys.stderr)
                return 1
            for e in reader.errors:
                print(f"cowltrace: {args.file}: {e}", file=sys.stderr)
            reader.errors = []


def main(argv):
    ap = argparse.ArgumentParser(prog="cowl trace", description="Decode a Cowl trace (docs/tracing.md).")
    ap.add_argument("file")
    ap.add_argument("--follow", "-f", action="store_true", help="keep printing as the file grows")
    ap.add_argument("--jsonl", action="store_true", help="JSON Lines, one object per event")
    ap.add_argument("--summary", action="store_true", help="counts, latencies, lost events")
    ap.add_argument("--perfetto", metavar="OUT.json", help="write Chrome trace-event JSON")
    ap.add_argument("--ctf", metavar="DIR", help="write a CTF trace for babeltrace2")
    ap.add_argument("--plot", metavar="OUT.png", help="latency histograms and phase breakdown")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--event", action="append", metavar="NAME", help="fault, fork, batch, kill, exec, exit, lost")
    ap.add_argument("--decision", choices=["copy", "reuse", "kill"])
    ap.add_argument("--va", type=parse_va, metavar="LO-HI")
    args = ap.parse_args(argv)
    try:
        fmt = Format()
        keep = selector(args, fmt)
        if args.follow:
            return follow(fmt, args, keep)
        events, reader = read_file(fmt, args.file)
    except TraceError as e:
        print(f"cowltrace: {args.file}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"cowltrace: {e}", file=sys.stderr)
        return 1
    stream = reader.stream
    if stream:
        chosen = [e for e in events if keep(e)]
        chosen.sort(key=lambda e: e["time"])
        try:
            write_outputs(fmt, args, chosen, stream)
        except TraceError as e:
            reader.errors.append(e)
        except OSError as e:
            print(f"cowltrace: {e}", file=sys.stderr)
            return 1
    for e in reader.errors:
        print(f"cowltrace: {args.file}: {e}", file=sys.stderr)
    return 1 if reader.errors else 0


def write_outputs(fmt, args, events, stream):
    wrote = False
    if args.perfetto:
        perfetto(events, stream, args.perfetto)
        wrote = True
    if args.ctf:
        ctf(fmt, events, stream, args.ctf)
        wrote = True
    if args.plot:
        plot(events, stream, args.plot)
        wrote = True
    if args.summary:
        summary(events, stream, sys.stdout)
    elif args.jsonl:
        for e in events:
            print(json.dumps(json_object(e, stream)))
    elif not wrote:
        for e in events:
            print(text_line(e, stream))


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
    except BrokenPipeError:
        sys.exit(0)
