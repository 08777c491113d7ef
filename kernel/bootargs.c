/*
 * Reading the kernel's options out of the boot arguments (see bootargs.h).
 * The arguments come from the device tree (machine.c) and never change.
 */
#include "bootargs.h"
#include "machine.h"
#include "string.h"

/* Where the kernel's options end and init's command line begins. */
static const char program_word[] = "run=";

bool bootarg_get(const char *key, char *out, int size)
{
    size_t klen = strlen(key);
    for (const char *p = machine.bootargs; *p;) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        if (!strncmp(word, program_word, sizeof(program_word) - 1))
            return false;
        if ((size_t)(p - word) > klen && !strncmp(word, key, klen) && word[klen] == '=') {
            int n = 0;
            for (const char *v = word + klen + 1; v < p && n + 1 < size; v++)
                out[n++] = *v;
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

bool bootarg_on(const char *key)
{
    char value[4];
    return bootarg_get(key, value, sizeof(value)) && value[0] == '1';
}
