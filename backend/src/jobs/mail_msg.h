/* mail_msg: an e-mail as the bytes an SMTP server receives after DATA (RFC 5322, MIME).
 *
 * Every line ends with CRLF and is at most 78 characters (headers are folded, the body is
 * quoted-printable), so a message is accepted by any server whatever its text. A line of the body
 * never starts with a dot (written =2E), so the message means the same with or without the SMTP
 * transparency rule applied by the sender (libcurl applies it). Header values from data are
 * refused when they hold a CR, an LF or another control character: nothing in a subject or an
 * extra header can add a header of its own (header injection). */
#ifndef SC_MAIL_MSG_H
#define SC_MAIL_MSG_H

#include <jansson.h>
#include <time.h>

#include "core/buf.h"

#define MAIL_ADDR_MAX 254     /* RFC 5321 path limit */
#define MAIL_MSG_MAX  1048576 /* bytes of a formatted message */

/* A message to format. Every pointer is borrowed. */
typedef struct mail_msg {
    const char *from_name;  /* display name, UTF-8, may be NULL or "" */
    const char *from_addr;  /* checked by mail_addr_ok */
    const char *to;         /* checked by mail_addr_ok */
    const char *subject;    /* UTF-8, no control characters */
    const char *body;       /* UTF-8 text, lines ending with LF or CRLF */
    const char *message_id; /* "<local@domain>", printable ASCII */
    time_t date;
    const json_t *headers; /* extra headers {"Name": "value"} (printable ASCII), or NULL */
} mail_msg_t;

/* An address we send to: printable ASCII without spaces, quotes, angle brackets or control
 * characters, one @ with text on both sides, at most MAIL_ADDR_MAX bytes. Stricter than RFC 5321
 * on purpose: what passes here cannot change the meaning of an SMTP command or a header. */
bool mail_addr_ok(const char *addr);

/* Splits "Name <addr>" or "addr" into its parts (name[namelen], addr[MAIL_ADDR_MAX + 1]). False
 * when the address is not mail_addr_ok, the name holds a control character or does not fit. */
bool mail_from_parse(const char *from, char *name, size_t namelen,
                     char addr[MAIL_ADDR_MAX + 1]) MUST_CHECK;

/* Appends the whole message to out (its cap bounds the size). False with a reason in err when a
 * field is refused (see above) or out's cap is reached. */
bool mail_msg_format(const mail_msg_t *m, buf_t *out, char *err, size_t errlen) MUST_CHECK;

/* Appends value as one or more RFC 2047 encoded words ("=?UTF-8?B?…?=", never cutting a UTF-8
 * sequence), separated by CRLF SP (folding), each line at most 76 characters given that
 * first_line_used characters ("Subject: ") precede the first word. Pure printable ASCII short
 * enough is appended as it is. Exposed for the tests. */
bool mail_encode_words(buf_t *out, const char *value, size_t first_line_used) MUST_CHECK;

#endif
