/*
 * The kernel's options: the words of the boot arguments (/chosen/bootargs)
 * before `run=`. Everything from `run=` on is init's, verbatim: a program's
 * arguments never reach these readers.
 */
#ifndef KERNEL_BOOTARGS_H
#define KERNEL_BOOTARGS_H

#include <stdbool.h>

/* The value of the option `key=` copied into out (size bytes, always
 * terminated); false if the option is absent. */
bool bootarg_get(const char *key, char *out, int size);
/* True when the options hold `key=1` (trace=1, say). */
bool bootarg_on(const char *key);

#endif
