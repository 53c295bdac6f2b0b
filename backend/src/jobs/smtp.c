#include "jobs/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FROM "SocialConnect <no-reply@socialconnect.local>"

struct smtp {
    CURL *curl; /* owned; kept between messages for its connection */
    char url[512];
    bool starttls;
    char user[256], password[256];
    char from_name[256];
    char from_addr[MAIL_ADDR_MAX + 1];
};

/* What the read callback hands to libcurl: the message, from pos on. */
typedef struct upload {
    const char *data;
    size_t len, pos;
} upload_t;

static bool env_copy(const char *name, char *out, size_t outlen, char *err, size_t errlen) {
    const char *v = getenv(name);
    if (v == NULL)
        v = "";
    if (strlen(v) >= outlen) {
        snprintf(err, errlen, "%s is too long (at most %zu bytes)", name, outlen - 1);
        return false;
    }
    memcpy(out, v, strlen(v) + 1);
    return true;
}

/* The host of an smtp:// or smtps:// URL is a loopback address: a local sink, where STARTTLS is
 * not offered and nothing leaves the machine. */
static bool loopback_url(const char *url) {
    const char *p = strstr(url, "://");
    if (p == NULL)
        return false;
    p += 3;
    return strncmp(p, "127.", 4) == 0 || strncmp(p, "localhost", 9) == 0 ||
           strncmp(p, "[::1]", 5) == 0;
}

smtp_t *smtp_open(char *err, size_t errlen) {
    smtp_t *s = calloc(1, sizeof *s);
    char from[512], tls[16];
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!env_copy("SC_SMTP_URL", s->url, sizeof s->url, err, errlen) ||
        !env_copy("SC_SMTP_USER", s->user, sizeof s->user, err, errlen) ||
        !env_copy("SC_SMTP_PASSWORD", s->password, sizeof s->password, err, errlen) ||
        !env_copy("SC_MAIL_FROM", from, sizeof from, err, errlen) ||
        !env_copy("SC_SMTP_STARTTLS", tls, sizeof tls, err, errlen))
        goto failed;
    if (s->url[0] == '\0')
        snprintf(s->url, sizeof s->url, "smtp://127.0.0.1:8025");
    if (strncmp(s->url, "smtp://", 7) != 0 && strncmp(s->url, "smtps://", 8) != 0) {
        snprintf(err, errlen, "SC_SMTP_URL must start with smtp:// or smtps://");
        goto failed;
    }
    if (tls[0] == '\0')
        s->starttls = !loopback_url(s->url);
    else if (strcmp(tls, "require") == 0 || strcmp(tls, "none") == 0)
        s->starttls = strcmp(tls, "require") == 0;
    else {
        snprintf(err, errlen, "SC_SMTP_STARTTLS must be require or none");
        goto failed;
    }
    if (!mail_from_parse(from[0] ? from : DEFAULT_FROM, s->from_name, sizeof s->from_name,
                         s->from_addr)) {
        snprintf(err, errlen, "SC_MAIL_FROM must be an address or \"Name <address>\"");
        goto failed;
    }
    s->curl = curl_easy_init();
    if (s->curl == NULL) {
        snprintf(err, errlen, "libcurl cannot be initialised");
        goto failed;
    }
    return s;

failed:
    smtp_close(s);
    return NULL;
}

void smtp_close(smtp_t *s) {
    if (s == NULL)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s);
}

const char *smtp_from_name(const smtp_t *s) {
    return s->from_name;
}

const char *smtp_from_addr(const smtp_t *s) {
    return s->from_addr;
}

const char *smtp_domain(const smtp_t *s) {
    return strchr(s->from_addr, '@') + 1; /* mail_addr_ok checked there is one */
}

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userdata) {
    upload_t *u = userdata;
    size_t room = size * nmemb, left = u->len - u->pos;
    size_t n = left < room ? left : room;
    memcpy(ptr, u->data + u->pos, n);
    u->pos += n;
    return n;
}

smtp_result smtp_send(smtp_t *s, const char *to, const char *msg, size_t len, char *err,
                      size_t errlen) {
    char curl_err[CURL_ERROR_SIZE] = "";
    upload_t up = {.data = msg, .len = len, .pos = 0};
    struct curl_slist *rcpt = NULL;
    smtp_result res = SMTP_RETRY;
    CURL *c = s->curl;
    if (!mail_addr_ok(to)) {
        snprintf(err, errlen, "invalid recipient address");
        return SMTP_PERMANENT;
    }
    rcpt = curl_slist_append(NULL, to);
    if (rcpt == NULL) {
        snprintf(err, errlen, "out of memory");
        return SMTP_RETRY;
    }
    /* Reset keeps the connection cache: the next message reuses the connection. */
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from_addr);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    if (s->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (s->user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
    }
    CURLcode rc = curl_easy_perform(c);
    long fresh = 1;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &fresh);
    if (rc != CURLE_OK && fresh == 0) {
        /* The kept connection had been closed by the server while idle (a "421 timeout" at the
         * next command, or a reset), which servers do after a minute or a few: the message is
         * sent again at once on a new connection rather than after the back-off. Had the server
         * accepted it before the failure, the stable Message-ID lets receivers drop the copy. */
        up.pos = 0;
        curl_err[0] = '\0';
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        rc = curl_easy_perform(c);
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        res = SMTP_SENT;
    } else {
        /* 550/551/553 refuse the mailbox, 552/554 the message: retrying changes nothing. Any
         * other failure (connection, 4xx, authentication) may pass later. */
        res = code == 550 || code == 551 || code == 552 || code == 553 || code == 554
                      ? SMTP_PERMANENT
                      : SMTP_RETRY;
        snprintf(err, errlen, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), curl_err[0] ? ": " : "",
                 curl_err, code);
    }
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL); /* curl_err is about to go out of scope */
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpt);
    return res;
}
