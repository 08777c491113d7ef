#!/usr/bin/env python3
"""Write an assembly file holding the kernel's function symbols, sorted by
address, from `nm` output of a first link: ksyms.py NM KERNEL_ELF OUT_S."""
import subprocess
import sys

nm, elf, out = sys.argv[1:4]
syms = []
for line in subprocess.run([nm, "-n", elf], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW" and not parts[2].startswith("."):
        syms.append((int(parts[0], 16), parts[2]))

with open(out, "w") as f:
    f.write("    .section .rodata.ksyms, \"a\"\n    .balign 8\n")
    f.write("    .global ksyms_table\nksyms_table:\n")
    for i, (addr, _) in enumerate(syms):
        f.write(f"    .dword 0x{addr:x}, .Lname{i}\n")
    f.write(f"    .global ksyms_count\nksyms_count:\n    .dword {len(syms)}\n")
    for i, (_, name) in enumerate(syms):
        f.write(f".Lname{i}: .asciz \"{name}\"\n")
