/* libFuzzer target: the JSON body of a write (http/body.c), as every account and personal endpoint
 * reads it. The input is the body; the field list holds every kind of field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const choices[] = {"private", "public", NULL};
static const body_field_t fields[] = {
        {"title", BODY_STR, false, 0, 120, NULL},
        {"description", BODY_TEXT, false, 0, 2000, NULL},
        {"password", BODY_SECRET, false, 0, 1000, NULL},
        {"version", BODY_INT, false, 1, 2147483647, NULL},
        {"visibility", BODY_ENUM, false, 0, 0, choices},
        {"params", BODY_OBJECT, false, 0, 0, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

/* What the handlers rely on after a successful parse. */
static void check_parsed(const json_t *obj) {
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        abort();
    json_object_foreach((json_t *)obj, key, v) {
        const body_field_t *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name == NULL) /* only listed fields */
            abort();
        switch (f->kind) {
        case BODY_STR:
        case BODY_TEXT:
        case BODY_SECRET: {
            size_t start, len;
            /* A string kept is valid for its kind, already trimmed, and holds no NUL. */
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
                !body_check_text(json_string_value(v), f->kind, f->max, &start, &len) ||
                start != 0 || len != json_string_length(v))
                abort();
            break;
        }
        case BODY_INT:
            if (!json_is_integer(v) || json_integer_value(v) < f->min ||
                json_integer_value(v) > f->max)
                abort();
            break;
        case BODY_ENUM:
            if (!json_is_string(v))
                abort();
            break;
        case BODY_OBJECT:
            if (!json_is_object(v))
                abort();
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    req_t *req = calloc(1, sizeof *req);
    resp_t resp;
    json_t *out = NULL;
    if (req == NULL)
        return 0;
    buf_init(&req->body, 1 << 20);
    strcpy(req->method, "POST");
    strcpy(req->content_type, "application/json; charset=utf-8");
    resp_init(&resp, 1 << 16);
    if (buf_append(&req->body, (const char *)data, size)) {
        if (body_parse(req, &resp, fields, 4096, &out)) {
            check_parsed(out);
        } else {
            /* A refusal is one of the API's errors, never a success without an object. */
            if (out != NULL || (resp.status != 400 && resp.status != 413 && resp.status != 415))
                abort();
        }
    }
    json_decref(out);
    resp_free(&resp);
    buf_free(&req->body);
    free(req);
    return 0;
}
