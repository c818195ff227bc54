/* The canonical-cell test of regkit's CSV fast path, compiled (make setup builds it into
 * _cells.so beside this file; without it the same test runs as SQL inside DuckDB).
 *
 * One pass over a UTF-8 CSV file (RFC 4180: ',' between cells, '"' quotes, '""' inside quotes)
 * that finds the data rows with a cell not in canonical form for its column. It may be stricter
 * than the SQL test of regkit.check.accept (a row it refuses goes to the Python record checks,
 * which give every row they take the same value the engine would), never more lenient: a test
 * holds it to that on generated cells. Where it cannot be sure how DuckDB's reader splits the
 * file into rows (a lone CR) it says so, and the SQL test runs instead; where DuckDB would take
 * rows that Python's csv module reads otherwise (spaces around a quoted cell, a row of another
 * number of cells) it says so too, and the file is read in Python. It maps the file and lets go
 * of the pages behind it, so its memory does not grow with the file. */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum {
    T_SKIP = 0, T_TEXT = 1, T_MULTILINE = 2, T_CHOICE = 3, T_DATE = 4, T_MONTH = 5, T_INTEGER = 6,
    T_AMOUNT = 7, T_BOOLEAN = 8, T_LIST = 9, T_MULTICHOICE = 10
};

/* Results besides a count of bad rows. */
#define R_IO (-1)       /* the file cannot be read */
#define R_FULL (-2)     /* more bad rows than the caller made room for */
#define R_UNSURE (-3)   /* the rows may not be the engine's: let the SQL test decide */
#define R_PYTHON (-4)   /* rows DuckDB takes but Python's csv module reads otherwise: read the file in Python */

#define MAX_COLS 512

typedef struct {
    int ncols;
    const int *types;
    const int *required;
    const char *const *choices; /* per column: NUL-separated words ending with an empty one, or NULL */
    const int32_t *ws;          /* white space code points */
    int nws;
    uint32_t ws_max;
} Spec;

static int is_ws(const Spec *sp, uint32_t cp) {
    if ((cp > 32 && cp < 133) || cp > sp->ws_max) return 0; /* printable ASCII, CJK */
    for (int i = 0; i < sp->nws; i++)
        if ((uint32_t)sp->ws[i] == cp) return 1;
    return 0;
}

/* The code point starting at s[i] (n bytes in all), and its length; 0 length when the bytes are
 * not UTF-8 (the engine refuses such a file anyway). */
static uint32_t decode(const unsigned char *s, size_t n, size_t i, size_t *len) {
    unsigned char c = s[i];
    if (c < 0x80) { *len = 1; return c; }
    size_t k;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { k = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { k = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { k = 4; cp = c & 0x07; }
    else { *len = 0; return 0; }
    if (i + k > n) { *len = 0; return 0; }
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xC0) != 0x80) { *len = 0; return 0; }
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    *len = k;
    return cp;
}

static int last_cp(const unsigned char *s, size_t n, uint32_t *cp) {
    size_t i = n - 1, len;
    while (i > 0 && (s[i] & 0xC0) == 0x80 && n - i < 4) i--;
    *cp = decode(s, n, i, &len);
    return len == n - i;
}

static int in_words(const char *words, const unsigned char *s, size_t n) {
    if (words == NULL) return 0;
    for (const char *w = words; *w; w += strlen(w) + 1)
        if (strlen(w) == n && memcmp(w, s, n) == 0) return 1;
    return 0;
}

static int digits(const unsigned char *s, size_t a, size_t b) {
    for (size_t i = a; i < b; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int number(const unsigned char *s, size_t n, size_t max_int, int fraction) {
    size_t i = 0;
    if (n && (s[0] == '+' || s[0] == '-')) i = 1;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == start || i - start > max_int) return 0;
    if (i == n) return 1;
    if (!fraction || s[i] != '.') return 0;
    size_t f = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    return i == n && i - f >= 1 && i - f <= 2;
}

static int date_ok(const unsigned char *s, size_t n) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4) || !digits(s, 5, 7) || !digits(s, 8, 10))
        return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1000 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static int list_ok(const Spec *sp, const unsigned char *s, size_t n, const char *choices) {
    if (s[0] == ';' || s[n - 1] == ';') return 0;
    size_t item = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] >= 0xE4 && s[i] <= 0xE9 && i + 2 < n) { /* CJK (U+4000 to U+9FFF): neither space nor separator */
            i += 3;
            continue;
        }
        size_t len;
        uint32_t cp = decode(s, n, i, &len);
        if (len == 0 || is_ws(sp, cp) || cp == 0xFF1B || cp == 0x2C || cp == 0xFF0C || cp == 0x3001) return 0;
        if (cp == ';') {
            if (i + 1 < n && s[i + 1] == ';') return 0;
            if (choices && !in_words(choices, s + item, i - item)) return 0;
            item = i + 1;
        }
        i += len;
    }
    return !choices || in_words(choices, s + item, n - item);
}

/* Whether the cell s[0..n) (n > 0, quotes removed) is canonical for column c. */
static int cell_ok(const Spec *sp, int c, const unsigned char *s, size_t n) {
    const char *choices = sp->choices ? sp->choices[c] : NULL;
    size_t len;
    uint32_t cp;
    switch (sp->types[c]) {
    case T_SKIP:
        return 1;
    case T_TEXT:
        cp = decode(s, n, 0, &len);
        if (len == 0 || is_ws(sp, cp)) return 0;
        return last_cp(s, n, &cp) && !is_ws(sp, cp);
    case T_MULTILINE: {
        if (s[0] == '\n' || s[0] == '\r' || s[n - 1] == '\n' || s[n - 1] == '\r') return 0;
        for (size_t i = 0; i < n; i += len) { /* something visible */
            cp = decode(s, n, i, &len);
            if (len == 0) return 0;
            if (!is_ws(sp, cp)) return 1;
        }
        return 0;
    }
    case T_CHOICE:
    case T_BOOLEAN:
        return in_words(choices, s, n);
    case T_DATE:
        return date_ok(s, n);
    case T_MONTH:
        return n == 7 && s[4] == '-' && digits(s, 0, 4) && digits(s, 5, 7) &&
               ((s[5] == '0' && s[6] != '0') || (s[5] == '1' && s[6] <= '2'));
    case T_INTEGER:
        return number(s, n, 17, 0);
    case T_AMOUNT:
        return number(s, n, 15, 1);
    case T_LIST:
        return list_ok(sp, s, n, NULL);
    case T_MULTICHOICE:
        return list_ok(sp, s, n, choices);
    default:
        return 0;
    }
}

/* What a scan learns of the file besides its odd rows. */
typedef struct {
    int64_t rows;     /* data rows, as the engine counts them (blank lines skipped) */
    int64_t newlines; /* line breaks in the file */
    int last;         /* its last byte, -1 if it is empty */
    int rising;       /* each row's number (column id_col) above the previous row's, as DuckDB compares text */
} Facts;

/* Mapped pages count as the process's memory: those behind the scan are let go every so often. */
#define RELEASE (64 << 20)

/* The end of the cell starting at p (before e): the first ',' or line end, or a quote. */
static const unsigned char *cell_end(const unsigned char *p, const unsigned char *e) {
    while (p < e && *p != ',' && *p != '\n' && *p != '\r' && *p != '"') p++;
    return p;
}

#ifndef CELLS_SOURCE
#define CELLS_SOURCE "unknown"
#endif

/* The start of the SHA-256 of the source this library was built from (make setup passes it): the
 * Python side uses no library built from another version of this file. */
const char *regkit_cells_source(void) { return CELLS_SOURCE; }

/* Scan the file: write the 0-based positions of the rows with a bad cell into bad[0..cap), and
 * where each starts in the file into offsets[0..cap); the rest into *facts. Returns how many
 * rows were written, or R_IO, R_FULL, R_UNSURE, R_PYTHON. */
long regkit_scan_cells(const char *path, int ncols, const int *types, const int *required,
                       const char *const *choices, const int32_t *ws, int nws, int id_col,
                       int64_t *bad, int64_t *offsets, long cap, Facts *facts) {
    Spec sp = {ncols, types, required, choices, ws, nws, 0};
    for (int k = 0; k < nws; k++)
        if ((uint32_t)ws[k] > sp.ws_max) sp.ws_max = (uint32_t)ws[k];
    if (ncols < 2 || ncols > MAX_COLS) return R_UNSURE;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return R_IO;
    struct stat st;
    if (fstat(fd, &st) < 0) { close(fd); return R_IO; }
    size_t size = (size_t)st.st_size;
    facts->rows = 0; facts->newlines = 0; facts->last = -1; facts->rising = 0;
    if (size == 0) { close(fd); return 0; }
    unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return R_IO;
    madvise(map, size, MADV_SEQUENTIAL);
    const unsigned char *e = map + size, *released = map;
    long nbad = 0, result;
    int64_t row = -1, newlines = 0; /* the header is row -1 */
    const unsigned char *prev_id = NULL;
    size_t prev_len = 0;
    /* Only where the stored number is the cell's text (or a date, whose canonical text sorts as it
     * does): "+1", "01" and "1" rise as text, yet are one BIGINT id (so are "1.5" and "1.50", or
     * "1" and "true"), and rising ids skip the duplicate check. */
    int rising = id_col >= 0 && id_col < ncols && types[id_col] != T_INTEGER && types[id_col] != T_AMOUNT &&
                 types[id_col] != T_BOOLEAN;
    const unsigned char *start[MAX_COLS], *end[MAX_COLS];
    const unsigned char *p = map;
    if (size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (p < e) {
        const unsigned char *rs = p;
        int c = 0, escaped = 0, empty_line = 0;
        const unsigned char *nl = memchr(p, '\n', (size_t)(e - p));
        const unsigned char *le = nl ? (nl > p && nl[-1] == '\r' ? nl - 1 : nl) : e;
        if (!memchr(p, '"', (size_t)(le - p)) && !memchr(p, '\r', (size_t)(le - p))) {
            /* the usual row: one line, no quote, no lone CR: its commas, sixteen bytes at a time */
            start[0] = p;
            for (const unsigned char *b = p; b < le; b += 16) {
                unsigned mask = 0;
#ifdef __SSE2__
                if (b + 16 <= e) {
                    mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)b),
                                                                       _mm_set1_epi8(',')));
                } else
#endif
                {
                    for (int j = 0; j < 16 && b + j < e; j++)
                        if (b[j] == ',') mask |= 1u << j;
                }
                if (le - b < 16) mask &= (1u << (le - b)) - 1;
                while (mask) {
                    const unsigned char *q = b + __builtin_ctz(mask);
                    mask &= mask - 1;
                    end[c++] = q;
                    if (c == MAX_COLS) { result = R_UNSURE; goto done; }
                    start[c] = q + 1;
                }
            }
            end[c++] = le;
            empty_line = c == 1 && le == rs;
            p = nl ? nl + 1 : e;
            if (nl) newlines++;
        } else {
            for (;;) { /* cells, quoted or not */
                if (c == MAX_COLS) { result = R_UNSURE; goto done; }
                if (p < e && *p == '"') {
                    const unsigned char *cs = ++p;
                    for (;;) {
                        const unsigned char *q = memchr(p, '"', (size_t)(e - p));
                        if (!q) { result = R_UNSURE; goto done; } /* unterminated quote */
                        p = q + 1;
                        if (p < e && *p == '"') { escaped = 1; p++; continue; } /* "" inside quotes */
                        break;
                    }
                    start[c] = cs; end[c] = p - 1; c++;
                    for (const unsigned char *q = cs; (q = memchr(q, '\n', (size_t)(p - 1 - q))) != NULL; q++)
                        newlines++;
                } else {
                    const unsigned char *q = cell_end(p, e);
                    if (q < e && *q == '"') { /* a quote inside a cell */
                        /* DuckDB skips spaces before a quote ( "x" is x, a quoted line break joins two
                         * lines), Python's csv reads them and the quote as text */
                        const unsigned char *b = p;
                        while (b < q && *b == ' ') b++;
                        result = b == q && q > p ? R_PYTHON : R_UNSURE;
                        goto done;
                    }
                    start[c] = p; end[c] = q; c++;
                    p = q;
                }
                if (p >= e) break;
                if (*p == ',') { p++; continue; }
                if (*p == '\n') { p++; newlines++; break; }
                if (*p == '\r' && p + 1 < e && p[1] == '\n') { p += 2; newlines++; break; }
                /* a lone CR, or text after a closing quote: DuckDB takes "x" , as x and "x" "y" as x y,
                 * Python's csv says the row is malformed (and the rows after it are then counted one off) */
                result = *p == '\r' ? R_UNSURE : R_PYTHON;
                goto done;
            }
        }
        if (empty_line) { /* the engine skips it, but for a first line: that is its (empty) header */
            if (row < 0) { result = R_UNSURE; goto done; }
            continue;
        }
        if (c != ncols) { result = R_PYTHON; goto done; } /* DuckDB drops extra empty cells, Python says so */
        if (row >= 0) {
            int row_bad = escaped;
            for (int k = 0; k < ncols && !row_bad; k++) {
                size_t n = (size_t)(end[k] - start[k]);
                if (n == 0) { /* NULL, quoted or not */
                    if (required[k]) row_bad = 1;
                    continue;
                }
                if (!cell_ok(&sp, k, start[k], n)) row_bad = 1;
            }
            if (rising) {
                const unsigned char *id = start[id_col];
                size_t n = (size_t)(end[id_col] - id);
                if (row_bad) {
                    rising = 0;
                } else {
                    if (prev_id != NULL) {
                        int cmp = memcmp(prev_id, id, prev_len < n ? prev_len : n);
                        if (cmp > 0 || (cmp == 0 && prev_len >= n)) rising = 0;
                    }
                    prev_id = id;
                    prev_len = n;
                }
            }
            if (row_bad) {
                if (nbad == cap) { result = R_FULL; goto done; }
                offsets[nbad] = (int64_t)(rs - map);
                bad[nbad++] = row;
            }
        }
        row++;
        if (rs - released > RELEASE) { /* a page let go is read again if needed (the last number) */
            size_t len = (size_t)(rs - released) & ~(size_t)4095;
            madvise((void *)released, len, MADV_DONTNEED);
            released += len;
        }
    }
    facts->rows = row < 0 ? 0 : row;
    facts->newlines = newlines;
    facts->last = map[size - 1];
    facts->rising = rising;
    result = nbad;
done:
    munmap(map, size);
    return result;
}
