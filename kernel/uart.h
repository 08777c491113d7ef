/*
 * The 16550 UART named by the device tree: polled output, interrupt-driven
 * input handed to the console.
 */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(uint64_t base);
bool uart_ready(void);
void uart_putc(char c);
/* The next received character, or -1 when none is waiting. */
int uart_getc(void);

#endif
