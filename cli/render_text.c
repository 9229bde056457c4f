/* render_text.c - the terminal view of a comparison.
 *
 * For each passage: a heading with byte ranges, words matched and
 * similarity, then the A side and the B side as wrapped paragraphs in which
 * the words that differ are marked (red on A: only in A or replaced; green on
 * B: only in B or replacements). Without colour the marks are wdiff's
 * [-removed-] and {+added+}. A one-line summary ends the view. Line breaks
 * inside passages are shown as spaces, so the two sides line up as prose. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define C_RESET "\033[0m"
#define C_DIM   "\033[2m"
#define C_BOLD  "\033[1m"
#define C_DEL   "\033[1;31m"
#define C_INS   "\033[1;32m"
#define C_HEAD  "\033[1;36m"

typedef struct writer {
    FILE *out;
    bool color;
    int width, col;
    const char *prefix; /* printed at the start of each line */
    int prefix_cols;
    bool pending_space;
    const char *pending_open; /* mark to print before the next word */
    bool in_mark;
    const char *close_text; /* "-]" or "+}" without colour */
} writer;

size_t cli_utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    unsigned v = c & (0x7F >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[k] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

void cli_put_text(FILE *out, const char *s, size_t n, bool one_line)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i; /* printable ASCII and valid, non-control UTF-8 as it is */
        unsigned cp = 0;
        size_t len = 0;
        while (run < n) {
            if (p[run] >= 0x20 && p[run] < 0x7F) {
                run++;
                continue;
            }
            if (p[run] >= 0x80 && (len = cli_utf8_seq(p + run, n - run, &cp)) > 0 && cp >= 0xA0) {
                run += len;
                continue;
            }
            break;
        }
        fwrite(s + i, 1, run - i, out);
        if (run == n) break;
        /* a control character (C0, DEL, C1) or an invalid byte */
        if (!one_line && (p[run] == '\n' || p[run] == '\t'))
            fputc(p[run], out);
        else
            fputs(replacement, out);
        i = run + (p[run] >= 0x80 && len > 0 ? len : 1);
    }
}

static int utf8_cols(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

static void newline(writer *w)
{
    fputc('\n', w->out);
    fputs(w->prefix, w->out);
    w->col = w->prefix_cols;
}

static void put_word(writer *w, const char *s, size_t n)
{
    int cols = utf8_cols(s, n);
    int extra = (!w->color && w->pending_open) ? 2 : 0;
    if (w->col > w->prefix_cols && w->col + (w->pending_space ? 1 : 0) + cols + extra > w->width)
        newline(w);
    else if (w->pending_space && w->col > w->prefix_cols)
        fputc(' ', w->out), w->col++;
    w->pending_space = false;
    if (w->pending_open) {
        fputs(w->pending_open, w->out);
        w->col += extra;
        w->pending_open = NULL;
        w->in_mark = true;
    }
    cli_put_text(w->out, s, n, true); /* lossy text may hold invalid UTF-8 */
    w->col += cols;
}

/* Write text, folding whitespace runs into single breakable spaces. Control
 * bytes are shown as spaces so no escape sequence from the input reaches the
 * terminal. */
static void put_text(writer *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == 0x7F) {
            w->pending_space = true;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (unsigned char)s[j] > ' ' && (unsigned char)s[j] != 0x7F)
            j++;
        put_word(w, s + i, j - i);
        i = j;
    }
}

static void open_mark(writer *w, bool del)
{
    w->pending_open = w->color ? (del ? C_DEL : C_INS) : (del ? "[-" : "{+");
    w->close_text = del ? "-]" : "+}";
}

static void close_mark(writer *w)
{
    if (w->pending_open) { /* nothing was printed inside the mark */
        w->pending_open = NULL;
        return;
    }
    if (!w->in_mark) return;
    if (w->color)
        fputs(C_RESET, w->out);
    else {
        fputs(w->close_text, w->out);
        w->col += 2;
    }
    w->in_mark = false;
}

/* One side of a passage, walking its edits: the tokens of EQUAL runs plain,
 * the others marked, and the text between two marked tokens marked too. */
static void put_side(writer *w, const char *text, const rp_token *tok, const rp_edit *e, size_t ne,
                     bool side_a)
{
    bool prev_marked = false;
    size_t prev_end = SIZE_MAX; /* index of the last token written, + 1 */
    for (size_t k = 0; k < ne; k++) {
        size_t lo = side_a ? e[k].a_tok : e[k].b_tok;
        size_t hi = side_a ? e[k].a_tok_end : e[k].b_tok_end;
        if (lo == hi) continue;
        bool marked = e[k].op != RP_EDIT_EQUAL;
        if (prev_end != SIZE_MAX) {
            const char *sep = text + tok[prev_end - 1].end;
            size_t sep_len = tok[lo].start - tok[prev_end - 1].end;
            if (!(prev_marked && marked)) close_mark(w);
            put_text(w, sep, sep_len);
        }
        if (marked && !w->in_mark) open_mark(w, side_a);
        put_text(w, text + tok[lo].start, tok[hi - 1].end - tok[lo].start);
        prev_marked = marked;
        prev_end = hi;
    }
    close_mark(w);
}

static int term_width(FILE *out)
{
    struct winsize ws;
    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col > 160 ? 160 : ws.ws_col;
    const char *c = getenv("COLUMNS");
    if (c != NULL) {
        int v = atoi(c);
        if (v >= 40 && v <= 1000) return v;
    }
    return 100;
}

int render_text(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r, bool color)
{
    size_t la, lb, na, nb, np;
    const char *ta = rp_doc_text(a, &la), *tb = rp_doc_text(b, &lb);
    const rp_token *ka = rp_doc_tokens(a, &na), *kb = rp_doc_tokens(b, &nb);
    const rp_passage *p = rp_result_passages(r, &np);
    const char *bold = color ? C_BOLD : "", *reset = color ? C_RESET : "";
    const char *head = color ? C_HEAD : "", *dim = color ? C_DIM : "";

    const char *name_a = rp_doc_name(a), *name_b = rp_doc_name(b);
    fprintf(out, "%sA%s ", bold, reset);
    cli_put_text(out, name_a, strlen(name_a), true);
    fprintf(out, " (%zu bytes, %zu words)\n", la, na);
    fprintf(out, "%sB%s ", bold, reset);
    cli_put_text(out, name_b, strlen(name_b), true);
    fprintf(out, " (%zu bytes, %zu words)\n", lb, nb);
    int width = term_width(out);
    for (size_t i = 0; i < np; i++) {
        fprintf(out,
                "\n%s[%zu]%s A %llu-%llu  B %llu-%llu  %s%zu words matched, similarity "
                "%.2f%s\n",
                head, i + 1, reset, (unsigned long long)p[i].a_start,
                (unsigned long long)p[i].a_end, (unsigned long long)p[i].b_start,
                (unsigned long long)p[i].b_end, dim, p[i].tokens, p[i].similarity, reset);
        size_t ne;
        const rp_edit *e = rp_result_edits(r, i, &ne);
        for (int s = 0; s < 2; s++) {
            bool side_a = s == 0;
            char prefix[32];
            snprintf(prefix, sizeof prefix, "%s%s |%s ", bold, side_a ? "A" : "B", reset);
            writer w = {out, color, width, 4, prefix, 4, false, NULL, false, ""};
            fputs(prefix, out);
            put_side(&w, side_a ? ta : tb, side_a ? ka : kb, e, ne, side_a);
            fputc('\n', out);
        }
    }
    if (np == 0) fprintf(out, "\nNo shared passages.\n");
    fprintf(out, "\n%s%zu passage%s%s: containment A %.2f, B %.2f; Jaccard %.3f; verdict: %s%s%s\n",
            bold, np, np == 1 ? "" : "s", reset, rp_result_containment_a(r),
            rp_result_containment_b(r), rp_result_jaccard(r), bold,
            rp_verdict_name(rp_result_verdict(r)), reset);
    return ferror(out) ? -1 : 0;
}
