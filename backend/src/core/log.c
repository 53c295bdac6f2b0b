#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

bool log_reopen(void) {
    const char *path = getenv("SC_LOG_FILE");
    if (path == NULL || path[0] == '\0') {
        errno = ENOENT;
        return false;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    bool ok = dup2(fd, STDOUT_FILENO) >= 0 && dup2(fd, STDERR_FILENO) >= 0;
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

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

/* The same message logged again and again (PostgreSQL down: every request says "cannot
 * connect") is written once per LOG_REPEAT_WINDOW_S seconds; how many times it was left out is
 * written with the next line ("repeated": N). Per process: each worker counts its own. */
#define LOG_REPEAT_WINDOW_S 10

static struct {
    log_level level;
    char msg[1024];
    long repeats;
    time_t since;
} log_last;

/* Request ids are safe tokens of at most 64 characters (req_id_is_safe); a longer one is cut. */
static char log_request_id[65];

void log_set_request_id(const char *id) {
    snprintf(log_request_id, sizeof log_request_id, "%s", id ? id : "");
}

const char *log_level_name(log_level level) {
    switch (level) {
    case LOG_INFO:
        return "info";
    case LOG_WARN:
        return "warn";
    case LOG_ERROR:
        break;
    }
    return "error";
}

static void log_line(log_level level, const char *msg, long repeated) {
    json_t *obj = json_object();
    if (obj == NULL)
        return;
    json_object_set_new(obj, "level", json_string(log_level_name(level)));
    if (log_request_id[0] != '\0' && repeated == 0)
        json_object_set_new(obj, "request_id", json_string(log_request_id));
    json_object_set_new(obj, "msg", json_string(msg));
    if (repeated > 0)
        json_object_set_new(obj, "repeated", json_integer(repeated));
    log_json(obj);
}

void log_msg(log_level level, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    time_t now = time(NULL);
    bool same = strcmp(msg, log_last.msg) == 0 && level == log_last.level;
    if (same && now - log_last.since < LOG_REPEAT_WINDOW_S) {
        log_last.repeats++;
        return;
    }
    if (log_last.repeats > 0)
        log_line(log_last.level, log_last.msg, log_last.repeats);
    log_line(level, msg, 0);
    log_last.level = level;
    memcpy(log_last.msg, msg, sizeof msg);
    log_last.repeats = 0;
    log_last.since = now;
}
