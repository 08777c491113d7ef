/*
 * The IPC calls, which the generated stubs cannot serve: a message travels
 * in a1..a5 both ways and the sender's badge comes back in a6, and the
 * temporaries are lost as across a function call. user.h's ipc_trap
 * binds the registers; the wrappers only choose which halves they use.
 * Statuses are returned as the kernel gave them (0 or -COWL_E*), so callers
 * can tell a refused call (-COWL_EPERM) from a bad handle (-COWL_EBADF).
 */
#include <user.h>

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
