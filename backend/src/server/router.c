#include "server/router.h"

#include <string.h>

/* Matches one pattern against a path; fills m->params on success. */
static bool pattern_match(const char *pat, const char *path, route_match_t *m) {
    m->nparams = 0;
    while (*pat && *path) {
        if (*pat != '/' || *path != '/')
            return false;
        pat++;
        path++;
        const char *pend = strchr(pat, '/');
        const char *send = strchr(path, '/');
        size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
        size_t slen = send ? (size_t)(send - path) : strlen(path);
        if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
            if (slen == 0 || m->nparams == ROUTER_MAX_PARAMS)
                return false;
            route_param_t *p = &m->params[m->nparams++];
            p->name = pat + 1;
            p->name_len = plen - 2;
            p->value = path;
            p->value_len = slen;
        } else if (plen != slen || memcmp(pat, path, plen) != 0) {
            return false;
        }
        pat += plen;
        path += slen;
    }
    return *pat == '\0' && *path == '\0';
}

static void allow_add(char *allow, const char *method) {
    if (strstr(allow, method) != NULL)
        return;
    size_t used = strlen(allow);
    size_t need = strlen(method) + (used ? 2 : 0);
    if (used + need >= ROUTER_ALLOW_LEN)
        return;
    if (used)
        strcat(allow, ", ");
    strcat(allow, method);
}

router_result router_match(const route_t *routes, size_t nroutes, const char *method,
                           const char *path, route_match_t *m) {
    bool path_known = false;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    route_match_t probe;
    m->route = NULL;
    m->nparams = 0;
    m->allow[0] = '\0';
    for (size_t i = 0; i < nroutes; i++) {
        if (!pattern_match(routes[i].pattern, path, &probe))
            continue;
        path_known = true;
        allow_add(m->allow, routes[i].method);
        if (m->route == NULL && strcmp(routes[i].method, want) == 0) {
            char allow[ROUTER_ALLOW_LEN];
            memcpy(allow, m->allow, sizeof allow);
            *m = probe;
            m->route = &routes[i];
            memcpy(m->allow, allow, sizeof allow);
        }
    }
    if (m->route)
        return ROUTER_FOUND;
    return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

bool router_param(const route_match_t *m, const char *name, char *out, size_t outlen) {
    size_t nlen = strlen(name);
    for (size_t i = 0; i < m->nparams; i++) {
        const route_param_t *p = &m->params[i];
        if (p->name_len != nlen || memcmp(p->name, name, nlen) != 0)
            continue;
        if (p->value_len >= outlen)
            return false;
        memcpy(out, p->value, p->value_len);
        out[p->value_len] = '\0';
        return true;
    }
    return false;
}
