/*
 * Timer deadlines are absolute times on the `time` CSR. stimecmp (CSR 0x14d)
 * is named by number because the assembler predates Sstc. The boot option
 * `tick=HZ` (1..TICK_HZ) slows the tick, so that benchmarks' timed regions
 * of many milliseconds rarely meet one; uptime then counts the slower ticks.
 */
#include "timer.h"
#include "cpu.h"
#include "csr.h"
#include "sbi.h"

static uint64_t interval;
static uint64_t tick_hz = TICK_HZ;
static bool use_sstc;
static volatile uint64_t ticks;

static void set_deadline(uint64_t when)
{
    if (use_sstc)
        __asm__ volatile("csrw 0x14d, %0" ::"r"(when));
    else
        sbi_set_timer(when);
}

void timer_init(uint64_t timebase_hz, bool sstc, uint64_t hz)
{
    tick_hz = hz >= 1 && hz <= TICK_HZ ? hz : TICK_HZ;
    interval = timebase_hz / tick_hz;
    use_sstc = sstc;
}

void timer_start_hart(void)
{
    set_deadline(csr_read(time) + interval);
    csr_set(sie, SIE_STIE);
}

bool timer_intr(void)
{
    set_deadline(csr_read(time) + interval);
    this_cpu()->ticks++;
    if (this_cpu()->index != 0)
        return false;
    __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
    return true;
}

uint64_t timer_ticks(void)
{
    return ticks;
}

uint64_t timer_hz(void)
{
    return tick_hz;
}

bool timer_uses_sstc(void)
{
    return use_sstc;
}

const void *timer_ticks_chan(void)
{
    return (const void *)&ticks;
}
