#include "domain/status.h"

dom_status dom_from_db(db_status st) {
    switch (st) {
    case DB_OK:
        return DOM_OK;
    case DB_UNAVAILABLE:
        return DOM_UNAVAILABLE;
    default:
        return DOM_INTERNAL;
    }
}

const char *dom_status_text(dom_status st) {
    switch (st) {
    case DOM_OK:
        return "ok";
    case DOM_NOT_FOUND:
        return "not found";
    case DOM_UNAVAILABLE:
        return "PostgreSQL cannot be reached";
    default:
        return "database error (see log)";
    }
}
