/*
 * SQLite's own limit for inserting interactions into Lectern's schema: the rows of an
 * interactions CSV are parsed and resolved to ids first (not timed), then inserted with one
 * prepared statement in one transaction (timed), with the pragmas Lectern uses.
 *
 *   cc -O2 -o import_limit import_limit.c -lsqlite3
 *   ./import_limit DB INTERACTIONS.csv     (DB already holds the creators, courses and users)
 *
 * With LIMIT_BULK=1 in the environment it loads as `lectern import` does a bulk load: the page
 * cache raised to LIMIT_CACHE_MIB (default 2048), interactions_by_course dropped inside the
 * transaction and built again before the commit (timed too); LIMIT_KEEP_INDEXES=1 keeps it (the
 * big cache alone), LIMIT_DEFER=NAME defers another index instead.
 *
 * Prints one line: "rows=N seconds=S rows_per_second=R".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { char *key; long long id; long long price; } Entry;
typedef struct { long long user, course; const char *kind; long long value; int has_value;
                 char *channel; long long at; char *key; } Row;

static int by_key(const void *a, const void *b) { return strcmp(((const Entry *)a)->key, ((const Entry *)b)->key); }

static Entry *load(sqlite3 *db, const char *sql, size_t *count) {
    sqlite3_stmt *s; size_t cap = 1024, n = 0; Entry *out = malloc(cap * sizeof(Entry));
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); exit(1); }
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) { cap *= 2; out = realloc(out, cap * sizeof(Entry)); }
        out[n].key = strdup((const char *)sqlite3_column_text(s, 0));
        out[n].id = sqlite3_column_int64(s, 1);
        out[n].price = sqlite3_column_count(s) > 2 ? sqlite3_column_int64(s, 2) : 0;
        n++;
    }
    sqlite3_finalize(s);
    qsort(out, n, sizeof(Entry), by_key);
    *count = n;
    return out;
}

static Entry *find(Entry *table, size_t n, char *key) {
    Entry probe = { key, 0, 0 };
    return bsearch(&probe, table, n, sizeof(Entry), by_key);
}

/* ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ) to Unix seconds. */
static long long parse_time(const char *t) {
    int y, m, d, H = 0, M = 0, S = 0;
    sscanf(t, "%d-%d-%dT%d:%d:%d", &y, &m, &d, &H, &M, &S);
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400 + H * 3600 + M * 60 + S;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s DB INTERACTIONS.csv\n", argv[0]); return 2; }
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    sqlite3_exec(db, "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA cache_size=-65536;", 0, 0, 0);
    int bulk = getenv("LIMIT_BULK") && !strcmp(getenv("LIMIT_BULK"), "1");
    char index_sql[1024] = "", defer_name[256] = "", drop[300];
    if (bulk) {
        char pragma[128];
        snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%lld;",
                 (getenv("LIMIT_CACHE_MIB") ? atoll(getenv("LIMIT_CACHE_MIB")) : 2048) * 1024);
        sqlite3_exec(db, pragma, 0, 0, 0);
        sqlite3_stmt *s;
        const char *deferred = getenv("LIMIT_DEFER") ? getenv("LIMIT_DEFER") : "interactions_by_course";
        snprintf(defer_name, sizeof defer_name, "%s", deferred);
        sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = ?", -1, &s, NULL);
        sqlite3_bind_text(s, 1, defer_name, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) snprintf(index_sql, sizeof index_sql, "%s", sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    size_t users_n, courses_n;
    Entry *users = load(db, "SELECT external_id, id FROM users", &users_n);
    Entry *courses = load(db, "SELECT slug, id, price_minor FROM courses", &courses_n);

    FILE *f = fopen(argv[2], "r");
    if (!f) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
    size_t cap = 1 << 16, n = 0; Row *rows = malloc(cap * sizeof(Row));
    char line[4096];
    if (!fgets(line, sizeof line, f)) return 1;  /* header: user,course,kind,value,channel,occurred_at,key */
    static const char *kinds[] = { "view", "wishlist", "enroll", "purchase", "complete", "rate", "refund" };
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *field[7]; int k = 0; char *p = line;
        for (; k < 7; k++) { field[k] = p; char *c = strchr(p, ','); if (!c) { k++; break; } *c = 0; p = c + 1; }
        if (k < 7) continue;
        if (n == cap) { cap *= 2; rows = realloc(rows, cap * sizeof(Row)); }
        Entry *u = find(users, users_n, field[0]), *c = find(courses, courses_n, field[1]);
        if (!u || !c) { fprintf(stderr, "unknown user or course on row %zu\n", n + 2); return 1; }
        Row *r = &rows[n++];
        r->user = u->id; r->course = c->id; r->kind = NULL;
        for (int i = 0; i < 7; i++) if (!strcmp(field[2], kinds[i])) r->kind = kinds[i];
        r->has_value = field[3][0] != 0; r->value = r->has_value ? atoll(field[3]) : 0;
        if (!r->has_value && !strcmp(field[2], "purchase")) { r->has_value = 1; r->value = c->price; }
        r->channel = field[4][0] ? strdup(field[4]) : NULL;
        r->at = parse_time(field[5]);
        r->key = field[6][0] ? strdup(field[6]) : NULL;
    }
    fclose(f);

    sqlite3_stmt *insert;
    const char *sql =
        "INSERT INTO interactions (user_id, course_id, kind, value, channel, occurred_at, idempotency_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
    if (sqlite3_prepare_v2(db, sql, -1, &insert, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
    if (bulk && getenv("LIMIT_KEEP_INDEXES")) index_sql[0] = 0;  /* the big cache alone */
    if (bulk && index_sql[0]) {
        snprintf(drop, sizeof drop, "DROP INDEX %s", defer_name);
        sqlite3_exec(db, drop, 0, 0, 0);
    }
    for (size_t i = 0; i < n; i++) {
        Row *r = &rows[i];
        sqlite3_bind_int64(insert, 1, r->user);
        sqlite3_bind_int64(insert, 2, r->course);
        sqlite3_bind_text(insert, 3, r->kind, -1, SQLITE_STATIC);
        if (r->has_value) sqlite3_bind_int64(insert, 4, r->value); else sqlite3_bind_null(insert, 4);
        if (r->channel) sqlite3_bind_text(insert, 5, r->channel, -1, SQLITE_STATIC); else sqlite3_bind_null(insert, 5);
        sqlite3_bind_int64(insert, 6, r->at);
        if (r->key) sqlite3_bind_text(insert, 7, r->key, -1, SQLITE_STATIC); else sqlite3_bind_null(insert, 7);
        if (sqlite3_step(insert) != SQLITE_DONE) { fprintf(stderr, "row %zu: %s\n", i + 2, sqlite3_errmsg(db)); return 1; }
        sqlite3_reset(insert);
    }
    if (bulk && index_sql[0] && sqlite3_exec(db, index_sql, 0, 0, 0) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1;
    }
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("rows=%zu seconds=%.3f rows_per_second=%.0f\n", n, seconds, n / seconds);
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return 0;
}
