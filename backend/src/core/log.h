/* log: one JSON object per line on standard error.
 *
 * Lines are written with a single write(2) so that lines from several worker processes sharing
 * one log file never interleave. */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <jansson.h>

#include "core/common.h"

/* How serious a line is. Written as "info", "warn" or "error" (log_level_name): what the log
 * readers (docs/local-stack-contract.md) filter on, so no other spelling may appear. */
typedef enum log_level {
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
} log_level;

/* The level as written in the log: "info", "warn" or "error". */
const char *log_level_name(log_level level);

/* Logs a message with a level and the process id. The same message repeated within 10 seconds is
 * written once; the count of those left out comes with the next line written ("repeated": N, on a
 * copy of the message). */
void log_msg(log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Sets the id of the request being served (NULL: none), copied. While set, the lines log_msg
 * writes carry it as "request_id", so that the cause of an error (a failed query, a lost
 * connection) joins the request's own line and nginx's. The "repeated" count of an earlier
 * message does not: it stands for other requests. */
void log_set_request_id(const char *id);

/* Reopens the log file named by SC_LOG_FILE (append mode, created 0644 if missing) as standard
 * output and error of this process, after log rotation renamed it. Returns false, changing
 * nothing, when SC_LOG_FILE is unset or cannot be opened (errno tells why). Child processes
 * forked before keep the previous file. */
bool log_reopen(void) MUST_CHECK;

/* Logs a prepared object, adding "ts" and "pid". Takes ownership of obj (it is decref'd). */
void log_json(json_t *obj);

#endif
