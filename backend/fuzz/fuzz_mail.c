/* libFuzzer target: the unsubscribe token received from anyone (GET/POST
 * /api/v1/alerts/unsubscribe) and the formatting of messages whose subject, recipient and body
 * come from data. A token verifies only when it is exactly the one made for its id; a formatted
 * message has CRLF line ends only, and a subject or recipient with a line break is refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/alert_token.h"
#include "jobs/mail_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "fuzz-secret-key-0123456789";

static void check_token(const char *text) {
    int64_t id;
    char again[ALERT_TOKEN_LEN];
    if (!alert_token_check(key, strlen(key), text, &id))
        return;
    if (!alert_token_make(key, strlen(key), id, again) || strcmp(again, text) != 0)
        abort();
}

/* Input: three NUL-separated fields, subject, recipient and body. */
static void check_message(const char *text, size_t size) {
    const char *f[3] = {"", "", ""};
    size_t n = 0;
    for (size_t i = 0; n < 3; n++) {
        f[n] = text + i;
        i += strlen(text + i) + 1;
        if (i > size)
            break;
    }
    mail_msg_t m = {.from_name = "SocialConnect",
                    .from_addr = "no-reply@socialconnect.local",
                    .subject = f[0],
                    .to = f[1],
                    .body = f[2],
                    .message_id = "<outbox-1@socialconnect.local>",
                    .date = 0};
    buf_t out;
    char err[200];
    buf_init(&out, MAIL_MSG_MAX);
    if (mail_msg_format(&m, &out, err, sizeof err)) {
        if (strpbrk(f[0], "\r\n") || strpbrk(f[1], "\r\n"))
            abort();
        for (size_t i = 0; i < out.len; i++) {
            if (out.data[i] == '\n' && (i == 0 || out.data[i - 1] != '\r'))
                abort();
            if (out.data[i] == '\r' && out.data[i + 1] != '\n')
                abort();
            if (out.data[i] == '\n' && out.data[i + 1] == '.')
                abort();
        }
    }
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_token(text);
    check_message(text, size);
    free(text);
    return 0;
}
