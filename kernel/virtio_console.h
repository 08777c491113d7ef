/*
 * The trace console: a virtio console (virtio-serial without multiport, so
 * port 0 on transmit queue 1) on one of the machine's virtio-mmio
 * transports. It only transmits. The caller fills fixed-size buffers and
 * queues them; the device's progress is polled when the next buffer is
 * wanted, so nothing here waits, and nothing uses an interrupt.
 */
#ifndef KERNEL_VIRTIO_CONSOLE_H
#define KERNEL_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include "machine.h"

/* Find a console among the n transports and set it up; false if there is none.
 * Boot only (it takes kernel-pool pages, for ever). */
bool virtio_console_init(const struct machine_region *transports, uint32_t n);
/* A free transmit buffer of *bytes bytes, or 0 while every one is in flight. */
uint8_t *virtio_console_buffer(uint32_t *bytes);
/* Queue the first len bytes of a buffer from virtio_console_buffer. */
void virtio_console_send(uint8_t *buf, uint32_t len);

#endif
