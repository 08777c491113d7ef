/*
 * Boot entry. OpenSBI enters _start in S-mode with a0 = hart id, a1 = the
 * device tree, paging off, normally on one hart; the others are started
 * through SBI HSM at secondary_start with a1 = their cpu index. The firmware
 * sometimes lets a second hart into _start as well, so a lottery in .data
 * (which the loser must not clear) picks the boot hart; a loser parks until
 * the boot hart hands it a cpu index through boot_parked (main.c). Each hart
 * gets a boot stack at the top of its slot in boot_stacks, which later serves
 * as its scheduler stack; the slot's first page is its guard, which kvm.c
 * leaves unmapped (asm.h).
 */
#include "asm.h"

    .section .text.entry
    .global _start
_start:
    la      t0, boot_lottery
    li      t1, 1
    amoadd.w t1, t1, (t0)
    bnez    t1, park
    la      sp, boot_stacks
    li      t0, 1 << BOOT_SLOT_SHIFT
    add     sp, sp, t0
    mv      s0, zero
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    kmain
3:  wfi
    j       3b

/* A hart that lost the lottery: wait for boot_parked[hartid] = index + 1. */
park:
    li      t0, MAX_HART_ID
    bgeu    a0, t0, 6f
    la      t0, boot_parked
    slli    t1, a0, 3
    add     t0, t0, t1
    li      t1, -1
    sd      t1, 0(t0)
5:  ld      a1, 0(t0)
    li      t1, -1
    beq     a1, t1, 5b
    addi    a1, a1, -1
    j       secondary_start
6:  wfi
    j       6b

    .global secondary_start
secondary_start:
    /* a0 = hart id, a1 = cpu index: stack = the top of slot `index` */
    addi    t0, a1, 1
    slli    t0, t0, BOOT_SLOT_SHIFT
    la      sp, boot_stacks
    add     sp, sp, t0
    mv      s0, zero
    call    kmain_secondary
4:  wfi
    j       4b

/* A hart the kernel does not use (past MAX_HARTS), sent here so that it
 * sleeps for good with every S-mode interrupt disabled rather than wait in
 * the firmware: in paired runs of a 72-hart boot here, harts left in the
 * firmware made it take 1.5 to 3 times as long. */
    .global unused_hart
unused_hart:
    csrw    sie, zero
7:  wfi
    j       7b

    .section .data
    .balign 8
boot_lottery:
    .word   0
    .balign 8
    .global boot_parked
boot_parked: /* per hart id: 0 = not here, -1 = parked, index + 1 = go */
    .space  8 * MAX_HART_ID

    .section .bss.stacks
    .balign 4096
    .global boot_stacks
boot_stacks:
    .space  1 << BOOT_REGION_SHIFT
    .balign 16
    .global emergency_stacks
emergency_stacks:
    .space  EMERGENCY_STACK_SIZE * MAX_HARTS
