/*
 * Boot entry. OpenSBI enters _start on one hart in S-mode with a0 = hart id,
 * a1 = the device tree, paging off. Other harts are started later through SBI
 * HSM at secondary_start with a1 = their cpu index. Each hart gets a boot
 * stack, which later serves as its scheduler stack.
 */
#include "asm.h"

    .section .text.entry
    .global _start
_start:
    la      sp, boot_stacks
    li      t0, BOOT_STACK_SIZE
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

    .global secondary_start
secondary_start:
    /* a0 = hart id, a1 = cpu index: stack = boot_stacks + (index+1) * size */
    addi    t0, a1, 1
    li      t1, BOOT_STACK_SIZE
    mul     t0, t0, t1
    la      sp, boot_stacks
    add     sp, sp, t0
    mv      s0, zero
    call    kmain_secondary
4:  wfi
    j       4b

    .section .bss.stacks
    .balign 16
    .global boot_stacks
boot_stacks:
    .space  BOOT_STACK_SIZE * MAX_HARTS
