/* config: the program's settings, read once from the environment at start-up.
 *
 * Every setting has a default that suits `make run`; README.md lists them. */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include "core/common.h"

typedef struct cfg {
    char fcgi_socket[256]; /* SC_FCGI_SOCKET: a unix socket path, or ":PORT" / "HOST:PORT" */
    int workers;           /* SC_WORKERS: worker processes; default 2 x online cores */
    char pg_dsn[512];      /* SC_PG_DSN: a libpq connection string */
    char redis_host[128];  /* SC_REDIS_HOST */
    int redis_port;        /* SC_REDIS_PORT */
    int redis_timeout_ms;  /* SC_REDIS_TIMEOUT_MS: connect and command timeout */
    long max_body;         /* SC_MAX_BODY: largest accepted request body, bytes */
    int cache_ttl_s;       /* SC_CACHE_TTL: seconds a cached response lives */
    int shutdown_grace_s;  /* SC_SHUTDOWN_GRACE: seconds workers get to finish on SIGTERM */
    /* SC_PUBLIC_URL: the site's address as people reach it ("https://socialconnect.fr"), for the
     * links of e-mails; its scheme, host and port are the origin that writes must come from. */
    char public_url[256];
    char public_origin[256]; /* derived from public_url: "https://socialconnect.fr" */
    bool cookie_secure;      /* SC_COOKIE_SECURE (1): Secure and __Host- session cookie */
    int hash_concurrency;    /* SC_HASH_CONCURRENCY (1): password hashes computed at once */
    bool rate_limits;        /* SC_RATE_LIMITS (1): 0 only for benchmarks of log-ins */
    int export_concurrency;  /* SC_EXPORT_CONCURRENCY (2): search exports streamed at once */
    /* SC_SECRET_KEY: the key that signs links sent by e-mail (alert unsubscribe). Required, at
     * least 16 bytes: there is no default, since a default key would be known to everyone. */
    char secret_key[256];
    /* Quotas of the public GETs (docs/api.md, "API keys and quotas"): requests per minute and per
     * day for a request with an API key (unless the key has its own), and for a client address
     * without a key. SC_QUOTAS=0 turns them off; SC_QUOTA_EXEMPT lists addresses (exact text,
     * comma-separated) whose requests without a key are not limited (monitoring, benchmarks). */
    bool quotas;          /* SC_QUOTAS (1) */
    int quota_key_minute; /* SC_QUOTA_KEY_MINUTE (600) */
    int quota_key_day;    /* SC_QUOTA_KEY_DAY (100000) */
    int quota_ip_minute;  /* SC_QUOTA_IP_MINUTE (300) */
    int quota_ip_day;     /* SC_QUOTA_IP_DAY (20000) */
    char quota_exempt[256];
} cfg_t;

/* Fills cfg from the environment. Returns false and writes a message to err when a variable is
 * set to something unusable (the program then refuses to start rather than guess). */
bool cfg_from_env(cfg_t *cfg, char *err, size_t errlen) MUST_CHECK;

#endif
