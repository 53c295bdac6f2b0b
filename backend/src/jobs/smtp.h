/* smtp: hands one formatted message to the configured SMTP server with libcurl.
 *
 * Configuration from the environment (README.md): SC_SMTP_URL (smtp://host:port or
 * smtps://host:port), SC_SMTP_STARTTLS (require | none; require unless the host is a loopback
 * address), SC_SMTP_USER, SC_SMTP_PASSWORD, SC_MAIL_FROM. The libcurl handle is kept from one
 * message to the next, so consecutive messages share one connection. */
#ifndef SC_SMTP_H
#define SC_SMTP_H

#include "core/common.h"
#include "jobs/mail_msg.h"

#define SMTP_ERR_MAX 300

typedef struct smtp smtp_t;

/* Reads the configuration. Returns NULL with a message in err when a variable is unusable (or
 * memory runs out). Free with smtp_close. */
smtp_t *smtp_open(char *err, size_t errlen);
void smtp_close(smtp_t *s);

/* The sender, as parsed from SC_MAIL_FROM: display name (may be "") and address. Owned by s. */
const char *smtp_from_name(const smtp_t *s);
const char *smtp_from_addr(const smtp_t *s);
/* The domain of the sender's address, for Message-IDs. Owned by s. */
const char *smtp_domain(const smtp_t *s);

typedef enum smtp_result {
    SMTP_SENT = 0,
    SMTP_RETRY,     /* the server or the network failed for now: try again later */
    SMTP_PERMANENT, /* the server refused the recipient or the message (5xx): do not retry */
} smtp_result;

/* Sends the len bytes of msg (a mail_msg_format result) to the address to. On anything but
 * SMTP_SENT, err says why (with the server's reply code when there was one). */
smtp_result smtp_send(smtp_t *s, const char *to, const char *msg, size_t len, char *err,
                      size_t errlen) MUST_CHECK;

#endif
