/*
 * Entry of every pager thread (lane). The kernel starts each with a0 =
 * pointer to struct pager_boot, a1 = its lane number and sp already set to
 * that lane's stack, which is the calling convention of pager_main(boot,
 * lane); libsys's start.S is not linked, because it would call main(argc,
 * argv). pager_main never returns; if it did, the pager exits.
 */
    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* A zero frame pointer and return address end stack back-traces here. */
    li s0, 0
    li ra, 0
    call pager_main
    li a0, 1
    call exit
1:  j 1b
    .size _start, . - _start
