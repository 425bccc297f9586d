#ifndef LECTERN_CSQLITE_SHIM_H
#define LECTERN_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <time.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type lectern_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_db_config is variadic; Swift imports no C variadic function.
static inline int lectern_sqlite_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

// A busy handler that retries every millisecond until `*timeout_ms` tries (about that many
// milliseconds) have passed. SQLite's own sleeps up to 100 ms between tries, so a writer that
// releases the lock for a moment between short transactions (a training writing its cache) would
// keep it from a waiting process almost every time; polling each millisecond catches the gap.
static inline int lectern_busy_retry(void *context, int count) {
    if (count >= *(const int *)context) return 0;
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, 0);
    return 1;
}

static inline int lectern_sqlite_busy_retry(sqlite3 *db, int *timeout_ms) {
    return sqlite3_busy_handler(db, lectern_busy_retry, timeout_ms);
}

#endif
