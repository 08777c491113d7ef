/*
 * PLIC register layout (riscv,plic0): source priorities at 4*irq, enable bits
 * per context at 0x2000 + 0x80*ctx, threshold and claim/complete at
 * 0x200000 + 0x1000*ctx.
 */
#include "plic.h"

#define PRIORITY(irq)  (4 * (irq))
#define ENABLE(ctx)    (0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)     (0x200004 + 0x1000 * (ctx))

static uint64_t plic;
static uint32_t context;

static volatile uint32_t *reg(uint64_t off)
{
    return (volatile uint32_t *)(plic + off);
}

void plic_init(uint64_t base, uint32_t ctx)
{
    plic = base;
    context = ctx;
    *reg(THRESHOLD(ctx)) = 0;
}

void plic_enable(uint32_t irq)
{
    *reg(PRIORITY(irq)) = 1;
    reg(ENABLE(context))[irq / 32] |= 1U << (irq % 32);
}

uint32_t plic_claim(void)
{
    return *reg(CLAIM(context));
}

void plic_complete(uint32_t irq)
{
    *reg(CLAIM(context)) = irq;
}
