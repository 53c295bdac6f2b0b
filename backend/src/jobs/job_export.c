#include "jobs/job_export.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/log.h"
#include "domain/export.h"

#define EXPORT_PATH_MAX 1024

/* One file being written: its temporary and final paths, and the gzip stream over it. */
typedef struct out_file {
    const char *name; /* static: "catalogue.csv.gz" */
    export_format format;
    char tmp[EXPORT_PATH_MAX];
    char path[EXPORT_PATH_MAX];
    int fd;    /* owned; -1 when closed */
    gzFile gz; /* owned; NULL when closed */
    bool failed;
} out_file_t;

static bool gz_write(void *arg, const void *data, size_t n) {
    out_file_t *f = arg;
    while (n > 0 && !f->failed) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        if (gzwrite(f->gz, data, chunk) != (int)chunk)
            f->failed = true;
        data = (const char *)data + chunk;
        n -= chunk;
    }
    return !f->failed;
}

static bool file_paths(out_file_t *f, const char *dir, const char *name) {
    f->name = name;
    f->fd = -1;
    f->gz = NULL;
    f->failed = false;
    int a = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    int b = snprintf(f->tmp, sizeof f->tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
    return a > 0 && (size_t)a < sizeof f->path && b > 0 && (size_t)b < sizeof f->tmp;
}

static bool file_open_gz(out_file_t *f) {
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return false;
    int dup_fd = dup(f->fd); /* gzclose closes its own descriptor; f->fd stays for fsync */
    if (dup_fd < 0)
        return false;
    f->gz = gzdopen(dup_fd, "wb6");
    if (f->gz == NULL) {
        close(dup_fd);
        return false;
    }
    gzbuffer(f->gz, 128 * 1024);
    return true;
}

/* Ends the gzip stream and makes the file durable (fsync), still under its temporary name. */
static bool file_finish(out_file_t *f) {
    bool ok = !f->failed;
    if (f->gz && gzclose(f->gz) != Z_OK)
        ok = false;
    f->gz = NULL;
    if (f->fd >= 0 && fsync(f->fd) != 0)
        ok = false;
    if (f->fd >= 0 && close(f->fd) != 0)
        ok = false;
    f->fd = -1;
    return ok;
}

/* Closes what is open and removes the temporary file (an export that failed). */
static void file_abandon(out_file_t *f) {
    if (f->gz)
        gzclose(f->gz);
    if (f->fd >= 0)
        close(f->fd);
    f->gz = NULL;
    f->fd = -1;
    unlink(f->tmp);
}

/* The size and SHA-256 (hex) of a file, read back in pieces. */
static bool file_digest(const char *path, long long *size, char hex[65]) {
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    bool ok = false;
    FILE *fp = fopen(path, "rb");
    EVP_MD_CTX *md_ctx = EVP_MD_CTX_new();
    *size = 0;
    if (fp == NULL || md_ctx == NULL || EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1)
        goto out;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (EVP_DigestUpdate(md_ctx, buf, n) != 1)
            goto out;
        *size += (long long)n;
    }
    if (ferror(fp) || EVP_DigestFinal_ex(md_ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    ok = true;
out:
    EVP_MD_CTX_free(md_ctx);
    if (fp)
        fclose(fp);
    return ok;
}

static bool dir_sync(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Writes the manifest under a temporary name, durable, then renamed over manifest.json. */
static bool write_manifest(const char *dir, json_t *manifest) {
    out_file_t m;
    if (!file_paths(&m, dir, "manifest.json"))
        return false;
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    bool ok = text != NULL;
    int fd = ok ? open(m.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    if (fd < 0)
        ok = false;
    size_t len = text ? strlen(text) : 0;
    if (ok && (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0))
        ok = false;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(m.tmp, m.path) != 0)
        ok = false;
    if (!ok)
        unlink(m.tmp);
    free(text);
    return ok;
}

/* True when the files are due: it is past today's hour and the manifest was written before it. */
static bool is_due(const char *dir, int hour) {
    char path[EXPORT_PATH_MAX];
    struct stat st;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (tm.tm_hour < hour)
        return false;
    tm.tm_hour = hour;
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t slot = mktime(&tm);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    return stat(path, &st) != 0 || st.st_mtime < slot;
}

/* The files, under their final names, from one snapshot; then the manifest. */
static dom_status write_all(const job_ctx_t *ctx, const char *dir, long *rows) {
    out_file_t files[2];
    export_target_t targets[2];
    export_run_t *run = NULL;
    json_t *sources = NULL, *list = NULL, *manifest = NULL;
    char when[32];
    dom_status st = DOM_INTERNAL;
    bool opened = false;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!file_paths(&files[0], dir, "catalogue.csv.gz") ||
        !file_paths(&files[1], dir, "catalogue.ndjson.gz")) {
        log_msg(LOG_ERROR, "export: the directory name is too long: %s", dir);
        return DOM_INTERNAL;
    }
    files[0].format = EXPORT_CSV;
    files[1].format = EXPORT_NDJSON;
    for (int k = 0; k < 2; k++) {
        targets[k] = (export_target_t){
                {files[k].format, false, ',', ctx->public_url}, gz_write, &files[k]};
        if (!file_open_gz(&files[k])) {
            log_msg(LOG_ERROR, "export: cannot write %s: %s", files[k].tmp, strerror(errno));
            goto out;
        }
    }
    opened = true;
    st = export_open_catalogue(ctx->db, &run);
    if (st == DOM_OK)
        st = export_write_each(run, targets, 2, 0, -1, rows);
    /* The sources in the same snapshot as the records. */
    if (st == DOM_OK)
        st = export_sources(ctx->db, &sources);
    export_close(run);
    if (st != DOM_OK)
        goto out;
    st = DOM_INTERNAL;
    if (!file_finish(&files[0]) || !file_finish(&files[1])) {
        log_msg(LOG_ERROR, "export: cannot finish the files in %s: %s", dir, strerror(errno));
        goto out;
    }
    list = json_array();
    for (int k = 0; k < 2 && list; k++) {
        long long size;
        char hex[65];
        if (!file_digest(files[k].tmp, &size, hex) ||
            json_array_append_new(list,
                                  json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "name", files[k].name,
                                            "format", k == 0 ? "csv" : "ndjson", "compression",
                                            "gzip", "size", (json_int_t)size, "sha256", hex, "url",
                                            k == 0 ? "/exports/catalogue.csv.gz"
                                                   : "/exports/catalogue.ndjson.gz")) != 0)
            goto out;
    }
    manifest = json_pack("{s:s, s:I, s:s, s:O, s:O, s:s}", "generated_at", when, "records",
                         (json_int_t)*rows, "fields", "docs/api.md, \"Exports\"", "files", list,
                         "sources", sources, "licence",
                         "Chaque fiche reste sous la licence de ses sources (colonnes licences et "
                         "source_names) : citez-les en réutilisant les données.");
    if (manifest == NULL)
        goto out;
    /* Data files first, manifest last: the manifest never names files that are not there yet. */
    for (int k = 0; k < 2; k++)
        if (rename(files[k].tmp, files[k].path) != 0) {
            log_msg(LOG_ERROR, "export: cannot rename %s: %s", files[k].tmp, strerror(errno));
            goto out;
        }
    if (!write_manifest(dir, manifest) || !dir_sync(dir)) {
        log_msg(LOG_ERROR, "export: cannot write %s/manifest.json: %s", dir, strerror(errno));
        goto out;
    }
    st = DOM_OK;
out:
    if (opened || st != DOM_OK)
        for (int k = 0; k < 2; k++)
            file_abandon(&files[k]); /* the renamed ones are no longer under tmp */
    json_decref(list);
    json_decref(sources);
    json_decref(manifest);
    return st;
}

dom_status job_export_run_due(const job_ctx_t *ctx, const job_export_cfg_t *cfg, bool now,
                              long *rows) {
    PGresult *r = NULL;
    *rows = -1;
    if (!now && !is_due(cfg->dir, cfg->hour))
        return DOM_OK;
    if (mkdir(cfg->dir, 0755) != 0 && errno != EEXIST) {
        log_msg(LOG_ERROR, "export: cannot create %s: %s", cfg->dir, strerror(errno));
        return DOM_INTERNAL;
    }
    /* One runner at a time writes the files (the others find them done at their next pass). */
    dom_status st = dom_from_db(
            db_query(ctx->db, "export lock", "SELECT pg_try_advisory_lock(5052, 0)", 0, NULL, &r));
    bool locked = st == DOM_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!locked)
        return st;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *rows = 0;
    st = write_all(ctx, cfg->dir, rows);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st == DOM_OK)
        log_msg(LOG_INFO, "export: %ld records written to %s in %.1f s", *rows, cfg->dir,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    r = NULL;
    if (db_query(ctx->db, "export unlock", "SELECT pg_advisory_unlock(5052, 0)", 0, NULL, &r) !=
        DB_OK)
        log_msg(LOG_WARN, "export: the lock is kept until the connection closes");
    PQclear(r);
    return st;
}
