/*
 * 16550 registers at the base the device tree gives. Output polls the
 * transmit-holding-empty bit (console output is short and the kernel never
 * waits on it for long); input raises the receive interrupt, which the PLIC
 * routes to the boot hart.
 */
#include "uart.h"

#define RHR 0 /* receive holding */
#define THR 0 /* transmit holding */
#define IER 1 /* interrupt enable */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control */
#define LSR 5 /* line status */

#define IER_RX       0x01
#define FCR_ENABLE   0x07
#define LCR_8N1      0x03
#define LSR_RX_READY 0x01
#define LSR_TX_EMPTY 0x20

static volatile uint8_t *uart;

static inline uint8_t reg_read(int r)
{
    return uart[r];
}

static inline void reg_write(int r, uint8_t v)
{
    uart[r] = v;
}

void uart_init(uint64_t base)
{
    uart = (volatile uint8_t *)base;
    reg_write(LCR, LCR_8N1);
    reg_write(FCR, FCR_ENABLE);
    reg_write(IER, IER_RX);
}

bool uart_ready(void)
{
    return uart != 0;
}

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    while (!(reg_read(LSR) & LSR_TX_EMPTY))
        ;
    reg_write(THR, (uint8_t)c);
}

int uart_getc(void)
{
    return reg_read(LSR) & LSR_RX_READY ? reg_read(RHR) : -1;
}
