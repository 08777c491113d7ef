#!/bin/sh
# build-and-run.sh COWL SRCDIR SCRATCH PROGRAM.c: configure SCRATCH with
# -Dextra_programs=PROGRAM.c (the way a user adds an xv6 program), build just
# the kernel image, check that the compiler's warnings were shown, not fatal,
# and boot the image running the program. Exit status: the program's.
set -eu
cowl=$1 src=$2 scratch=$3 prog=$4
if [ -f "$scratch/build.ninja" ]; then
    meson configure "$scratch" -Dextra_programs="$prog" >/dev/null
else
    meson setup "$scratch" "$src" --cross-file "$src/tools/riscv64-elf.ini" \
        -Dextra_programs="$prog" >/dev/null
fi
name=$(basename "$prog" .c)
rm -rf "$scratch/user/$name.p" # compile it again, so its warnings show
log="$scratch/extra-program-build.txt"
meson compile -C "$scratch" kernel/kernel.elf >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -q "warning: unused variable" "$log" || { echo "no warning shown:"; cat "$log"; exit 1; }
grep "warning:" "$log"
exec "$cowl" run --no-build --build-dir "$scratch" --timeout 60 "$name"
