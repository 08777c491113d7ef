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


def tput_raw(mode, harts, rates, waits, longs, spins=None):
    """A throughput boot: per worker count, the runs' rates and waits (ppm),
    and the host control's spin rates."""
    lines = ["bench mode %s -" % mode, "bench clock ns 10000000 100 %d" % harts]
    for w in sorted(rates):
        for name, unit, values in (("tput_faults_per_s", "faults/s", rates[w]),
                                   ("tput_lock_wait", "ppm", waits[w]),
                                   ("tput_lock_wait_long", "ppm", longs[w]),
                                   ("tput_spins_per_s", "spins/s", (spins or {}).get(w, []))):
            if not values:
                continue
            lines.append("sample %s@%d %s" % (name, w, " ".join("%d*1" % v for v in sorted(values))))
            lines.append("figure %s@%d %s %d 0" % (name, w, unit, len(values)))
    return "\n".join(lines + ["bench done", ""])


class Throughput(unittest.TestCase):
    """The two-parameter figure: workers from the name, harts from the boot."""

    def results(self):
        one = tput_raw("pager", 1, {1: [900, 1000, 1100], 2: [1000, 1000, 1000]},
                       {1: [0, 0, 0], 2: [0, 0, 0]}, {1: [0, 0, 0], 2: [0, 0, 0]},
                       {1: [4000, 5000, 6000], 2: [5000, 5000, 5000]})
        two = tput_raw("pager", 2, {1: [1000, 1000, 1000], 2: [1500, 1800, 2000]},
                       {1: [0, 10, 20], 2: [250000, 300000, 400000]},
                       {1: [0, 0, 0], 2: [0, 100000, 200000]},
                       {1: [5000, 5000, 5000], 2: [9000, 9500, 9900]})
        return bench.build_results([bench.parse_raw(one), bench.parse_raw(two)], {})

    def point(self, res, harts, workers):
        found = [f for f in res["figures"] if f["name"] == "tput_faults_per_s"
                 and f["harts"] == harts and f["workers"] == workers]
        self.assertEqual(len(found), 1)
        return found[0]

    def test_harts_and_workers_are_separate_points(self):
        res = self.results()
        self.assertEqual(self.point(res, 1, 2)["p50"], 1000)
        self.assertEqual(self.point(res, 2, 2)["p50"], 1800)
        self.assertEqual(self.point(res, 2, 1)["p50"], 1000)

    def test_runs_summarized_median_min_max(self):
        f = self.point(self.results(), 2, 2)
        self.assertEqual((f["n"], f["min"], f["p50"], f["max"]), (3, 1500, 1800, 2000))

    def test_speedup_over_one_hart_one_worker(self):
        res = self.results()
        self.assertEqual(self.point(res, 2, 2)["speedup"], 1.8)
        self.assertEqual(self.point(res, 1, 1)["speedup"], 1.0)

    def test_lock_wait_as_fractions_of_the_same_point(self):
        f = self.point(self.results(), 2, 2)
        self.assertEqual(f["lock_wait"], {"p50": 0.3, "min": 0.25, "max": 0.4})
        self.assertEqual(f["lock_wait_long"], {"p50": 0.1, "min": 0.0, "max": 0.2})
        self.assertEqual(self.point(self.results(), 1, 2)["lock_wait"]["max"], 0.0)

    def test_markdown_rows(self):
        md = bench.tput_markdown(self.results())
        self.assertIn("| pager | 2 | 2 | 3 | 1,800 | 1,500 | 2,000 | 1.80 | 30.0% | 10.0% |", md)
        self.assertNotIn("tput_lock_wait", bench.markdown(self.results()))

    def test_host_control_has_its_own_speedup_and_rows(self):
        res = self.results()
        found = [f for f in res["figures"] if f["name"] == "tput_spins_per_s"
                 and f["harts"] == 2 and f["workers"] == 2]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["speedup"], 1.9)  # over its own one-hart point, 5,000
        self.assertNotIn("lock_wait", found[0])
        self.assertIn("| pager | 2 | 2 | 3 | 9,500 | 9,000 | 9,900 | 1.90 |",
                      bench.tput_markdown(res))

    def test_no_throughput_no_table(self):
        self.assertEqual(bench.tput_markdown(bench.build_results([bench.parse_raw(RAW)], {})), "")


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


def quick_results(*boots):
    """results.json of quick cowbench boots, each (run options, cowbench
    groups), through the launcher and `bench.py report`; stderrs too."""
    cowl, build = BOOT
    errs = []
    with tempfile.TemporaryDirectory() as tmp:
        raws = []
        for i, (opts, groups) in enumerate(boots):
            out = subprocess.run([cowl, "run", "--no-build", "--quiet", "--build-dir", build]
                                 + opts + ["--timeout", "120", "cowbench"] + groups + ["quick"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=150)
            if out.returncode != 0:
                raise AssertionError(out.stderr.decode())
            errs.append(out.stderr)
            raws.append(os.path.join(tmp, "run%d.txt" % i))
            with open(raws[-1], "wb") as f:
                f.write(out.stdout.replace(b"\r", b""))
        if bench.main(["report", "--out", tmp, "--config", "commit=test"] + raws) != 0:
            raise AssertionError("bench.py report failed")
        with open(os.path.join(tmp, "results.json")) as f:
            return json.load(f), errs


class QuickRun(unittest.TestCase):
    """Quick runs through the launcher become complete results.json files."""

    def setUp(self):
        if not BOOT:
            self.skipTest("needs COWL BUILD_DIR")

    def test_results_json_complete(self):
        res, errs = quick_results((["--icount", "--smp", "2", "--append", "tick=1"],
                                   ["lat", "fork"]))
        self.assertIn(b"--icount runs one hart", errs[0])
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

    def test_throughput_sweep_complete_and_lock_wait_measured(self):
        res, _ = quick_results((["--smp", "1", "--mem", "512M"], ["tput"]),
                               (["--smp", "2", "--mem", "512M"], ["tput"]))
        tput = {(f["harts"], f["workers"]): f for f in res["figures"]
                if f["name"] == "tput_faults_per_s"}
        self.assertEqual(sorted(tput), [(h, w) for h in (1, 2) for w in (1, 2, 4, 8)])
        for f in tput.values():
            self.assertEqual((f["n"], f["invalid"], f["clock"]), (2, 0, "wall"), f)
            self.assertGreater(f["min"], 0)
            for key in ("lock_wait", "lock_wait_long"):
                self.assertTrue(0 <= f[key]["min"] <= f[key]["max"] <= 1, f)
            self.assertLessEqual(f["lock_wait_long"]["max"], f["lock_wait"]["max"])
        # One hart cannot find big_lock taken. Two faulting harts need not
        # either (the fault path takes no lock); that the counter counts is
        # checked where two harts do contend (cowbench disturb).
        self.assertEqual(max(f["lock_wait"]["max"] for (h, _), f in tput.items() if h == 1), 0)
        # The host's control beside every point, with its own speedup.
        spins = {(f["harts"], f["workers"]): f for f in res["figures"]
                 if f["name"] == "tput_spins_per_s"}
        self.assertEqual(sorted(spins), sorted(tput))
        for f in spins.values():
            self.assertEqual((f["n"], f["invalid"], f["unit"]), (2, 0, "spins/s"), f)
            self.assertGreater(f["min"], 0)
            self.assertIn("speedup", f)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        BOOT.extend(sys.argv[1:])
        del sys.argv[1:]
    unittest.main(verbosity=2)
