/*
 * Powering the machine off with a status that QEMU passes on as its own exit
 * status: through the virt test device when the device tree names one, else
 * through SBI system reset (which can only say success or failure).
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <stdint.h>

/* Use the sifive,test finisher at test_base (0: none, SBI reset instead). */
void power_init(uint64_t test_base);
__attribute__((noreturn)) void power_off(int status);

#endif
