/*
 * SBI calls: a7 = extension, a6 = function, a0..a2 = arguments; the firmware
 * answers an error in a0 and a value in a1.
 */
#include "sbi.h"

struct sbiret sbi_call(long ext, long fid, long arg0, long arg1, long arg2)
{
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a2 __asm__("a2") = arg2;
    register long a6 __asm__("a6") = fid;
    register long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return (struct sbiret){a0, a1};
}

void sbi_set_timer(uint64_t when)
{
    sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0);
}

int sbi_hart_start(uint64_t hartid, uint64_t start, uint64_t opaque)
{
    return (int)sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start, (long)opaque).error;
}

void sbi_shutdown(int failure)
{
    sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN,
             failure ? SBI_SRST_SYSTEM_FAIL : SBI_SRST_NO_REASON, 0);
}
