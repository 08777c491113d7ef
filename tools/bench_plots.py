"""PNG plots of results.json, drawn with Debian's python3-matplotlib (run by
/usr/bin/python3, where Debian installs it): latency CDFs per mode, fork
cost against pages, copy-fault latency against sharers and access pattern,
throughput against harts. The phase breakdown of a pager fault comes from
the kernel's trace events: `./cowl trace --plot` draws it (docs/tracing.md)."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODES = ("pager", "kernel", "eager")
CDF_FIGURES = ("cow_copy_fault", "cow_reuse_fault", "copyout_cow_512", "copyout_cow_4096",
               "ipc_roundtrip", "null_syscall")
STATS_DRAWN = ("p50", "p90", "p99")


def select(results, name, clock, mode=None):
    return [f for f in results["figures"]
            if f["name"] == name and f["clock"] == clock and (mode is None or f["mode"] == mode)
            and f["n"]]


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def cdf_plot(results, clock, out):
    """Per mode, the figures' distributions drawn as their percentiles."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
    for ax, mode in zip(axes, MODES):
        for name in CDF_FIGURES:
            f = select(results, name, clock, mode)
            if not f:
                continue
            f = f[0]
            xs = [f["min"], f["p50"], f["p90"], f["p99"], f["max"]]
            ax.plot(xs, [0, 50, 90, 99, 100], marker="o", label=name)
        ax.set_xscale("log")
        ax.set_title("cow=%s" % mode)
        ax.set_xlabel(select(results, "null_syscall", clock)[0]["unit"]
                      if select(results, "null_syscall", clock) else clock)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("percent of samples at or below")
    axes[0].legend(fontsize=7)
    return save(fig, os.path.join(out, "bench-cdf-%s.png" % clock))


def sweep_plot(results, name, xlabel, title, path, per_page=False, logy=True):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for mode in MODES:
        pts = sorted((f["param"], f) for f in select(results, name, "icount", mode)
                     if "param" in f and (not per_page or f["param"] > 0))
        if not pts:
            continue
        xs = [p for p, _ in pts]
        ys = [f["per_page"] if per_page else f["p50"] for _, f in pts]
        ax.plot(xs, ys, marker="o", label="cow=%s" % mode)
    ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("instructions" + (" per page" if per_page else " (p50)"))
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return save(fig, path)


def pattern_plot(results, path):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for mode in ("pager", "kernel"):
        for name, style in (("cow_copy_seq", "-"), ("cow_copy_stride", "--"),
                            ("cow_copy_random", ":")):
            pts = sorted((f["param"], f["mean"]) for f in select(results, name, "icount", mode))
            if pts:
                ax.plot([p for p, _ in pts], [m for _, m in pts], style, marker="o",
                        label="%s %s" % (mode, name.split("_")[-1]))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("pages written (each a copy fault)")
    ax.set_ylabel("instructions per fault (mean)")
    ax.set_title("copy fault against access pattern and size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, path)


def tput_plot(results, path):
    """Faults per second against harts, and the same as a multiple of one
    hart's rate beside the ideal line. cow=eager takes no faults (its
    workers' stores are plain stores), so it is left out."""
    fig, (ax, sx) = plt.subplots(1, 2, figsize=(10, 4.2))
    for mode in ("pager", "kernel"):
        pts = sorted((f["param"], f) for f in select(results, "tput_faults_per_s", "wall", mode))
        if not pts:
            continue
        xs = [p for p, _ in pts]
        ax.errorbar(xs, [f["p50"] for _, f in pts],
                    yerr=[[f["p50"] - f["min"] for _, f in pts],
                          [f["max"] - f["p50"] for _, f in pts]],
                    marker="o", capsize=4, label="cow=%s" % mode)
        one = pts[0][1]["p50"] if pts[0][0] == 1 else None
        if one:
            sx.plot(xs, [f["p50"] / one for _, f in pts], marker="o", label="cow=%s" % mode)
    sx.plot([1, 4], [1, 4], linestyle=":", color="grey", label="ideal")
    for a in (ax, sx):
        a.set_xticks([1, 2, 4])
        a.set_xlabel("harts (one faulting process each)")
        a.grid(True, alpha=0.3)
        a.legend()
    ax.set_ylabel("copy faults per second, all workers")
    ax.set_title("throughput (median, min-max of runs)")
    sx.set_ylabel("times the one-hart rate")
    sx.set_title("scaling")
    return save(fig, path)


def draw(results, out):
    """Every plot the results have data for; returns the paths written."""
    os.makedirs(out, exist_ok=True)
    paths = []
    for clock in ("icount", "wall"):
        if select(results, "null_syscall", clock):
            paths.append(cdf_plot(results, clock, out))
    if select(results, "fork_total", "icount"):
        paths.append(sweep_plot(results, "fork_total", "pages", "fork+exit+wait against pages",
                                os.path.join(out, "bench-fork.png")))
        paths.append(sweep_plot(results, "fork_total", "pages", "fork+exit+wait per page",
                                os.path.join(out, "bench-fork-per-page.png"), per_page=True))
    if select(results, "cow_copy_sharers", "icount"):
        paths.append(sweep_plot(results, "cow_copy_sharers", "processes sharing the page",
                                "copy fault against sharers",
                                os.path.join(out, "bench-sharers.png"), logy=False))
    if select(results, "cow_copy_seq", "icount"):
        paths.append(pattern_plot(results, os.path.join(out, "bench-pattern.png")))
    if select(results, "tput_faults_per_s", "wall"):
        paths.append(tput_plot(results, os.path.join(out, "bench-tput.png")))
    return paths
