#!/usr/bin/env python3
"""What ./cowl does without booting: launcher_test.py COWL CONSOLE_PY BUILD_DIR

Usage on help, refusals with a clear message, and the console filter's
quiet mode and verdicts (panic, killed) on made-up console transcripts.
Prints "ok" or "FAIL" per check; exits 1 if any failed."""
import os
import subprocess
import sys
import tempfile

cowl, console, build_dir = sys.argv[1:4]
failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        print("     " + detail.replace("\n", "\n     "))
        failures += 1


def cowl_run(*args):
    p = subprocess.run([cowl, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def filtered(transcript, quiet, *prog):
    """console.py's output and verdict words for a transcript."""
    with tempfile.NamedTemporaryFile("r") as verdict:
        flags = ["--quiet"] if quiet else []
        p = subprocess.run(["python3", console, *flags, verdict.name, *prog],
                           input=transcript.encode(), capture_output=True)
        return p.stdout.decode(), verdict.read().split()


for word in ["help", "--help", "-h"]:
    st, out, err = cowl_run(word)
    check(st == 0 and "./cowl run" in out and "unknown" not in err,
          f"./cowl {word} prints the usage", f"status {st}\n{out}{err}")

st, out, err = cowl_run("nosuch")
check(st == 2 and "unknown command nosuch" in err, "an unknown command is refused", err)

st, out, err = cowl_run("run", "--no-build", "--build-dir", build_dir, "echo", "a b")
check(st == 2 and "cannot be empty or hold a space" in err,
      "a program argument with a space is refused", f"status {st}\n{err}")

st, out, err = cowl_run("run", "--no-build", "--build-dir", build_dir, "echo", "x" * 5000)
check(st == 2 and "the kernel keeps 4095" in err,
      "boot arguments longer than the kernel keeps are refused", f"status {st}\n{err}")

OPENSBI = "\nOpenSBI v1.2\nPlatform Name : riscv-virtio,qemu\nBoot HART ID : 0\n"
BANNER = "cowl: 2 harts, 128 MiB RAM, 116 MiB user pool\r\n"
out, verdict = filtered(OPENSBI + BANNER + "hi\n$ ", True, "echo")
check(out == BANNER + "hi\n$ " and verdict == ["kernel"],
      "quiet drops OpenSBI's banner and keeps the rest, an unfinished prompt too", repr(out))

out, verdict = filtered(OPENSBI + BANNER, False, "echo")
check(out == OPENSBI + BANNER, "without --quiet everything passes", repr(out))

out, verdict = filtered(OPENSBI + "nothing from the kernel\n", True)
check(out == OPENSBI + "nothing from the kernel\n" and verdict == [],
      "quiet shows everything when the kernel never printed", repr(out))

out, verdict = filtered(BANNER + "\npanic: kernel trap: x\nbacktrace:\n", True, "echo")
check(verdict == ["kernel", "panic"], "a panic line gives the verdict panic", str(verdict))

out, verdict = filtered(BANNER + "echo: panic: not at the start\n", True, "echo")
check(verdict == ["kernel"], "a program's own 'panic:' mid-line is no panic", str(verdict))

kill_line = "cowl: pid 3 (cowtest) killed: store/AMO page fault at pc 0x1 addr 0x0\n"
out, verdict = filtered(BANNER + kill_line, True, "cowtest")
check(verdict == ["kernel", "killed"], "the kernel's kill line for PROG gives killed", str(verdict))
out, verdict = filtered(BANNER + kill_line, True, "echo")
check(verdict == ["kernel"], "a kill line for another program does not", str(verdict))

sys.exit(1 if failures else 0)
