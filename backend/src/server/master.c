#include "server/master.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "server/worker.h"

#define MASTER_MAX_WORKERS 256
/* A worker that dies sooner than this after its start is restarted only after a pause, so that a
 * worker crashing at start-up (bad configuration) does not turn into a fork storm. */
#define MASTER_CRASH_WINDOW_S 1

typedef struct slot {
    pid_t pid;         /* 0 when empty */
    time_t started;    /* when the current worker was forked */
    time_t restart_at; /* when an empty slot should be refilled */
} slot_t;

typedef struct master {
    const master_opts_t *opts;
    int listen_fd;
    slot_t slots[MASTER_MAX_WORKERS];
    pid_t retiring[MASTER_MAX_WORKERS * 2]; /* old generation after SIGHUP */
    size_t nretiring;
} master_t;

static pid_t master_spawn(master_t *m) {
    pid_t pid = fork();
    if (pid != 0)
        return pid; /* parent, or -1 */

    /* Child: leave the master's signal handling, and stop with it if it dies. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGINT, SIG_IGN); /* a terminal's ^C reaches the master, which stops us in order */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    void *ctx = m->opts->worker_init(m->opts->arg);
    if (ctx == NULL) {
        log_msg(LOG_ERROR, "worker initialisation failed");
        _exit(1);
    }
    worker_opts_t wo = {
            .listen_fd = m->listen_fd,
            .routes = m->opts->routes,
            .nroutes = m->opts->nroutes,
            .ctx = ctx,
            .max_body = m->opts->max_body,
            .gate = m->opts->gate,
            .finish = m->opts->finish,
    };
    int rc = worker_run(&wo);
    m->opts->worker_fini(ctx);
    _exit(rc);
}

static void master_fill_slots(master_t *m, time_t now) {
    for (int i = 0; i < m->opts->workers; i++) {
        slot_t *s = &m->slots[i];
        if (s->pid != 0 || now < s->restart_at)
            continue;
        pid_t pid = master_spawn(m);
        if (pid < 0) {
            log_msg(LOG_ERROR, "fork failed: %s", strerror(errno));
            s->restart_at = now + MASTER_CRASH_WINDOW_S;
            continue;
        }
        s->pid = pid;
        s->started = now;
    }
}

/* Forgets a dead child; schedules its slot for refilling. */
static void master_reap(master_t *m, pid_t pid, int status, bool stopping, time_t now) {
    for (size_t i = 0; i < m->nretiring; i++) {
        if (m->retiring[i] == pid) {
            m->retiring[i] = m->retiring[--m->nretiring];
            return;
        }
    }
    for (int i = 0; i < m->opts->workers; i++) {
        slot_t *s = &m->slots[i];
        if (s->pid != pid)
            continue;
        s->pid = 0;
        if (!stopping) {
            if (WIFSIGNALED(status))
                log_msg(LOG_WARN, "worker %d killed by signal %d; restarting it", (int)pid,
                        WTERMSIG(status));
            else
                log_msg(LOG_WARN, "worker %d exited with status %d; restarting it", (int)pid,
                        WEXITSTATUS(status));
            s->restart_at = now - s->started < MASTER_CRASH_WINDOW_S ? now + 1 : now;
        }
        return;
    }
}

static size_t master_live(const master_t *m) {
    size_t n = m->nretiring;
    for (int i = 0; i < m->opts->workers; i++)
        if (m->slots[i].pid != 0)
            n++;
    return n;
}

static void master_signal_all(master_t *m, int sig) {
    for (int i = 0; i < m->opts->workers; i++)
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, sig);
    for (size_t i = 0; i < m->nretiring; i++)
        kill(m->retiring[i], sig);
}

/* SIGHUP: move the current workers to the retiring list, start new ones, then ask the old ones
 * to finish. New workers are forked first so that capacity never drops. */
static void master_replace(master_t *m, time_t now) {
    pid_t old[MASTER_MAX_WORKERS];
    int nold = 0;
    for (int i = 0; i < m->opts->workers; i++) {
        if (m->slots[i].pid == 0)
            continue;
        old[nold++] = m->slots[i].pid;
        if (m->nretiring < ARRAY_LEN(m->retiring))
            m->retiring[m->nretiring++] = m->slots[i].pid;
        m->slots[i].pid = 0;
        m->slots[i].restart_at = 0;
    }
    master_fill_slots(m, now);
    for (int i = 0; i < nold; i++)
        kill(old[i], SIGTERM);
    log_msg(LOG_INFO, "SIGHUP: %d workers replaced", nold);
}

/* SIGUSR1 (log rotation renamed the log): the master reopens SC_LOG_FILE, then replaces its
 * workers as on SIGHUP, since the new ones inherit the new file; the old ones finish their
 * requests writing to the renamed file, so no line is lost. */
static void master_rotate_log(master_t *m, time_t now) {
    if (!log_reopen()) {
        log_msg(LOG_WARN, "SIGUSR1: cannot reopen the log (SC_LOG_FILE): %s", strerror(errno));
        return;
    }
    log_msg(LOG_INFO, "SIGUSR1: log reopened");
    master_replace(m, now);
}

static bool master_open_socket(master_t *m) {
    const char *path = m->opts->socket;
    bool is_unix = strchr(path, ':') == NULL;
    if (is_unix) {
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(path); /* left by a previous run that was killed */
    }
    m->listen_fd = FCGX_OpenSocket(path, 128);
    if (m->listen_fd < 0) {
        log_msg(LOG_ERROR, "cannot open FastCGI socket %s", path);
        return false;
    }
    /* The web server runs as another user: it must be able to connect. The socket lives in the
     * service's private run directory, which is what restricts access. */
    if (is_unix && chmod(path, 0666) != 0) {
        log_msg(LOG_ERROR, "chmod %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

int master_run(const master_opts_t *opts) {
    master_t m;
    memset(&m, 0, sizeof m);
    m.opts = opts;
    if (opts->workers < 1 || opts->workers > MASTER_MAX_WORKERS) {
        log_msg(LOG_ERROR, "worker count %d out of range", opts->workers);
        return 1;
    }
    if (FCGX_Init() != 0 || !master_open_socket(&m))
        return 1;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    log_msg(LOG_INFO, "listening on %s with %d workers", opts->socket, opts->workers);
    master_fill_slots(&m, time(NULL));

    bool stopping = false;
    time_t kill_at = 0;
    for (;;) {
        struct timespec tick = {.tv_sec = 0, .tv_nsec = 250 * 1000 * 1000};
        siginfo_t si;
        int sig = sigtimedwait(&set, &si, &tick);
        time_t now = time(NULL);
        if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
            log_msg(LOG_INFO, "stopping: waiting for workers to finish");
            stopping = true;
            kill_at = now + opts->grace_s;
            /* New connections now fail at once (the web server answers 503) instead of queueing
             * behind workers that are leaving; those already queued are still served. */
            if (strchr(opts->socket, ':') == NULL)
                unlink(opts->socket);
        } else if (sig == SIGHUP && !stopping) {
            master_replace(&m, now);
        } else if (sig == SIGUSR1 && !stopping) {
            master_rotate_log(&m, now);
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
            master_reap(&m, pid, status, stopping, now);

        if (stopping) {
            if (master_live(&m) == 0)
                break;
            /* Repeated because a worker may be between its check and accept() when the first
             * signal arrives; a second one interrupts the accept. */
            master_signal_all(&m, now >= kill_at ? SIGKILL : SIGTERM);
            continue;
        }
        /* Same race as above for the generation retired by SIGHUP. */
        for (size_t i = 0; i < m.nretiring; i++)
            kill(m.retiring[i], SIGTERM);
        master_fill_slots(&m, now);
    }
    close(m.listen_fd);
    if (strchr(opts->socket, ':') == NULL)
        unlink(opts->socket);
    log_msg(LOG_INFO, "stopped");
    return 0;
}
