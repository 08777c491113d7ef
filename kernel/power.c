/*
 * The sifive,test finisher: 0x5555 exits QEMU with 0, 0x3333 | code << 16
 * with `code`.
 */
#include "power.h"
#include "arch/riscv/sbi.h"

#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333

static volatile uint32_t *test_dev;
static uint64_t ram_end;

void power_init(uint64_t test_base, uint64_t end)
{
    test_dev = (volatile uint32_t *)test_base;
    ram_end = end;
}

uint64_t power_ram_end(void)
{
    return ram_end ? ram_end : ~0UL;
}

void power_off(int status)
{
    uint32_t code = (uint32_t)status & 0xff;
    if (test_dev)
        *test_dev = code ? (code << 16) | FINISHER_FAIL : FINISHER_PASS;
    sbi_shutdown(code != 0);
    for (;;)
        __asm__ volatile("wfi");
}
