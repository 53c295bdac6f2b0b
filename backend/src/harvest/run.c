#include "harvest/run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "domain/geocoder.h"
#include "harvest/extract.h"
#include "harvest/fetch.h"
#include "harvest/transform.h"

typedef enum req_role { REQ_LIST, REQ_DETAIL } req_role;

/* What a request is for; owned by the fetcher's queue until its completion frees it. */
typedef struct req {
    req_role role;
    int page_no;  /* list pages paginated by parameter: the page number */
    json_t *item; /* detail pages: the list item it completes (owned) */
} req;

typedef struct run_state {
    db_t *db;
    const hv_source *src;
    const hv_run_options *opt;
    int64_t source_id, run_id;
    hv_fetcher *fetcher;
    json_t *vocab;    /* vocabulary codes, for hv_record_finish */
    json_t *visited;  /* list-page URLs requested this run: {url: true} */
    json_t *seen_ids; /* external ids met this run: {id: true} */
    json_t *errors;   /* [{url, reason}], at most HV_RUN_ERRORS_MAX */
    long errors_total;
    long list_pages; /* list pages requested, against the source's max_pages */
    long printed;    /* dry run */
    hv_run_figures fig;
    bool incomplete; /* a list page failed or the page cap cut the run short */
    bool limit_reached;
    dom_status db_st; /* the first database failure stops the run */
} run_state;

static void add_error(run_state *rs, const char *url, const char *reason) {
    rs->errors_total++;
    if (json_array_size(rs->errors) < HV_RUN_ERRORS_MAX)
        json_array_append_new(rs->errors, json_pack("{s:s?, s:s}", "url", url, "reason", reason));
}

static bool may_queue(const run_state *rs) {
    return rs->db_st == DOM_OK && !rs->limit_reached && !(rs->opt->stop && *rs->opt->stop);
}

static void req_free(req *r) {
    if (r) {
        json_decref(r->item);
        free(r);
    }
}

/* Queues url for r (taken over). Conditional when the page was fetched by an earlier run. */
static void enqueue(run_state *rs, const char *url, req *r) {
    hv_cached_page cached = {0};
    bool have = false;
    if (!rs->opt->dry_run) {
        dom_status st = hv_store_page_get(rs->db, rs->source_id, url, false, &cached);
        have = st == DOM_OK;
        if (st != DOM_OK && st != DOM_NOT_FOUND)
            rs->db_st = st;
    }
    if (hv_fetcher_add(rs->fetcher, url, have ? cached.etag : NULL,
                       have ? cached.last_modified : NULL, r) != 0) {
        add_error(rs, url, "adresse refusée (ni http ni https)");
        if (r->role == REQ_LIST)
            rs->incomplete = true;
        req_free(r);
    }
    hv_cached_page_clear(&cached);
}

static req *req_new(req_role role, int page_no, json_t *item) {
    req *r = calloc(1, sizeof *r);
    if (r == NULL) {
        json_decref(item);
        return NULL;
    }
    r->role = role;
    r->page_no = page_no;
    r->item = item;
    return r;
}

static void queue_list(run_state *rs, const char *url, int page_no) {
    if (json_object_get(rs->visited, url) != NULL || !may_queue(rs))
        return;
    if (rs->list_pages >= hv_source_max_pages(rs->src)) {
        rs->incomplete = true;
        add_error(rs, url, "limite de pages par moisson atteinte");
        return;
    }
    req *r = req_new(REQ_LIST, page_no, NULL);
    if (r == NULL || json_object_set_new(rs->visited, url, json_true()) != 0) {
        req_free(r);
        rs->db_st = DOM_INTERNAL;
        return;
    }
    rs->list_pages++;
    enqueue(rs, url, r);
}

static const char *str_field(const json_t *fields, const char *name) {
    const char *s = json_string_value(json_object_get(fields, name));
    return s && *s ? s : NULL;
}

/* Recognises the record's place with the geocoder of /api/v1/geocode: "address, postcode commune".
 * A point given by the source is located by the database instead (harvest_record_save). */
static dom_status geocode(run_state *rs, json_t *norm) {
    if (json_object_get(norm, "lat") && json_object_get(norm, "lon"))
        return DOM_OK;
    const char *address = str_field(norm, "address"), *postcode = str_field(norm, "postcode"),
               *commune = str_field(norm, "commune");
    if (!postcode && !commune)
        return DOM_OK;
    char q[GEOCODER_Q_MAX + 1];
    int n = snprintf(q, sizeof q, "%s%s%s%s%s", address ? address : "", address ? ", " : "",
                     postcode ? postcode : "", postcode && commune ? " " : "",
                     commune ? commune : "");
    if (n < 0 || (size_t)n >= sizeof q) /* an address too long: the commune alone */
        snprintf(q, sizeof q, "%s%s%.*s", postcode ? postcode : "", postcode && commune ? " " : "",
                 (int)(GEOCODER_Q_MAX - 8), commune ? commune : "");
    json_t *cache = rs->opt->geocache;
    const json_t *known = cache ? json_object_get(cache, q) : NULL;
    const char *code = NULL;
    json_t *answer = NULL;
    if (known != NULL) {
        code = json_string_value(known);
    } else {
        dom_status st = geocoder_resolve(rs->db, q, &answer);
        if (st != DOM_OK)
            return st;
        const json_t *match = json_object_get(answer, "match");
        code = json_string_value(json_object_get(json_object_get(match, "territory"), "code"));
        if (cache != NULL && json_object_size(cache) < HV_GEOCACHE_MAX)
            json_object_set_new(cache, q, code ? json_string(code) : json_null());
    }
    if (code) {
        json_object_set_new(norm, "commune_code", json_string(code));
        json_object_set_new(norm, "geo_precision", json_string("commune"));
    }
    json_decref(answer);
    return DOM_OK;
}

static bool is_empty(const json_t *v) {
    return v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* What became of a field of the document that the stored record does not have, when the page
 * did give it values; NULL when it gave none (the field is then listed as empty). */
static const char *emptied_why(const char *name, const json_t *raw, const json_t *norm) {
    bool had = !is_empty(json_object_get(raw, name));
    bool unmapped = !is_empty(json_object_get(json_object_get(raw, "unmapped"), name));
    if (had && strcmp(name, "themes") == 0 && !is_empty(json_object_get(norm, "subthemes")))
        return "codes de sous-thèmes : classés sous subthemes";
    if (had)
        return "valeurs écartées à la normalisation (code inconnu des vocabulaires, adresse non "
               "http(s), nombre hors bornes…)";
    if (unmapped)
        return "aucune valeur dans la table de correspondance : voir unmapped";
    return NULL;
}

/* Dry run: the record as it would be stored, the values the maps did not know, the fields of the
 * document that came out empty, and what became of those whose values went elsewhere. */
static void print_record(run_state *rs, const char *ext_id, const char *url, const json_t *raw,
                         json_t *norm) {
    json_t *empty = json_array();
    json_t *notes = json_object();
    const char *name;
    json_t *spec;
    json_object_foreach((json_t *)json_object_get(hv_source_document(rs->src), "fields"), name,
                        spec) {
        if (!is_empty(json_object_get(norm, name)))
            continue;
        const char *why = emptied_why(name, raw, norm);
        if (why != NULL)
            json_object_set_new(notes, name, json_string(why));
        else
            json_array_append_new(empty, json_string(name));
    }
    json_t *o = json_pack("{s:s, s:s?, s:O, s:o}", "external_id", ext_id, "url", url, "fields",
                          norm, "empty_fields", empty);
    if (o && json_object_size(notes) > 0)
        json_object_set(o, "emptied_fields", notes);
    const json_t *unmapped = json_object_get(raw, "unmapped");
    if (o && unmapped != NULL)
        json_object_set(o, "unmapped", (json_t *)unmapped);
    if (o && json_dumpf(o, rs->opt->records_out, JSON_COMPACT | JSON_ENSURE_ASCII) == 0)
        fputc('\n', rs->opt->records_out);
    json_decref(o);
    json_decref(notes);
    /* Enough records: stop asking the site (what is queued is given up, not fetched). */
    if (rs->opt->limit > 0 && ++rs->printed >= rs->opt->limit) {
        rs->limit_reached = true;
        hv_fetcher_stop(rs->fetcher);
    }
}

/* The values the maps did not know, of the list item and of its detail page: {field: [values]}
 * (a new object, empty when there are none). */
static json_t *unmapped_of(const json_t *item, const json_t *detail) {
    json_t *all = json_object();
    const json_t *parts[2] = {json_object_get(item, "unmapped"),
                              json_object_get(detail, "unmapped")};
    for (int p = 0; p < 2 && all != NULL; p++) {
        const char *field;
        json_t *values;
        json_object_foreach((json_t *)parts[p], field, values) {
            json_t *list = json_object_get(all, field);
            if (list == NULL) {
                list = json_array();
                json_object_set_new(all, field, list);
            }
            size_t i;
            json_t *v;
            json_array_foreach(values, i, v) {
                if (json_array_size(list) < HV_LIST_MAX)
                    json_array_append(list, v);
            }
        }
    }
    return all;
}

/* A complete item (list fields, merged with its detail page's when it has one: detail is
 * {"fields", "unmapped"} or NULL) becomes a record. The raw record keeps the values the maps did
 * not know under "unmapped"; the normalised one does not. */
static void handle_record(run_state *rs, const json_t *item, const json_t *detail) {
    const char *ext_id = json_string_value(json_object_get(item, "external_id"));
    const char *url = json_string_value(json_object_get(item, "url"));
    if (url == NULL)
        url = json_string_value(json_object_get(item, "detail_url"));
    json_t *raw = json_deep_copy(json_object_get(item, "fields"));
    json_t *detail_fields = json_object_get(detail, "fields");
    json_t *unmapped = unmapped_of(item, detail);
    json_t *norm = NULL;
    char err[HV_ERR_MAX];
    if (ext_id == NULL || raw == NULL || unmapped == NULL ||
        (detail_fields && json_object_update(raw, detail_fields) != 0)) {
        rs->db_st = DOM_INTERNAL;
        goto done;
    }
    norm = json_deep_copy(raw);
    if (norm == NULL ||
        (json_object_size(unmapped) > 0 && json_object_set(raw, "unmapped", unmapped) != 0)) {
        rs->db_st = DOM_INTERNAL;
        goto done;
    }
    if (hv_record_finish(rs->src, rs->vocab, norm, err) != 0) {
        rs->fig.records_failed++;
        add_error(rs, url, err);
        if (!rs->opt->dry_run) {
            dom_status st = hv_store_record_touch(rs->db, rs->source_id, rs->run_id, ext_id);
            if (st != DOM_OK)
                rs->db_st = st;
        }
        goto done;
    }
    rs->fig.records_seen++;
    if (rs->opt->dry_run) {
        rs->db_st = geocode(rs, norm);
        print_record(rs, ext_id, url, raw, norm);
        goto done;
    }
    hv_seen seen;
    dom_status st = hv_store_record_seen(rs->db, rs->source_id, rs->run_id, ext_id, raw, &seen);
    if (st == DOM_OK && seen == HV_SEEN_UNCHANGED) {
        rs->fig.records_unchanged++;
        goto done;
    }
    if (st == DOM_OK)
        st = geocode(rs, norm);
    bool merged = false;
    if (st == DOM_OK)
        st = hv_store_record_save(rs->db, rs->source_id, rs->run_id, ext_id, url, raw, norm,
                                  &merged);
    if (st == DOM_OK) {
        if (seen == HV_SEEN_NEW)
            rs->fig.records_new++;
        else
            rs->fig.records_updated++;
    } else if (st == DOM_INTERNAL) { /* this record broke a rule of the database: logged */
        rs->fig.records_failed++;
        add_error(rs, url, "fiche refusée par la base (voir le journal)");
    } else {
        rs->db_st = st;
    }
done:
    json_decref(raw);
    json_decref(norm);
    json_decref(unmapped);
}

/* The items of a list page: records now, or detail pages to fetch first; then the next page. */
static void handle_list(run_state *rs, const req *r, const hv_page *page) {
    json_t *out = NULL;
    char err[HV_ERR_MAX];
    if (hv_extract_list(rs->src, page, &out, err) != 0) {
        rs->incomplete = true;
        add_error(rs, page->url, err);
        return;
    }
    size_t i, fresh = 0;
    json_t *item;
    json_array_foreach(json_object_get(out, "items"), i, item) {
        const char *ext_id = json_string_value(json_object_get(item, "external_id"));
        if (ext_id == NULL || json_object_get(rs->seen_ids, ext_id) != NULL)
            continue; /* listed twice (on two pages, or a page repeated past the end) */
        json_object_set_new(rs->seen_ids, ext_id, json_true());
        fresh++;
        if (!may_queue(rs))
            continue;
        const char *detail = json_string_value(json_object_get(item, "detail_url"));
        if (detail != NULL) {
            req *d = req_new(REQ_DETAIL, 0, json_incref(item));
            if (d == NULL)
                rs->db_st = DOM_INTERNAL;
            else
                enqueue(rs, detail, d);
        } else {
            handle_record(rs, item, NULL);
        }
    }
    const char *next = json_string_value(json_object_get(out, "next"));
    if (next != NULL) {
        queue_list(rs, next, r->page_no + 1);
    } else if (fresh > 0) { /* pagination by parameter stops at a page with nothing new */
        char *url = hv_source_page_url(rs->src, page->url, r->page_no + 1);
        if (url != NULL)
            queue_list(rs, url, r->page_no + 1);
        free(url);
    }
    json_decref(out);
}

static void handle_detail(run_state *rs, const req *r, const hv_page *page) {
    json_t *out = NULL;
    char err[HV_ERR_MAX];
    if (hv_extract_detail(rs->src, page, &out, err) != 0) {
        rs->fig.records_failed++;
        add_error(rs, page->url, err);
        return;
    }
    handle_record(rs, r->item, out);
    json_decref(out);
}

static void on_done(void *ctx, void *userdata, const hv_response *resp) {
    run_state *rs = ctx;
    req *r = userdata;
    hv_cached_page cached = {0};
    /* Every page that came is counted, even one a dry run no longer needs. */
    if (resp->error == NULL && rs->limit_reached)
        rs->fig.pages_fetched++;
    if (rs->db_st != DOM_OK || rs->limit_reached)
        goto done;
    if (resp->error != NULL) {
        rs->fig.pages_failed++;
        add_error(rs, resp->url, resp->error);
        if (r->role == REQ_LIST) {
            rs->incomplete = true;
        } else if (!rs->opt->dry_run) { /* its record is still on the source: not missed */
            const char *ext_id = json_string_value(json_object_get(r->item, "external_id"));
            dom_status st = hv_store_record_touch(rs->db, rs->source_id, rs->run_id, ext_id);
            if (st != DOM_OK)
                rs->db_st = st;
        }
        goto done;
    }
    rs->fig.pages_fetched++;
    hv_page page = {resp->final_url ? resp->final_url : resp->url, resp->content_type, resp->body,
                    resp->len};
    if (resp->not_modified) {
        rs->fig.pages_not_modified++;
        dom_status st = hv_store_page_get(rs->db, rs->source_id, resp->url, true, &cached);
        if (st != DOM_OK) {
            rs->db_st = st == DOM_NOT_FOUND ? DOM_INTERNAL : st;
            goto done;
        }
        page.content_type = cached.content_type;
        page.body = cached.body;
        page.len = cached.len;
    } else {
        rs->fig.bytes_fetched += (long)resp->len;
        if (!rs->opt->dry_run && (resp->etag || resp->last_modified)) {
            dom_status st = hv_store_page_put(rs->db, rs->source_id, resp->url, resp->etag,
                                              resp->last_modified, resp->content_type, resp->body,
                                              resp->len);
            if (st != DOM_OK)
                rs->db_st = st;
        }
    }
    if (r->role == REQ_LIST)
        handle_list(rs, r, &page);
    else
        handle_detail(rs, r, &page);
done:
    hv_cached_page_clear(&cached);
    req_free(r);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *run_status(const run_state *rs, bool stopped) {
    if (rs->fig.pages_fetched == 0)
        return "failed";
    return rs->errors_total > 0 || rs->incomplete || stopped ? "partial" : "succeeded";
}

static void print_progress(const run_state *rs, const char *status, double seconds) {
    FILE *f = rs->opt->progress;
    if (f == NULL)
        return;
    const hv_run_figures *g = &rs->fig;
    fprintf(f,
            "%s: %s · pages %ld (304 : %ld, en échec : %ld) · fiches %ld : %ld nouvelles, "
            "%ld modifiées, %ld inchangées, %ld disparues, %ld en échec · %ld erreurs · %.1f s\n",
            hv_source_slug(rs->src), status, g->pages_fetched, g->pages_not_modified,
            g->pages_failed, g->records_seen, g->records_new, g->records_updated,
            g->records_unchanged, g->records_gone, g->records_failed, rs->errors_total, seconds);
    fflush(f);
}

dom_status hv_run_source(db_t *db, const hv_source *src, int64_t source_id,
                         const hv_run_options *opt, hv_run_figures *fig, int64_t *run_id) {
    run_state rs = {.db = db, .src = src, .opt = opt, .source_id = source_id, .db_st = DOM_OK};
    json_t *first = NULL;
    double t0 = now_s();
    *run_id = 0;
    rs.visited = json_object();
    rs.seen_ids = json_object();
    rs.errors = json_array();
    if (rs.visited == NULL || rs.seen_ids == NULL || rs.errors == NULL) {
        rs.db_st = DOM_INTERNAL;
        goto done;
    }
    rs.db_st = hv_store_vocabulary(db, &rs.vocab);
    if (rs.db_st == DOM_OK && !opt->dry_run)
        rs.db_st = hv_store_run_start(db, source_id, &rs.run_id);
    if (rs.db_st != DOM_OK)
        goto done;
    hv_fetch_options fo = {
            .user_agent = opt->user_agent,
            /* A dry run asks one page at a time, so that its records come in the order of the
             * site's lists (two detail pages in flight may finish in either order). */
            .max_connections = opt->dry_run ? 1 : hv_source_max_connections(src),
            .delay_ms = opt->delay_ms >= 0 ? opt->delay_ms : hv_source_delay_ms(src),
            .max_body_bytes = hv_source_max_body_bytes(src),
            .timeout_ms = opt->timeout_ms,
            .connect_timeout_ms = opt->timeout_ms < 5000 ? opt->timeout_ms : 5000,
            .max_retries = 3,
            .retry_base_ms = opt->retry_base_ms,
            .obey_robots = true,
    };
    rs.fetcher = hv_fetcher_new(&fo, on_done, &rs);
    first = hv_source_first_pages(src);
    if (rs.fetcher == NULL || first == NULL) {
        rs.db_st = DOM_INTERNAL;
        goto done;
    }
    size_t i;
    json_t *url;
    json_array_foreach(first, i, url) queue_list(&rs, json_string_value(url), 0);
    if (hv_fetcher_run(rs.fetcher) != 0) {
        add_error(&rs, hv_source_homepage(src), "échec interne du client HTTP");
        rs.incomplete = true;
    }
    long requests, bytes;
    hv_fetcher_stats(rs.fetcher, &requests, &bytes);
    if (rs.db_st != DOM_OK || opt->dry_run)
        goto done;
    bool stopped = opt->stop && *opt->stop;
    if (!rs.incomplete && !stopped && rs.fig.pages_fetched > 0)
        rs.db_st = hv_store_mark_missed(db, source_id, rs.run_id, &rs.fig.records_gone);
    const char *status = run_status(&rs, stopped);
    if (rs.db_st == DOM_OK)
        rs.db_st = hv_store_run_finish(db, source_id, rs.run_id, status, &rs.fig, rs.errors);
    print_progress(&rs, status, now_s() - t0);
done:
    if (opt->dry_run && rs.db_st == DOM_OK)
        print_progress(&rs, "essai, rien n'est écrit", now_s() - t0);
    *fig = rs.fig;
    *run_id = rs.run_id;
    hv_fetcher_free(rs.fetcher);
    json_decref(first);
    json_decref(rs.vocab);
    json_decref(rs.visited);
    json_decref(rs.seen_ids);
    json_decref(rs.errors);
    return rs.db_st;
}

static bool env_int(const char *name, int def, int min, int max, int *out, char *err,
                    size_t errlen) {
    const char *v = getenv(name);
    *out = def;
    if (v == NULL || *v == '\0')
        return true;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        snprintf(err, errlen, "%s=%s: expected a number from %d to %d", name, v, min, max);
        return false;
    }
    *out = (int)n;
    return true;
}

bool hv_run_options_env(hv_run_options *opt, char *ua, size_t ualen, volatile sig_atomic_t *stop,
                        char *err, size_t errlen) {
    const char *contact = getenv("SC_HARVEST_CONTACT");
    if (contact == NULL || *contact == '\0')
        contact = "https://socialconnect.fr/sources";
    snprintf(ua, ualen, "SocialConnect-harvester/1.0 (+%s)", contact);
    *opt = (hv_run_options){
            .progress = stdout,
            .records_out = stdout,
            .user_agent = ua,
            .stop = stop,
    };
    if (!env_int("SC_HARVEST_DELAY_MS", -1, -1, 60000, &opt->delay_ms, err, errlen) ||
        !env_int("SC_HARVEST_TIMEOUT_MS", 20000, 100, 600000, &opt->timeout_ms, err, errlen) ||
        !env_int("SC_HARVEST_RETRY_BASE_MS", 500, 1, 60000, &opt->retry_base_ms, err, errlen))
        return false;
    opt->geocache = json_object();
    if (opt->geocache == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

bool hv_run_delay_allowed(const hv_source *src, const hv_run_options *opt) {
    return opt->delay_ms != 0 || hv_source_is_loopback(src);
}

static const char *db_reason(dom_status st) {
    return st == DOM_UNAVAILABLE ? "PostgreSQL cannot be reached" : "database error (see log)";
}

int hv_run_stored(db_t *db, const char *slug, const hv_run_options *opt, int64_t *run_id) {
    int64_t source_id;
    char *doc = NULL, err[HV_ERR_MAX];
    hv_source *src = NULL;
    hv_run_figures fig;
    int rc = 1;
    *run_id = 0;
    dom_status st = hv_store_source_get(db, slug, &source_id, &doc);
    if (st == DOM_NOT_FOUND) {
        fprintf(stderr, "%s: no such source (load its document first)\n", slug);
        goto done;
    }
    if (st != DOM_OK) {
        fprintf(stderr, "%s: %s\n", slug, db_reason(st));
        rc = 3;
        goto done;
    }
    if (hv_source_parse(doc, strlen(doc), &src, err) != 0) {
        fprintf(stderr, "%s: stored document invalid: %s\n", slug, err);
        goto done;
    }
    if (!hv_run_delay_allowed(src, opt)) {
        fprintf(stderr,
                "%s: SC_HARVEST_DELAY_MS=0 is allowed only for a source on this machine "
                "(localhost, 127.0.0.1, [::1]), not for %s\n",
                slug, hv_source_homepage(src));
        goto done;
    }
    st = hv_run_source(db, src, source_id, opt, &fig, run_id);
    if (st != DOM_OK) {
        fprintf(stderr, "%s: %s\n", slug, db_reason(st));
        rc = 3;
        goto done;
    }
    rc = fig.pages_fetched > 0 ? 0 : 1;
done:
    hv_source_free(src);
    free(doc);
    return rc;
}
