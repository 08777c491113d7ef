#!/usr/bin/env python3
"""Boot Cowl once through ./cowl run --quiet and check what the machine did.

expect.py COWL --status N [--match REGEX]... [--absent REGEX]...
          [--at-most REGEX N]... -- RUN-ARGS...

Passes when the exit status is N, every --match regex is found in the
console output (with the launcher's stderr), no --absent regex is, and each
--at-most regex matches at most N lines. Prints the output either way, so a
failure shows what the machine printed. --build-link NAME runs through a
symlink called NAME to the build directory, for a checkout path with a space
in it."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
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
ap.add_argument("--build-link", help="run through a symlink of this name to the build directory")
split = sys.argv.index("--")
args = ap.parse_args(sys.argv[1:split])
run_args = sys.argv[split + 1:]
build_dir = args.build_dir
if args.build_link:
    link_dir = tempfile.mkdtemp()
    build_dir = os.path.join(link_dir, args.build_link)
    os.symlink(os.path.abspath(args.build_dir), build_dir)
cmd = [args.cowl, "run", "--quiet", "--no-build", "--build-dir", build_dir] + run_args
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
if args.build_link:
    os.unlink(build_dir)
    os.rmdir(link_dir)
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
