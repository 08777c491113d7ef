/*
 * The user registers by the role Cowl's ABI gives them (cowl/abi.h): the
 * syscall number in a7, arguments in a0..a5, the result in a0, a message's
 * words in a1..a5 and the sender's badge in a6. Generic code reaches a
 * trap frame's registers only through these names (thread.h's accessors).
 */
#ifndef ARCH_RISCV_REGS_H
#define ARCH_RISCV_REGS_H

enum riscv_reg {
    REG_SP = 2,
    REG_A0 = 10,
    REG_A1 = 11,
    REG_A6 = 16,
    REG_A7 = 17,
};

#define REG_RESULT  REG_A0 /* a syscall's result */
#define REG_ARG0    REG_A0 /* first of a syscall's six arguments */
#define REG_MSG0    REG_A1 /* first of a message's COWL_MSG_WORDS words */
#define REG_BADGE   REG_A6 /* the sender's badge, on receipt */
#define REG_SYSCALL REG_A7 /* the syscall number */

#endif
