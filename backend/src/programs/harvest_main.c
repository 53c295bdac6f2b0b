/* socialconnect-harvest: brings the platforms described by source documents into the catalogue.
 *
 *   load FILE…                  validate source documents (all or nothing) and store them
 *   test SLUG|FILE [--limit N]  fetch and extract without writing; records as JSON lines
 *   run SLUG… | --all           harvest now, one progress line per source
 *   queue SLUG…                 ask the job runner (socialconnect-jobs) to harvest these now
 *
 * Configuration from the environment (README.md): SC_PG_DSN (else the libpq variables PGHOST…),
 * SC_HARVEST_DELAY_MS (overrides every source's politeness delay; 0 in tests and benchmarks),
 * SC_HARVEST_TIMEOUT_MS, SC_HARVEST_RETRY_BASE_MS, SC_HARVEST_CONTACT (the URL in our
 * User-Agent), SC_HARVEST_JOBS (sources harvested at once by run). The queue of harvest jobs is
 * served by the job runner, socialconnect-jobs (programs/jobs_main.c). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "domain/geocoder.h"
#include "domain/territory.h"
#include "harvest/run.h"
#include "harvest/source_doc.h"
#include "harvest/store.h"

#define DEFAULT_DSN "host=127.0.0.1 port=5433 dbname=socialconnect user=socialconnect"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) {
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *to) {
    fputs("usage: socialconnect-harvest load FILE…\n"
          "       socialconnect-harvest test SLUG|FILE [--limit N]\n"
          "       socialconnect-harvest run SLUG… | --all\n"
          "       socialconnect-harvest queue SLUG…\n"
          "See docs/sources.md.\n",
          to);
}

static long env_long(const char *name, long def, long min, long max) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return def;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "socialconnect-harvest: %s=%s: expected a number from %ld to %ld\n", name,
                v, min, max);
        exit(2);
    }
    return n;
}

/* Reads a whole file of at most max bytes. Returns a malloc'd NUL-terminated buffer or NULL with
 * err set. */
static char *read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (f == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    *len = fread(buf, 1, max + 1, f);
    if (ferror(f) || *len > max) {
        snprintf(err, errlen, ferror(f) ? "read error" : "larger than %zu bytes", max);
        free(buf);
        buf = NULL;
        goto done;
    }
    buf[*len] = '\0';
done:
    fclose(f);
    return buf;
}

static hv_source *parse_file(const char *path) {
    char err[HV_ERR_MAX];
    size_t len;
    hv_source *src = NULL;
    char *text = read_file(path, HV_SOURCE_DOC_MAX, &len, err, sizeof err);
    if (text == NULL || hv_source_parse(text, len, &src, err) != 0)
        fprintf(stderr, "%s: %s\n", path, err);
    free(text);
    return src;
}

static db_t *open_db(void) {
    static const db_stmt_t *const sets[] = {hv_store_stmts, geocoder_stmts, territory_stmts};
    /* Every record is its own transaction, so that a crash loses at most the record in flight.
     * Waiting for the WAL flush of each one would make the disk, not the sources, set the pace;
     * without it, only an operating-system crash can lose the last fraction of a second of
     * commits, which the next run redoes (records are recognised by hash). The API keeps full
     * durability: this is the harvester's session only. */
    setenv("PGOPTIONS", "-c synchronous_commit=off", 0);
    const char *dsn = getenv("SC_PG_DSN");
    if (dsn == NULL || *dsn == '\0')
        dsn = getenv("PGHOST") || getenv("PGPORT") ? "" : DEFAULT_DSN;
    db_t *db = db_open(dsn, sets, sizeof sets / sizeof sets[0]);
    if (db != NULL && !db_ping(db)) {
        fprintf(stderr, "socialconnect-harvest: PostgreSQL cannot be reached\n");
        db_close(db);
        return NULL;
    }
    return db;
}

static int cmd_load(db_t *db, int argc, char **argv) {
    hv_source **srcs = calloc((size_t)argc + 1, sizeof *srcs);
    int rc = 1, bad = 0;
    if (srcs == NULL)
        return 1;
    for (int i = 0; i < argc; i++) /* all or nothing: validate every document first */
        if ((srcs[i] = parse_file(argv[i])) == NULL)
            bad++;
    if (bad > 0 || argc == 0) {
        fprintf(stderr, "socialconnect-harvest: %d invalid document(s); nothing loaded\n", bad);
        goto done;
    }
    for (int i = 0; i < argc; i++) {
        int64_t id;
        long again;
        dom_status st = hv_store_source_put(db, hv_source_document(srcs[i]),
                                            hv_source_homepage(srcs[i]), &id, &again);
        if (st != DOM_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], dom_status_text(st));
            goto done;
        }
        if (again > 0)
            printf("%s: source %s loaded; its normalisation changed: %ld record(s) will be "
                   "normalised again at the next run\n",
                   argv[i], hv_source_slug(srcs[i]), again);
        else
            printf("%s: source %s loaded\n", argv[i], hv_source_slug(srcs[i]));
    }
    rc = 0;
done:
    for (int i = 0; i < argc; i++)
        hv_source_free(srcs[i]);
    free(srcs);
    return rc;
}

static hv_run_options run_options(char *ua, size_t ualen) {
    hv_run_options opt;
    char err[200];
    if (!hv_run_options_env(&opt, ua, ualen, &g_stop, err, sizeof err)) {
        fprintf(stderr, "socialconnect-harvest: %s\n", err);
        exit(2);
    }
    return opt;
}

/* Harvests the sources of slugs with up to jobs processes at once. A run spends most of its time
 * waiting on PostgreSQL (geocoding, saving), so two sources at once use both cores. Each process
 * has a connection of its own, kept from one source to the next (its prepared statements and the
 * plans of the record functions stay warm), and takes the index of its next source from a pipe:
 * a slow source does not hold the others up. Each result comes back as one byte on another pipe.
 * Returns the worst exit code of the runs. */
static int run_parallel(const json_t *slugs, const hv_run_options *opt, long jobs, int *failed) {
    size_t n = json_array_size(slugs);
    int work[2] = {-1, -1}, results[2] = {-1, -1}, worst = 0;
    long started = 0;
    pid_t pids[16]; /* jobs is at most 16 (SC_HARVEST_JOBS) */
    bool forwarded = false;
    if (n > 8192 || pipe(work) != 0 || pipe(results) != 0) { /* 8192 indexes fit a pipe's buffer */
        fprintf(stderr, "socialconnect-harvest: cannot share the sources between processes\n");
        worst = 3;
        goto done;
    }
    for (uint32_t i = 0; i < n; i++)
        if (write(work[1], &i, sizeof i) != (ssize_t)sizeof i) {
            worst = 3;
            goto done;
        }
    close(work[1]);
    work[1] = -1;
    fflush(stdout);
    for (; started < jobs && started < (long)(sizeof pids / sizeof pids[0]) && (size_t)started < n;
         started++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "socialconnect-harvest: fork: %s\n", strerror(errno));
            break;
        }
        if (pid == 0) { /* the child never touches the parent's connection */
            close(results[0]);
            db_t *mine = open_db();
            uint32_t i;
            while (!g_stop && read(work[0], &i, sizeof i) == (ssize_t)sizeof i) {
                int64_t run_id;
                unsigned char rc = 3;
                if (mine != NULL)
                    rc = (unsigned char)hv_run_stored(
                            mine, json_string_value(json_array_get(slugs, i)), opt, &run_id);
                fflush(NULL);
                if (write(results[1], &rc, 1) != 1)
                    break;
            }
            db_close(mine);
            _exit(0);
        }
        pids[started] = pid;
    }
    close(results[1]);
    results[1] = -1;
    unsigned char rc;
    size_t got = 0;
    for (ssize_t r; (r = read(results[0], &rc, 1)) != 0;) {
        /* A stop: a signal sent to the process group reached the workers already; one sent to
         * this process alone (kill PID) is passed on, once, so that they end their run as
         * "partial" and take no other source. */
        if (g_stop && !forwarded) {
            forwarded = true;
            for (long k = 0; k < started; k++)
                kill(pids[k], SIGTERM);
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        got++;
        *failed += rc != 0;
        worst = rc > worst ? rc : worst;
    }
    for (int status; started > 0; started--)
        if (wait(&status) > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
            worst = 3;
    if (got < n && !g_stop && worst == 0)
        worst = 3; /* a source was left undone: no process could take it */
done:
    for (int k = 0; k < 2; k++) {
        if (work[k] >= 0)
            close(work[k]);
        if (results[k] >= 0)
            close(results[k]);
    }
    return worst;
}

static int cmd_run(db_t *db, int argc, char **argv) {
    char ua[300];
    hv_run_options opt = run_options(ua, sizeof ua);
    long jobs = env_long("SC_HARVEST_JOBS", 2, 1, 16);
    json_t *slugs = NULL;
    int rc = 0, failed = 0;
    if (argc == 1 && strcmp(argv[0], "--all") == 0) {
        dom_status st = hv_store_source_list(db, &slugs);
        if (st != DOM_OK) {
            fprintf(stderr, "socialconnect-harvest: %s\n", dom_status_text(st));
            rc = 3;
            goto done;
        }
    } else {
        slugs = json_array();
        for (int i = 0; i < argc; i++)
            json_array_append_new(slugs, json_string(argv[i]));
    }
    if (json_array_size(slugs) == 0) {
        fprintf(stderr, "socialconnect-harvest: no source to harvest\n");
        rc = 1;
        goto done;
    }
    if (jobs > 1 && json_array_size(slugs) > 1) {
        rc = run_parallel(slugs, &opt, jobs, &failed);
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(slugs, i, s) {
            if (g_stop)
                break;
            int64_t run_id;
            int r = hv_run_stored(db, json_string_value(s), &opt, &run_id);
            failed += r != 0;
            rc = r > rc ? r : rc;
            if (r == 3)
                break;
        }
    }
    printf("%zu source(s), %d en échec\n", json_array_size(slugs), failed);
done:
    json_decref(slugs);
    json_decref(opt.geocache);
    return rc;
}

static int cmd_test(db_t *db, int argc, char **argv) {
    char ua[300];
    hv_run_options opt = run_options(ua, sizeof ua);
    opt.dry_run = true;
    opt.progress = stderr;
    opt.limit = 5;
    if (argc == 3 && strcmp(argv[1], "--limit") == 0) {
        char *end;
        opt.limit = strtol(argv[2], &end, 10);
        if (*end || opt.limit < 1 || opt.limit > 100000) {
            fprintf(stderr, "--limit: expected a number from 1 to 100000\n");
            json_decref(opt.geocache);
            return 2;
        }
    } else if (argc != 1) {
        usage(stderr);
        json_decref(opt.geocache);
        return 2;
    }
    size_t n = strlen(argv[0]);
    if (n > 5 && strcmp(argv[0] + n - 5, ".json") == 0) { /* a document not loaded yet */
        hv_source *src = parse_file(argv[0]);
        if (src == NULL) {
            json_decref(opt.geocache);
            return 1;
        }
        if (!hv_run_delay_allowed(src, &opt)) {
            fprintf(stderr,
                    "%s: SC_HARVEST_DELAY_MS=0 is allowed only for a source on this machine "
                    "(localhost, 127.0.0.1, [::1]), not for %s\n",
                    argv[0], hv_source_homepage(src));
            hv_source_free(src);
            json_decref(opt.geocache);
            return 1;
        }
        hv_run_figures fig;
        int64_t run_id;
        dom_status st = hv_run_source(db, src, 0, &opt, &fig, &run_id);
        hv_source_free(src);
        json_decref(opt.geocache);
        return st != DOM_OK ? 3 : fig.pages_fetched > 0 ? 0 : 1;
    }
    int64_t run_id;
    int rc = hv_run_stored(db, argv[0], &opt, &run_id);
    json_decref(opt.geocache);
    return rc;
}

static int cmd_queue(db_t *db, int argc, char **argv) {
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        dom_status st = hv_store_job_enqueue(db, argv[i]);
        if (st == DOM_OK) {
            printf("%s: queued\n", argv[i]);
        } else {
            fprintf(stderr, "%s: %s\n", argv[i],
                    st == DOM_NOT_FOUND ? "no such source" : dom_status_text(st));
            rc = st == DOM_NOT_FOUND ? 1 : 3;
        }
    }
    return argc == 0 ? 2 : rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    const char *cmd = argv[1];
    int (*fn)(db_t *, int, char **) = strcmp(cmd, "load") == 0    ? cmd_load
                                      : strcmp(cmd, "test") == 0  ? cmd_test
                                      : strcmp(cmd, "run") == 0   ? cmd_run
                                      : strcmp(cmd, "queue") == 0 ? cmd_queue
                                                                  : NULL;
    if (fn == NULL || argc < 3) {
        usage(stderr);
        return 2;
    }
    db_t *db = open_db();
    if (db == NULL)
        return 3;
    int rc = fn(db, argc - 2, argv + 2);
    db_close(db);
    return rc;
}
