/* log: one JSON object per line on standard error.
 *
 * Lines are written with a single write(2) so that lines from several worker processes sharing
 * one log file never interleave. */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <jansson.h>

#include "core/common.h"

/* Logs a message with a level ("info", "warn", "error") and the process id. The same message
 * repeated within 10 seconds is written once; the count of those left out comes with the next
 * line written ("repeated": N, on a copy of the message). */
void log_msg(const char *level, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Logs a prepared object, adding "ts" and "pid". Takes ownership of obj (it is decref'd). */
void log_json(json_t *obj);

#endif
