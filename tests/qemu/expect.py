#!/usr/bin/env python3
"""Boot Cowl once through ./cowl run and check what the machine did.

expect.py COWL --status N [--match REGEX]... [--absent REGEX]...
          [--at-most REGEX N]... -- RUN-ARGS...

Passes when the exit status is N, every --match regex is found in the
console output, no --absent regex is, and each --at-most regex matches at
most N lines. Prints the output either way, so a
failure shows what the machine printed."""
import argparse
import re
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("cowl")
ap.add_argument("--status", type=int, required=True)
ap.add_argument("--match", action="append", default=[])
ap.add_argument("--absent", action="append", default=[])
ap.add_argument("--at-most", action="append", nargs=2, default=[], metavar=("REGEX", "N"))
ap.add_argument("--build-dir", required=True)
ap.add_argument("--input", action="append", default=[],
                help="a line typed on the console once the previous output has settled")
split = sys.argv.index("--")
args = ap.parse_args(sys.argv[1:split])
run_args = sys.argv[split + 1:]
cmd = [args.cowl, "run", "--no-build", "--build-dir", args.build_dir] + run_args
if args.input:
    # Type each line after a pause, as a person would; the machine echoes.
    cmd.insert(2, "--stdin")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.PIPE)
    for line in args.input:
        time.sleep(1.5)
        proc.stdin.write(line.encode().decode("unicode_escape").encode("latin-1") + b"\n")
        proc.stdin.flush()
    out_bytes, _ = proc.communicate()
    proc.stdout = out_bytes
else:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL)
out = proc.stdout.decode(errors="replace").replace("\r", "")
print(out)
problems = []
if proc.returncode != args.status:
    problems.append(f"exit status {proc.returncode}, expected {args.status}")
for rx in args.match:
    if not re.search(rx, out, re.M):
        problems.append(f"missing output /{rx}/")
for rx in args.absent:
    if re.search(rx, out, re.M):
        problems.append(f"unexpected output /{rx}/")
for rx, most in args.at_most:
    n = len(re.findall(rx, out, re.M))
    if n > int(most):
        problems.append(f"/{rx}/ matched {n} lines, at most {most} expected")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
