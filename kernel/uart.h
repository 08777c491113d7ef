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
void uart_intr(void);

#endif
