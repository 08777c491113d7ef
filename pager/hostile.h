/*
 * The hostile pager's test protocol (pager/hostile.c, booted with
 * `pager=hostile`): a user process pings the pager with these words to set
 * which processes it lies to. Only the hostile build knows them; the real
 * pager answers such a ping like any other.
 *
 *   PG_PING, w[1] = HOSTILE_START, w[2] = first victim pid, w[3] = seed
 *   PG_PING, w[1] = HOSTILE_STOP
 *   reply: PG_OK, w[2] = lies told since the start
 */
#ifndef COWL_PAGER_HOSTILE_H
#define COWL_PAGER_HOSTILE_H

#define HOSTILE_START 0x486f7374696c6521UL /* "Hostile!" */
#define HOSTILE_STOP  0x486f6e6573742121UL /* "Honest!!" */

#endif
