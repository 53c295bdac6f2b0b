#include "server/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char fallback_error[] =
        "{\"error\":{\"code\":\"internal\",\"message\":\"Erreur interne du serveur.\"}}";

void resp_init(resp_t *resp, size_t max_body) {
    resp->status = 500;
    resp->content_type = "application/json; charset=utf-8";
    buf_init(&resp->body, max_body);
    resp->nheaders = 0;
    resp->etag[0] = '\0';
    resp->cache = "none";
    resp->stream = (resp_stream_t){NULL, NULL, NULL};
}

void resp_free(resp_t *resp) {
    buf_free(&resp->body);
    if (resp->stream.release)
        resp->stream.release(resp->stream.ctx);
    resp->stream = (resp_stream_t){NULL, NULL, NULL};
}

void resp_stream(resp_t *resp, const char *content_type, resp_stream_t stream) {
    if (resp->stream.release)
        resp->stream.release(resp->stream.ctx);
    buf_reset(&resp->body);
    resp->status = 200;
    resp->content_type = content_type;
    resp->stream = stream;
}

bool resp_header(resp_t *resp, const char *name, const char *value) {
    if (resp->nheaders == RESP_MAX_HEADERS || strlen(name) >= sizeof resp->headers[0].name ||
        strlen(value) >= sizeof resp->headers[0].value)
        return false;
    resp_header_t *h = &resp->headers[resp->nheaders++];
    memcpy(h->name, name, strlen(name) + 1);
    memcpy(h->value, value, strlen(value) + 1);
    return true;
}

static void resp_set_fallback(resp_t *resp) {
    resp->status = 500;
    resp->content_type = "application/json; charset=utf-8";
    buf_reset(&resp->body);
    if (!buf_append(&resp->body, fallback_error, sizeof fallback_error - 1))
        buf_reset(&resp->body);
}

static int dump_cb(const char *chunk, size_t n, void *data) {
    return buf_append(data, chunk, n) ? 0 : -1;
}

void resp_json(resp_t *resp, int status, json_t *body) {
    buf_reset(&resp->body);
    if (body == NULL || json_dump_callback(body, dump_cb, &resp->body,
                                           JSON_COMPACT | JSON_REAL_PRECISION(10)) != 0) {
        json_decref(body);
        resp_set_fallback(resp);
        return;
    }
    json_decref(body);
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
}

void resp_raw(resp_t *resp, int status, const char *content_type, const char *body, size_t len) {
    buf_reset(&resp->body);
    if (!buf_append(&resp->body, body, len)) {
        resp_set_fallback(resp);
        return;
    }
    resp->status = status;
    resp->content_type = content_type;
}

void resp_error(resp_t *resp, int status, const char *code, const char *message,
                const char *field) {
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (err && field)
        json_object_set_new(err, "field", json_string(field));
    resp_json(resp, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

const char *resp_reason(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}
