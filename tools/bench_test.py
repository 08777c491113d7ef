#!/usr/bin/env python3
"""Tests of the benchmark machinery (tools/bench.py), on the host:
percentiles of known samples, the parser's refusals, the regression check
on a made-up regression, and, given a launcher and a build directory, that
a quick cowbench run becomes a complete, valid results.json.

    bench_test.py                         the host-only tests
    bench_test.py COWL BUILD_DIR          also boots a quick run
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

BOOT = []  # [cowl, build dir] when given


def pairs(values):
    out = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return sorted(out.items())


class Percentiles(unittest.TestCase):
    def test_one_to_a_hundred(self):
        s = bench.summarize(pairs(range(1, 101)))
        self.assertEqual((s["n"], s["p50"], s["p90"], s["p99"], s["max"]), (100, 50, 90, 99, 100))
        self.assertEqual(s["mean"], 50.5)

    def test_run_length_pairs_equal_expanded(self):
        self.assertEqual(bench.summarize([(7, 3), (2, 1), (9, 6)]),
                         bench.summarize(pairs([2, 7, 7, 7] + [9] * 6)))

    def test_nearest_rank_of_ten(self):
        s = bench.summarize(pairs([10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]))
        self.assertEqual((s["p50"], s["p90"], s["p99"], s["max"]), (50, 90, 1000, 1000))

    def test_single_sample(self):
        s = bench.summarize([(42, 1)])
        self.assertEqual((s["p50"], s["p99"], s["mean"]), (42, 42, 42))

    def test_no_samples_refused(self):
        with self.assertRaises(ValueError):
            bench.percentile([], 50)


RAW = """bench mode pager -
bench clock instructions 10000000 1 1
sample cow_copy_fault 2801*60 2900*4
figure cow_copy_fault instructions 64 0
sample fork_total@0 1000*3
figure fork_total@0 instructions 3 0
sample fork_total@4 1400*3
figure fork_total@4 instructions 3 1
skip kill_oom pool-not-exhausted
bench done
"""


class Parser(unittest.TestCase):
    def test_figures_and_per_page(self):
        res = bench.build_results([bench.parse_raw(RAW)], {"commit": "x"})
        by = {(f["name"], f.get("param")): f for f in res["figures"]}
        self.assertEqual(by[("cow_copy_fault", None)]["p99"], 2900)
        self.assertEqual(by[("fork_total", 4)]["per_page"], 100.0)
        self.assertEqual(by[("fork_total", 4)]["invalid"], 1)
        self.assertEqual(res["skipped"][0]["name"], "kill_oom")

    def test_count_mismatch_refused(self):
        with self.assertRaises(ValueError):
            bench.parse_raw(RAW.replace("2900*4", "2900*3"))

    def test_not_cowbench_refused(self):
        with self.assertRaises(ValueError):
            bench.parse_raw("hello\n")


class Check(unittest.TestCase):
    def base(self):
        res = bench.build_results([bench.parse_raw(RAW)], {})
        return {"tolerance": bench.TOLERANCE, "slack": bench.SLACK,
                "figures": bench.deterministic(res)}

    def test_same_figures_pass(self):
        base = self.base()
        self.assertEqual(bench.compare(base, base["figures"]), ([], [], []))

    def test_regression_caught(self):
        base = self.base()
        now = json.loads(json.dumps(base["figures"]))
        now["cow_copy_fault/pager"]["p50"] = 2801 * 1.03 + 21
        bad, _, _ = bench.compare(base, now)
        self.assertEqual(len(bad), 1)
        self.assertIn("cow_copy_fault/pager p50", bad[0])

    def test_within_tolerance_passes(self):
        base = self.base()
        now = json.loads(json.dumps(base["figures"]))
        now["cow_copy_fault/pager"]["p50"] = 2801 + 20
        self.assertEqual(bench.compare(base, now)[0], [])

    def test_missing_figure_fails(self):
        base = self.base()
        now = dict(base["figures"])
        del now["fork_total@4/pager"]
        self.assertEqual(len(bench.compare(base, now)[2]), 1)


class QuickRun(unittest.TestCase):
    """A quick run through the launcher becomes a complete results.json."""

    def test_results_json_complete(self):
        if not BOOT:
            self.skipTest("needs COWL BUILD_DIR")
        cowl, build = BOOT
        with tempfile.TemporaryDirectory() as tmp:
            raw = os.path.join(tmp, "run.txt")
            out = subprocess.run([cowl, "run", "--no-build", "--quiet", "--build-dir", build,
                                  "--icount", "--smp", "2", "--append", "tick=1", "--timeout", "120",
                                  "cowbench", "lat", "fork", "quick"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=150)
            self.assertEqual(out.returncode, 0, out.stderr.decode())
            self.assertIn(b"--icount runs one hart", out.stderr)
            with open(raw, "wb") as f:
                f.write(out.stdout.replace(b"\r", b""))
            self.assertEqual(bench.main(["report", "--out", tmp, "--config", "commit=test",
                                         raw]), 0)
            with open(os.path.join(tmp, "results.json")) as f:
                res = json.load(f)
        names = {f["name"] for f in res["figures"]}
        for want in ("private_store", "null_syscall", "ipc_roundtrip", "cow_copy_fault",
                     "cow_reuse_fault", "copyout_cow_512", "copyout_cow_4096", "fork_total"):
            self.assertIn(want, names)
        for f in res["figures"]:
            for key in ("name", "mode", "unit", "n", "mean", "p50", "p90", "p99", "max"):
                self.assertIn(key, f)
            self.assertGreater(f["n"], 0)
            self.assertEqual(f["harts"], 1)
            self.assertEqual(f["unit"], "instructions")
            self.assertTrue(0 <= f["p50"] <= f["p90"] <= f["p99"] <= f["max"], f)
        self.assertEqual(res["config"]["commit"], "test")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        BOOT.extend(sys.argv[1:])
        del sys.argv[1:]
    unittest.main(verbosity=2)
