#!/usr/bin/env python3
"""Pass the machine's console through to stdout as it comes, for ./cowl run,
and note what the kernel said: console.py [--quiet] VERDICT_FILE [PROG]

--quiet drops what comes before the kernel's first line (OpenSBI's banner);
if the kernel never prints, it is all shown at the end, to see why.
At the end of the output VERDICT_FILE gets one word per line for what the
console showed: `kernel` (the kernel printed its banner or a panic), `panic`
(a kernel panic), `killed` (the kernel killed a process named PROG)."""
import os
import re
import signal
import sys

# The kernel's first line is its banner ("cowl: 2 harts, ...") or, when it
# dies before that, a panic line.
KERNEL_FIRST = re.compile(rb"^(cowl: |panic: )")
PANIC = re.compile(rb"^panic: ")
CHUNK = 4096


def main():
    # Ctrl-C is for QEMU and the timeout; this filter ends when QEMU's output does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    args = sys.argv[1:]
    quiet = args[:1] == ["--quiet"]
    if quiet:
        args = args[1:]
    verdict_file = args[0]
    prog = args[1].encode() if len(args) > 1 else None
    killed = re.compile(rb"^cowl: pid [0-9]+ \(" + re.escape(prog or b"") + rb"\) killed: ")
    out = sys.stdout.buffer
    muted = quiet
    pending = b""  # the unfinished last line, kept to match once complete
    held = b""  # what quiet mode dropped, shown if the kernel never speaks
    seen = set()
    while True:
        data = os.read(sys.stdin.fileno(), CHUNK)
        if not data:
            break
        if muted:
            held += data
        else:
            out.write(data)  # at once, unfinished lines too: a prompt has no newline
        text = pending + data
        start = 0
        while (nl := text.find(b"\n", start)) >= 0:
            line = text[start:nl].replace(b"\r", b"")
            if KERNEL_FIRST.match(line):
                seen.add("kernel")
                if muted:
                    muted = False
                    out.write(text[start:])
            if PANIC.match(line):
                seen.add("panic")
            if prog and killed.match(line):
                seen.add("killed")
            start = nl + 1
        pending = text[start:]
        out.flush()
    if muted:
        out.write(held)
        out.flush()
    with open(verdict_file, "w") as f:
        f.writelines(w + "\n" for w in sorted(seen))


if __name__ == "__main__":
    main()
