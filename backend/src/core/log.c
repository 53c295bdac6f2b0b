#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void log_timestamp(char *out, size_t n) {
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, n - k, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void log_json(json_t *obj) {
    char ts[40];
    if (obj == NULL)
        return;
    log_timestamp(ts, sizeof ts);
    json_object_set_new(obj, "ts", json_string(ts));
    json_object_set_new(obj, "pid", json_integer(getpid()));
    char *line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(obj);
    if (line == NULL)
        return;
    size_t len = strlen(line);
    line[len] = '\n'; /* json_dumps leaves room for the NUL we overwrite */
    ssize_t ignored = write(STDERR_FILENO, line, len + 1);
    (void)ignored;
    free(line);
}

void log_msg(const char *level, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *obj = json_object();
    if (obj == NULL)
        return;
    json_object_set_new(obj, "level", json_string(level));
    json_object_set_new(obj, "msg", json_string(msg));
    log_json(obj);
}
