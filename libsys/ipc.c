/*
 * The IPC calls, which the generated stubs cannot serve: a message travels
 * in a1..a5 both ways and the sender's badge comes back in a6, and the
 * temporaries are lost as across a function call. One helper
 * binds the registers; the wrappers only choose which halves they use.
 * Statuses are returned as the kernel gave them (0 or -COWL_E*), so callers
 * can tell a refused call (-COWL_EPERM) from a bad handle (-COWL_EBADF).
 */
#include <user.h>

#define SYSNUM(num, name, stub) SYS_##name = num,
enum { COWL_SYSCALLS(SYSNUM) };

static int ipc_trap(long num, long ep, const struct cowl_msg *in, struct cowl_msg *out,
                    uint64 *badge)
{
    register long a0 asm("a0") = ep;
    register uint64 a1 asm("a1") = in ? in->w[0] : 0;
    register uint64 a2 asm("a2") = in ? in->w[1] : 0;
    register uint64 a3 asm("a3") = in ? in->w[2] : 0;
    register uint64 a4 asm("a4") = in ? in->w[3] : 0;
    register uint64 a5 asm("a5") = in ? in->w[4] : 0;
    register uint64 a6 asm("a6");
    register long a7 asm("a7") = num;

    /* An IPC call preserves what a function call does (cowl/abi.h). */
    asm volatile("ecall"
                 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "=r"(a6), "+r"(a7)
                 :
                 : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    if (a0 == 0 && out) {
        out->w[0] = a1;
        out->w[1] = a2;
        out->w[2] = a3;
        out->w[3] = a4;
        out->w[4] = a5;
    }
    if (a0 == 0 && badge)
        *badge = a6;
    return (int)a0;
}

int ipc_send(int ep, const struct cowl_msg *m)
{
    return ipc_trap(SYS_send, ep, m, 0, 0);
}

int ipc_recv(int ep, struct cowl_msg *out, uint64 *badge)
{
    return ipc_trap(SYS_recv, ep, 0, out, badge);
}

int ipc_call(int ep, const struct cowl_msg *m, struct cowl_msg *out)
{
    return ipc_trap(SYS_call, ep, m, out, 0);
}

int ipc_reply(const struct cowl_msg *m)
{
    return ipc_trap(SYS_reply, 0, m, 0, 0);
}

int ipc_reply_recv(int ep, const struct cowl_msg *reply, struct cowl_msg *out, uint64 *badge)
{
    return ipc_trap(SYS_reply_recv, ep, reply, out, badge);
}
