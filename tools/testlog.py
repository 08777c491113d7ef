#!/usr/bin/env python3
"""Read one `meson test` run's testlog.json for ./cowl test:
testlog.py TESTLOG_JSON COUNTS_FILE

Prints each test that did not pass with its reason (the lines of its output
that say FAIL, or else its last lines) and where its full log is, and writes
"PASSED FAILED" to COUNTS_FILE. A test passes when meson says OK or
EXPECTEDFAIL; SKIP counts neither way; anything else is a failure."""
import json
import os
import sys

PASS = {"OK", "EXPECTEDFAIL"}
NEITHER = {"SKIP"}
TAIL_LINES = 15


def reason(stdout):
    lines = [line for line in stdout.replace("\r", "").splitlines() if line.strip()]
    said = [line for line in lines if "FAIL" in line]
    return said if said else lines[-TAIL_LINES:]


def main():
    log_json, counts_file = sys.argv[1:3]
    text_log = os.path.join(os.path.dirname(log_json), "testlog.txt")
    passed = failed = 0
    with open(log_json) as f:
        tests = [json.loads(line) for line in f if line.strip()]
    for t in tests:
        if t["result"] in PASS:
            passed += 1
        elif t["result"] not in NEITHER:
            failed += 1
            print(f"--- {t['name']}: {t['result']} (exit status {t.get('returncode')})")
            for line in reason(t.get("stdout") or ""):
                print(f"    {line}")
            print(f"    full output: {text_log}")
    with open(counts_file, "w") as f:
        f.write(f"{passed} {failed}\n")


if __name__ == "__main__":
    main()
