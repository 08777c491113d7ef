/*
 * Calls into the SBI firmware (OpenSBI): the timer, hart state management,
 * system reset and the debug console fallback.
 */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdint.h>

struct sbiret {
    long error;
    long value;
};

#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_HSM  0x48534d
#define SBI_EXT_SRST 0x53525354

#define SBI_SRST_SHUTDOWN    0
#define SBI_SRST_NO_REASON   0
#define SBI_SRST_SYSTEM_FAIL 1

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);
void sbi_set_timer(uint64_t when);
int sbi_hart_start(uint64_t hartid, uint64_t start, uint64_t opaque);
void sbi_shutdown(int failure);

#endif
