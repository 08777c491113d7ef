/*
 * Powering the machine off with a status that QEMU passes on as its own exit
 * status: through the virt test device when the device tree names one, else
 * through SBI system reset (which can only say success or failure).
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <stdint.h>

void power_init(uint64_t test_base, uint64_t ram_end);
__attribute__((noreturn)) void power_off(int status);
uint64_t power_ram_end(void);

#endif
