#!/usr/bin/env python3
"""Write the boot image as an assembly file: mkbootfs.py OUT_S NAME=PATH...

Each program is included with .incbin (the build reruns this script when a
program changes, so the kernel picks up the new bytes); a table of
{name, data, size} entries, in the layout of struct bootfs_file, follows."""
import os
import sys

out = sys.argv[1]
entries = [arg.split("=", 1) for arg in sys.argv[2:]]
lines = ['    .section .rodata.bootfs, "a"']
for i, (name, path) in enumerate(entries):
    size = os.path.getsize(path)
    lines += [f".Lname{i}: .asciz \"{name}\"", "    .balign 8",
              f".Ldata{i}: .incbin \"{os.path.abspath(path)}\"", f"    # {size} bytes"]
lines += ["    .balign 8", "    .global bootfs_files", "bootfs_files:"]
for i, (name, path) in enumerate(entries):
    lines.append(f"    .dword .Lname{i}, .Ldata{i}, {os.path.getsize(path)}")
lines += ["    .global bootfs_count", "bootfs_count:", f"    .dword {len(entries)}", ""]
with open(out, "w") as f:
    f.write("\n".join(lines))
