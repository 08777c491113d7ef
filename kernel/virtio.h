/*
 * virtio over MMIO, version 2 (the virtio 1.x "modern" transport): the
 * register map, the device status bits and the split virtqueue's layout, as
 * the virtio 1.1 specification (sections 2.6 and 4.2) defines them.
 */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include <stdint.h>

/* Transport registers (byte offsets). */
#define VIRTIO_MMIO_MAGIC           0x000 /* "virt" */
#define VIRTIO_MMIO_VERSION         0x004 /* 2: modern; 1: legacy */
#define VIRTIO_MMIO_DEVICE_ID       0x008 /* 0: no device behind this transport */
#define VIRTIO_MMIO_DEVICE_FEAT     0x010
#define VIRTIO_MMIO_DEVICE_FEAT_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEAT     0x020
#define VIRTIO_MMIO_DRIVER_FEAT_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL       0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX   0x034
#define VIRTIO_MMIO_QUEUE_NUM       0x038
#define VIRTIO_MMIO_QUEUE_READY     0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY    0x050
#define VIRTIO_MMIO_STATUS          0x070
#define VIRTIO_MMIO_QUEUE_DESC      0x080 /* low word; high at +4 */
#define VIRTIO_MMIO_QUEUE_DRIVER    0x090 /* the available ring */
#define VIRTIO_MMIO_QUEUE_DEVICE    0x0a0 /* the used ring */

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976
#define VIRTIO_MMIO_MODERN      2

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

/* VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of feature word 1. */
#define VIRTIO_F_VERSION_1_WORD 1
#define VIRTIO_F_VERSION_1_BIT  0x1

#define VIRTIO_ID_CONSOLE 3

/* Split virtqueue. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq descriptor");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq used element");

#endif
