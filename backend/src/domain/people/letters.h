/* letters: the French text of the e-mails accounts cause. Each function writes a subject and a
 * plain-text body into caller-owned buffers (capped); links are public_url + a path + a token. */
#ifndef SC_LETTERS_H
#define SC_LETTERS_H

#include "core/buf.h"

typedef enum letter_kind {
    LETTER_VERIFY,       /* confirm the address of a new account */
    LETTER_ALREADY,      /* someone signed up with an address that has an account */
    LETTER_RESET,        /* a password reset link */
    LETTER_EMAIL_CHANGE, /* confirm a new address */
    LETTER_EMAIL_NOTICE, /* to the old address: a change was asked */
} letter_kind;

/* The outbox kind of a letter ("verify", "reset"…). */
const char *letter_name(letter_kind k);

/* Writes the letter. token may be NULL for letters without a link. False when a buffer's cap is
 * reached. */
bool letter_write(letter_kind k, const char *public_url, const char *token, buf_t *subject,
                  buf_t *body) MUST_CHECK;

#endif
