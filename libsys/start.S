/*
 * Start-up code of an ordinary user program. The kernel enters here with
 * a0 = argc, a1 = argv (on the stack) and sp 16-byte aligned, which is
 * already the calling convention of main(argc, argv); main's return value
 * becomes the exit status. The pager does not use this file.
 */
    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* A zero frame pointer and return address end stack back-traces here. */
    li s0, 0
    li ra, 0
    call main
    call exit
1:  j 1b
    .size _start, . - _start
