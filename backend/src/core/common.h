/* Shared compiler attributes and small helpers used by every module. */
#ifndef SC_COMMON_H
#define SC_COMMON_H

#include <stdbool.h>
#include <stddef.h>

/* Every function that can fail returns a status the caller must look at. */
#define MUST_CHECK             __attribute__((warn_unused_result))
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
