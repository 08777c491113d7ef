#!/usr/bin/env python3
"""Where a figure's instructions go, function by function.

Runs QEMU (the command after `--`) single-stepping, with every executed
instruction's address logged (-singlestep -d exec,nochain) into a pipe that
this script reads as the machine runs. The guest runs `cowbench prof`, which
times a few samples of each hot figure between two rdcycle instructions
(probe_start, probe_stop). Under -icount shift=0 rdcycle counts retired
instructions, so a sample is the number of instructions the log holds
between the two rdcycles, plus the first rdcycle itself, less the user
instructions that trapped (a faulting store is logged, does not retire, and
runs again), and those QEMU logs and then abandons (an I/O access it redoes under
-icount, an interrupt that stops it): the profile of a
sample is exact, and --check verifies that it
adds up.

A user address is attributed to the pager or to cowbench by how the hart got
there from the kernel: a return just past one of the pager's ecalls is the
pager's (it never faults), anything else the program's.

tools/profile.py --kernel ELF --pager ELF --program ELF [--top N] [--check] -- QEMU...
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys
import tempfile
import threading

KERNEL_LO, KERNEL_HI = 0x80000000, 0x100000000
RDCYCLE = 0xC0002073  # csrrs rd, cycle, x0, with rd masked out
RD_MASK = 0xFFFFF07F


def tool(name):
    return "riscv64-unknown-elf-" + name


def symbols(elf):
    """Sorted (addresses, names) of the functions in elf."""
    out = subprocess.run([tool("nm"), "-n", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            addrs.append(int(f[0], 16))
            names.append(f[2])
    return addrs, names


def instructions(elf):
    """{address: (word, length, text)} for every instruction objdump decodes in elf."""
    out = subprocess.run([tool("objdump"), "-d", elf], check=True, capture_output=True,
                         text=True).stdout
    insns = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 3 or not f[0].strip().endswith(":"):
            continue
        try:
            addr, word = int(f[0].strip()[:-1], 16), int(f[1].strip(), 16)
        except ValueError:
            continue
        insns[addr] = (word, len(f[1].strip()) // 2, " ".join(x.strip() for x in f[2:]))
    return insns


def probe_stops(elf):
    """The addresses of the rdcycles that end a timed region, which
    cowbench's probe_clock() lists in section .probe_stops."""
    out = subprocess.run([tool("objdump"), "-s", "-j", ".probe_stops", elf],
                         capture_output=True, text=True).stdout
    data = b"".join(bytes.fromhex("".join(line.strip().split("  ")[0].split()[1:]))
                    for line in out.splitlines() if line.startswith(" "))
    return {int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data) - 7, 8)}


class Image:
    def __init__(self, tag, elf):
        self.tag = tag
        self.addrs, self.names = symbols(elf)
        self.insns = instructions(elf)
        self.rdcycles = {a for a, (w, n, _) in self.insns.items()
                         if n == 4 and w & RD_MASK == RDCYCLE}
        self.past_ecall = {a + n for a, (w, n, _) in self.insns.items() if n == 4 and w == 0x73}
        self.probe_stops = probe_stops(elf)

    def name(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"


def windows(log, kernel, pager, program):
    """The instructions between consecutive rdcycles of the program, as
    (ends in probe_stop, Counter of (image tag, function), [(image, pc)
    in the order they retired]) in order."""
    user = program
    from_kernel = True
    out = []
    current = None
    path = None
    names = {}
    last = None  # the last user instruction logged: (image, pc, its function)
    logged = None  # the function of the last instruction logged in a window
    for line in log:
        if not line.startswith("Trace"):
            if line.startswith(("cpu_io_recompile", "Stopped execution")) and logged and \
                    current is not None:
                current[logged] -= 1  # logged, then undone (an I/O access, an interrupt)
                path.pop()
            continue
        pc = int(line.split("/", 2)[1], 16)
        if KERNEL_LO <= pc < KERNEL_HI:
            image = kernel
            if not from_kernel and last and current is not None and \
                    last[0].insns.get(last[1], (0, 0, ""))[0] != 0x73:
                current[last[2]] -= 1  # it trapped, and runs (and counts) again on return
                del path[max(i for i, x in enumerate(path) if x is last[3])]
            from_kernel = True
        else:
            if from_kernel:
                user = pager if pc in pager.past_ecall and pc not in program.past_ecall else program
                from_kernel = False
            image = user
            if image is program and pc in program.rdcycles:
                if current is not None:
                    out.append((pc in program.probe_stops, current, path))
                current = collections.Counter()
                path = []
                continue
        if current is not None:
            key = (image.tag, pc)
            fn = names.get(key)
            if fn is None:
                fn = names[key] = (image.tag, image.name(pc))
            current[fn] += 1
            step = (image, pc)
            path.append(step)
            logged = fn
            if image is not kernel:
                last = (image, pc, fn, step)
    return out


def figures(console):
    """[(name, samples, [sample values])] from cowbench's output, in order."""
    figs, values = [], []
    for line in console.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == "sample":
            for pair in f[2:]:
                v, n = pair.split("*")
                values += [int(v)] * int(n)
        elif len(f) == 5 and f[0] == "figure":
            figs.append((f[1], int(f[3]) + int(f[4]), sorted(values)))
            values = []
    return figs


def run(qemu, images):
    """Run qemu with its exec log in a pipe; returns (windows, console text)."""
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        proc = subprocess.Popen(qemu + ["-singlestep", "-d", "exec,nochain", "-D", fifo],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        console = []
        reader = threading.Thread(target=lambda: console.append(proc.stdout.read()))
        reader.start()
        with open(fifo, errors="replace") as log:
            ws = windows(log, *images)
        proc.wait()
        reader.join()
        return ws, console[0].decode(errors="replace"), proc.returncode


def print_path(path):
    """One sample's instructions in the order they retired, each with its
    function and its disassembly, a run of one function under its name."""
    fn = None
    for i, (image, pc) in enumerate(path, 1):
        here = image.name(pc)
        if here != fn:
            print("         %s %s:" % (image.tag, here))
            fn = here
        print("  %5d  %10x  %s" % (i, pc, image.insns.get(pc, (0, 0, "?"))[2]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--pager", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("--top", type=int, default=30, help="functions listed per figure")
    ap.add_argument("--path", action="append", default=[], metavar="FIGURE",
                    help="also list FIGURE's profiled sample instruction by instruction")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless every figure's profile adds up to its measured median")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    qemu = args.qemu[1:] if args.qemu[:1] == ["--"] else args.qemu
    images = (Image("kernel", args.kernel), Image("pager", args.pager),
              Image("program", args.program))
    ws, console, status = run(qemu, images)
    figs = figures(console)
    if status != 0 or not figs:
        sys.stdout.write(console[-2000:])
        sys.exit("profile: the machine exited with status %d after %d figures" % (status, len(figs)))
    samples = [(w, path) for stop, w, path in ws if stop]
    need = sum(n for _, n, _ in figs)
    if len(samples) < need:
        sys.exit("profile: %d timed windows for %d samples" % (len(samples), need))
    samples = samples[len(samples) - need:]  # the figures' windows are the last ones timed
    bad = 0
    for name, n, values in figs:
        mine, samples = samples[:n], samples[n:]
        median = values[(len(values) - 1) // 2] if values else 0
        lengths = sorted(sum(w.values()) for w, _ in mine)
        w, path = next(((w, p) for w, p in mine if sum(w.values()) + 1 == median), (None, None))
        if w is None:
            bad += 1
            print("== %s: %d instructions measured; no profiled window matches (lengths %s)"
                  % (name, median, lengths))
            continue
        parts = collections.Counter()
        for (tag, _), k in w.items():
            parts[tag] += k
        print("== %s: %d instructions (%d samples): %s, and the rdcycle"
              % (name, median, len(values),
                 ", ".join("%s %d" % (tag, parts[tag]) for tag in ("kernel", "pager", "program")
                           if parts[tag])))
        listed = w.most_common(args.top)
        for (tag, fn), k in listed:
            print("  %7d  %-7s %s" % (k, tag, fn))
        rest = sum(w.values()) - sum(k for _, k in listed)
        if rest:
            print("  %7d  (%d more functions)" % (rest, len(w) - len(listed)))
        if name in args.path:
            print_path(path)
    if args.check:
        print("profile: check %s: %d figures, %d whose profile does not add up to the measured median"
              % ("FAILED" if bad else "passed", len(figs), bad))
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
