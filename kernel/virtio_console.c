/*
 * The trace console's driver: one virtio console behind a virtio-mmio
 * transport (version 2), transmit queue only.
 *
 *   virtio_console_buffer: take back the buffers the device has used
 *                          (used ring), lend a free one to the caller
 *   virtio_console_send:   one descriptor for that buffer, into the
 *                          available ring, notify the queue
 *
 * QSIZE buffers of BUF_BYTES each are in flight at most; when all are, the
 * caller keeps its records and tries at its next drain. The device never
 * interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT): the drain polls the used ring.
 * Callers serialise (big_lock, or boot before the scheduler).
 */
#include "virtio_console.h"
#include "kalloc.h"
#include "printk.h"
#include "virtio.h"

#define QSIZE     8
#define BUF_BYTES 4096
#define QUEUE_TX  1 /* port 0's transmit queue */
#define AVAIL_OFF 256
#define USED_OFF  512

struct virtq_avail {
    uint16_t flags, idx, ring[QSIZE], used_event;
};

struct virtq_used {
    uint16_t flags, idx;
    struct virtq_used_elem ring[QSIZE];
    uint16_t avail_event;
};

_Static_assert(QSIZE * sizeof(struct virtq_desc) <= AVAIL_OFF, "descriptors fit");
_Static_assert(AVAIL_OFF + sizeof(struct virtq_avail) <= USED_OFF, "available ring fits");
_Static_assert(USED_OFF + sizeof(struct virtq_used) <= 4096, "used ring fits");

static struct {
    uint64_t base; /* the transport's registers */
    struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint8_t *buf[QSIZE];
    bool busy[QSIZE]; /* the device holds it */
    bool lent[QSIZE]; /* the caller fills it */
    uint16_t used_seen;
} con;

static volatile uint32_t *reg(uint64_t base, uint32_t off)
{
    return (volatile uint32_t *)(base + off);
}

static void reg_write64(uint64_t base, uint32_t off, uint64_t v)
{
    *reg(base, off) = (uint32_t)v;
    *reg(base, off + 4) = (uint32_t)(v >> 32);
}

/* Is there a console behind this transport? Legacy ones are named and left alone. */
static bool is_console(uint64_t base)
{
    if (*reg(base, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE ||
        *reg(base, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_CONSOLE)
        return false;
    if (*reg(base, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_MODERN) {
        printk("cowl: the virtio console at 0x%lx is legacy (virtio-mmio version %u); not used\n",
               base, *reg(base, VIRTIO_MMIO_VERSION));
        return false;
    }
    return true;
}

/* Status ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK. */
static bool negotiate(uint64_t base)
{
    *reg(base, VIRTIO_MMIO_STATUS) = 0;
    *reg(base, VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    *reg(base, VIRTIO_MMIO_DEVICE_FEAT_SEL) = VIRTIO_F_VERSION_1_WORD;
    if (!(*reg(base, VIRTIO_MMIO_DEVICE_FEAT) & VIRTIO_F_VERSION_1_BIT))
        return false;
    *reg(base, VIRTIO_MMIO_DRIVER_FEAT_SEL) = 0;
    *reg(base, VIRTIO_MMIO_DRIVER_FEAT) = 0;
    *reg(base, VIRTIO_MMIO_DRIVER_FEAT_SEL) = VIRTIO_F_VERSION_1_WORD;
    *reg(base, VIRTIO_MMIO_DRIVER_FEAT) = VIRTIO_F_VERSION_1_BIT;
    *reg(base, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_FEATURES_OK;
    return *reg(base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* Pages for the queue and its buffers; false if the kernel pool is short. */
static bool take_pages(void)
{
    uint64_t q = kalloc_page();
    if (!q)
        return false;
    con.desc = (struct virtq_desc *)q;
    con.avail = (volatile struct virtq_avail *)(q + AVAIL_OFF);
    con.used = (volatile struct virtq_used *)(q + USED_OFF);
    for (int i = 0; i < QSIZE; i++)
        if (!(con.buf[i] = (uint8_t *)kalloc_page()))
            return false;
    return true;
}

/* Transmit queue QUEUE_TX, then DRIVER_OK. */
static bool setup_queue(uint64_t base)
{
    *reg(base, VIRTIO_MMIO_QUEUE_SEL) = QUEUE_TX;
    if (*reg(base, VIRTIO_MMIO_QUEUE_READY) || *reg(base, VIRTIO_MMIO_QUEUE_NUM_MAX) < QSIZE)
        return false;
    *reg(base, VIRTIO_MMIO_QUEUE_NUM) = QSIZE;
    reg_write64(base, VIRTIO_MMIO_QUEUE_DESC, (uint64_t)con.desc);
    reg_write64(base, VIRTIO_MMIO_QUEUE_DRIVER, (uint64_t)con.avail);
    reg_write64(base, VIRTIO_MMIO_QUEUE_DEVICE, (uint64_t)con.used);
    con.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    *reg(base, VIRTIO_MMIO_QUEUE_READY) = 1;
    *reg(base, VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_DRIVER_OK;
    return true;
}

bool virtio_console_init(const struct machine_region *transports, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t base = transports[i].base;
        if (!is_console(base))
            continue;
        if (!negotiate(base) || !take_pages() || !setup_queue(base)) {
            *reg(base, VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_FAILED;
            printk("cowl: the virtio console at 0x%lx could not be set up; not tracing\n", base);
            return false;
        }
        con.base = base;
        printk("cowl: trace console on the virtio console at 0x%lx\n", base);
        return true;
    }
    return false;
}

/* Take back every buffer the device has finished with. */
static void reclaim(void)
{
    __sync_synchronize();
    while (con.used_seen != con.used->idx) {
        uint32_t id = con.used->ring[con.used_seen % QSIZE].id;
        if (id < QSIZE)
            con.busy[id] = false;
        con.used_seen++;
    }
}

uint8_t *virtio_console_buffer(uint32_t *bytes)
{
    reclaim();
    for (int i = 0; i < QSIZE; i++)
        if (!con.busy[i] && !con.lent[i]) {
            con.lent[i] = true;
            *bytes = BUF_BYTES;
            return con.buf[i];
        }
    return 0;
}

void virtio_console_send(uint8_t *buf, uint32_t len)
{
    int i = 0;
    while (i < QSIZE && con.buf[i] != buf)
        i++;
    if (i == QSIZE || !con.lent[i])
        return;
    con.desc[i] = (struct virtq_desc){.addr = (uint64_t)buf, .len = len};
    con.avail->ring[con.avail->idx % QSIZE] = (uint16_t)i;
    __sync_synchronize(); /* the descriptor and the slot before the index */
    con.avail->idx++;
    __sync_synchronize(); /* the index before the notification */
    con.lent[i] = false;
    con.busy[i] = true;
    *reg(con.base, VIRTIO_MMIO_QUEUE_NOTIFY) = QUEUE_TX;
}
