/* libFuzzer target: cursors received from clients. A cursor that decodes must encode back to the
 * very same text (one text per position), so nothing but what the API produced is accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char text[CURSOR_TEXT_MAX + 8];
    char again[CURSOR_TEXT_MAX];
    cursor_t c;
    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (!cursor_decode(text, &c))
        return 0;
    if (!cursor_encode(&c, again, sizeof again) || strcmp(again, text) != 0)
        abort();
    return 0;
}
