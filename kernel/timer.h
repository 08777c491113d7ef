/*
 * The tick: every hart takes a timer interrupt TICK_HZ times a second, through
 * Sstc's stimecmp when the device tree lists it and the SBI timer otherwise.
 * Hart 0's ticks count uptime.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TICK_HZ 100 /* the default and the most; tick=HZ asks for fewer */

/* Tick hz times a second (1..TICK_HZ; anything else: TICK_HZ). */
void timer_init(uint64_t timebase_hz, bool sstc, uint64_t hz);
void timer_start_hart(void);
/* Re-arm this hart's timer; returns true if this tick advanced uptime. */
bool timer_intr(void);
uint64_t timer_ticks(void);
/* The channel sleepers on the tick wait on. */
const void *timer_ticks_chan(void);
bool timer_uses_sstc(void);
/* Ticks a second: TICK_HZ, or the tick= boot option. */
uint64_t timer_hz(void);

#endif
