/* libFuzzer target: fetched pages are hostile input. A fixed source document reads arbitrary
 * bytes as a list page and as a detail page, then finishes every record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/extract.h"
#include "harvest/source_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
        "{\"slug\": \"fuzz\", \"name\": \"Fuzz\", \"homepage\": \"https://e.org/\", \"kind\": "
        "\"html\", \"start_urls\": [\"list?page=0\"], \"pagination\": {\"next\": "
        "\"//a[@rel='next']/@href\"}, \"items\": \"//div[contains(@class,'item')] | //li\","
        " \"detail\": {\"link\": \".//a/@href\"},"
        " \"fields\": {\"title\": {\"path\": \".//h2 | .//a\", \"transforms\": [\"strip_html\","
        " \"collapse\"]},"
        " \"url\": {\"path\": \".//a/@href\", \"transforms\": [\"absolute_url\"]},"
        " \"tags\": {\"path\": \".//span\", \"multiple\": true, \"transforms\": [{\"split\": "
        "\",\"}, \"lower\"]},"
        " \"themes\": {\"path\": \".//em\", \"multiple\": true, \"map\": \"themes\"},"
        " \"summary\": {\"path\": \"//p\", \"from\": \"detail\", \"transforms\": [{\"replace\": "
        "[\"&\", \" et \"]}]},"
        " \"description\": {\"path\": \"//body\", \"from\": \"detail\"},"
        " \"start_year\": {\"path\": \"//time\", \"from\": \"detail\", \"transforms\": "
        "[{\"date\": \"auto\"}]},"
        " \"postcode\": {\"path\": \"//address\", \"from\": \"detail\", \"transforms\": "
        "[{\"regex\": \"([0-9]{5})\"}]},"
        " \"lat\": {\"path\": \"//@data-lat\", \"from\": \"detail\"},"
        " \"lon\": {\"path\": \"//@data-lon\", \"from\": \"detail\"}},"
        " \"maps\": {\"themes\": {\"Emploi\": \"EMP\", \"Santé\": \"SAN\", \"Insertion\": "
        "\"ACE\"}}}";

static hv_source *src;
static json_t *vocab;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[HV_ERR_MAX];
    if (src == NULL) {
        if (hv_source_parse(DOC, strlen(DOC), &src, err) != 0)
            abort();
        vocab = json_pack("{s:[ss], s:[s]}", "theme", "EMP", "SAN", "subtheme", "ACE");
    }
    /* The first byte picks the declared charset, so every decoder is exercised. */
    static const char *const types[] = {NULL, "text/html; charset=utf-8",
                                        "text/html; charset=iso-8859-1",
                                        "text/html; "
                                        "charset=windows-1252"};
    const char *ctype = size > 0 ? types[data[0] % 4] : NULL;
    hv_page page = {
            .url = "https://e.org/list?page=0", .content_type = ctype, .body = data, .len = size};
    json_t *list = NULL;
    if (hv_extract_list(src, &page, &list, err) == 0) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(list, "items"), i, item) {
            if (!json_is_string(json_object_get(item, "external_id")))
                abort();
            json_t *fields = json_deep_copy(json_object_get(item, "fields"));
            if (hv_record_finish(src, vocab, fields, err) == 0 &&
                !json_is_string(json_object_get(fields, "title")))
                abort();
            json_decref(fields);
        }
        json_decref(list);
    }
    json_t *detail = NULL;
    if (hv_extract_detail(src, &page, &detail, err) == 0) {
        json_t *fields = json_object_get(detail, "fields");
        json_object_set_new(fields, "title", json_string("Titre"));
        if (hv_record_finish(src, vocab, fields, err) != 0)
            abort();
        json_decref(detail);
    }
    return 0;
}
