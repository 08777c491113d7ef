#!/usr/bin/env python3
"""Check that the kernel's #include arrows point down its layers.

A module is a name: kernel/NAME.c and kernel/NAME.h (and kernel/arch/riscv/
NAME.*) together; an arrow A -> B means a file of A includes B's header.
Every module has a layer (LAYERS below, the map docs/design.md draws). An
arrow may point to the same layer or a lower one, never up, and the only
cycles allowed are the lock/panic/printk knot and the core. A module with no
layer is an error too, so a new file gets its place on the map.

tools/layers.py [--graph] KERNEL_DIR      exit 1 on any breach
"""
import argparse
import os
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("kernel")
ap.add_argument("--graph", action="store_true", help="print every module's includes")
args = ap.parse_args()

# Lowest first. "base": data layouts, arch helpers, devices and libraries;
# "knot": what every layer may use to lock, print and panic; "services":
# kernel facilities with no process in view; "core": processes, spaces,
# IPC and the fault path, which call each other; "top": boot.
LAYERS = {
    "base": "abi asm regs cause csr arch sbi cpu string page sv39 fdt machine ksyms bootfs policy thread "
            "kstack plic uart power timer virtio",
    "knot": "lock panic printk",
    "services": "kalloc kvm console ratelimit bootargs syscall virtio_console",
    "core": "copy exec fault file ipc pager_client pager_ipc pager_local proc sched space "
            "selftest sys_file sys_ipc sys_proc trap trace",
    "top": "main",
}
RANK = {m: i for i, (_, mods) in enumerate(LAYERS.items()) for m in mods.split()}
LAYER_OF = {m: name for name, mods in LAYERS.items() for m in mods.split()}
CYCLES_ALLOWED = {"knot", "core"}

edges = {}
for root, _, files in os.walk(args.kernel):
    for f in files:
        if not f.endswith((".c", ".h")):
            continue
        mod = os.path.splitext(f)[0]
        edges.setdefault(mod, set())
        for line in open(os.path.join(root, f), errors="replace"):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m and m.group(1).startswith("cowl/"):
                edges[mod].add("abi")  # the one interface (libsys/include/cowl/), not a kernel module
            elif m:
                dep = os.path.splitext(os.path.basename(m.group(1)))[0]
                if dep != mod:
                    edges[mod].add(dep)
mods = sorted(edges)
for d in list(edges.values()):
    for x in d:
        edges.setdefault(x, set())

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)

if args.graph:
    for m in sorted(edges):
        print(f"{m:14} -> {' '.join(sorted(edges[m]))}")
bad = 0
for m in sorted(edges):
    if m not in RANK:
        print(f"NO LAYER {m}: give it one in tools/layers.py and docs/design.md")
        bad += 1
for m in sorted(edges):
    for d in sorted(edges[m]):
        if m in RANK and d in RANK and RANK[d] > RANK[m]:
            print(f"UP {m} ({LAYER_OF[m]}) -> {d} ({LAYER_OF[d]})")
            bad += 1
for comp in sccs:
    if len(comp) > 1:
        layers = {LAYER_OF.get(m) for m in comp}
        ok = len(layers) == 1 and layers <= CYCLES_ALLOWED
        print(("cycle " if ok else "CYCLE ") + " ".join(comp))
        bad += not ok
print(f"{len(edges)} modules, {sum(len(c) > 1 for c in sccs)} cycles, {bad} breaches")
sys.exit(1 if bad else 0)
