/* The symbol table of the kernel's first link: empty (see ksyms.h). */
    .section .rodata.ksyms, "a"
    .balign 8
    .global ksyms_table
ksyms_table:
    .global ksyms_count
ksyms_count:
    .dword 0
