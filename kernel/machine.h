/*
 * The machine Cowl boots on, as read once from the firmware's device tree:
 * RAM, harts, the timer's frequency, the uart, the PLIC and its per-hart
 * contexts, the test (power) device, reserved memory and the boot arguments.
 * Errors are fdt.h's FDT_ERR_* codes; fdt_strerror names them.
 */
#ifndef KERNEL_MACHINE_H
#define KERNEL_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fdt.h"
#include "arch/riscv/asm.h"

#define MACHINE_MAX_RESERVED 8
#define MACHINE_MAX_VIRTIO   8    /* virtio-mmio transports recorded (QEMU virt has 8) */
#define MACHINE_BOOTARGS_MAX 4096 /* COWL_BOOTARGS_MAX: what init and bootargs() see */

struct machine_region {
    uint64_t base, size;
};

struct machine {
    struct machine_region ram;        /* first /memory node's first reg entry */
    uint32_t nharts_listed;           /* /cpus/cpu@N nodes whose status is absent or "okay" */
    uint32_t nharts;                  /* how many of them are recorded: all that fit */
    uint32_t hart_ids[MAX_HARTS];     /* their reg values, in tree order */
    uint32_t plic_context[MAX_HARTS]; /* per hart_ids[i]: PLIC context for S-mode external
                                                 irq (9), UINT32_MAX if none */
    uint64_t timebase_hz;             /* /cpus timebase-frequency */
    bool sstc; /* every hart's riscv,isa string has the _sstc extension (or riscv,isa-extensions
                  lists "sstc") */
    struct machine_region uart;
    uint32_t uart_irq; /* node compatible "ns16550a" */
    struct machine_region plic;
    uint32_t plic_ndev;         /* compatible "riscv,plic0" or "sifive,plic-1.0.0"; riscv,ndev */
    struct machine_region test; /* compatible "sifive,test0"/"sifive,test1"; size 0 if absent */
    uint32_t nvirtio;
    struct machine_region virtio[MACHINE_MAX_VIRTIO]; /* compatible "virtio,mmio", tree order */
    uint32_t nreserved;
    struct machine_region reserved[MACHINE_MAX_RESERVED]; /* /reserved-memory children with reg,
                                                             plus the memory reservation block */
    char bootargs[MACHINE_BOOTARGS_MAX]; /* /chosen bootargs, "" if absent; truncated safely */
};

/* The machine the kernel runs on: read once at boot (main.c), then constant. */
extern struct machine machine;

/* Fill *m from the DTB at blob (at most max_size bytes readable). 0 on success, a negative fdt
 * error otherwise (use fdt_strerror). Requires: RAM, at least one hart, timebase, uart. When the
 * tree lists more than MAX_HARTS harts, the first ones are recorded, always including
 * boot_hart (the hart that runs the kernel) if the tree lists it. */
int machine_from_fdt(const void *blob, size_t max_size, uint32_t boot_hart, struct machine *m);

#endif
