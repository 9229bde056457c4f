/* render_html.c - the HTML report of `reprint compare --format html`.
 *
 * render_html() writes one self-contained HTML5 page (inline CSS and inline
 * JavaScript, no network access: a Content-Security-Policy forbids any
 * external load) that shows the two documents side by side in two columns
 * that scroll independently. Each column holds the full original text,
 * HTML-escaped, with its line breaks and spaces kept. Every reported passage
 * is a <mark> with the same background colour on both sides (a palette of
 * eight, cycled) and a small number; inside a passage the words that differ
 * are wrapped in <span class="del"> on side A and <span class="ins"> on side
 * B, from the passage's edit list. Above the columns a header names both
 * documents, gives the scores and verdict, and lists the passages.
 *
 * The page stays usable for megabyte documents: each text is written in one
 * pass over its bytes, walking the passages in the order of their start on
 * that side (a sorted index, O(p log p)); text outside passages and equal
 * runs inside them are written as plain escaped text, never one element per
 * token. The script uses event delegation (one listener per column) and
 * looks counterparts up by id (a3 / b3 for passage 3).
 *
 * Text is written as UTF-8. Documents read in lossy mode may hold invalid
 * bytes; a small validator here replaces each invalid byte (and NUL and
 * other control characters HTML does not allow) with U+FFFD.
 *
 * Uses include/reprint.h only, like the rest of cli/. */
#include "cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Number of passage colours; the CSS below defines .c0 .. .c7. */
#define PALETTE_SIZE 8

/* ---- buffered output ----------------------------------------------------- */

/* Output goes through a buffer so that escaping, which produces many small
 * pieces, costs one fwrite per OUT_CAP bytes. */
#define OUT_CAP 32768

typedef struct html_out {
    FILE *f;
    size_t len;
    bool failed;
    char buf[OUT_CAP];
} html_out;

static void out_flush(html_out *o)
{
    if (o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len) o->failed = true;
    o->len = 0;
}

static void out_put(html_out *o, const char *s, size_t n)
{
    if (n > OUT_CAP - o->len) {
        out_flush(o);
        if (n >= OUT_CAP) {
            if (fwrite(s, 1, n, o->f) != n) o->failed = true;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(html_out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

static void out_fmt(html_out *o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void out_fmt(html_out *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    const int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = true;
    } else if ((size_t)n < sizeof tmp) {
        out_put(o, tmp, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big == NULL || vsnprintf(big, (size_t)n + 1, fmt, ap2) != n)
            o->failed = true;
        else
            out_put(o, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

/* ---- escaping and UTF-8 validation --------------------------------------- */

/* Length (2..4) of the well-formed UTF-8 sequence at s[0..n), or 0 if s[0]
 * does not start one (overlong forms, surrogates and values past U+10FFFF
 * are rejected, as in RFC 3629). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    const unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return len;
}

/* Write s[0..n) as HTML text (also safe inside a double-quoted attribute):
 * & < > " escaped; invalid UTF-8 bytes, NUL, DEL and C0 controls other than
 * tab, line feed, form feed and carriage return become U+FFFD, one per byte.
 * Safe runs are copied in bulk. */
static void out_text(html_out *o, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t run = 0, i = 0;
    while (i < n) {
        const unsigned c = s[i];
        if (c >= 0x80) {
            const size_t k = utf8_seq_len(s + i, n - i);
            if (k > 0) {
                i += k;
                continue;
            }
        } else if ((c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"') ||
                   c == '\t' || c == '\n' || c == '\f' || c == '\r') {
            i++;
            continue;
        }
        out_put(o, text + run, i - run);
        switch (c) {
        case '&': out_put(o, "&amp;", 5); break;
        case '<': out_put(o, "&lt;", 4); break;
        case '>': out_put(o, "&gt;", 4); break;
        case '"': out_put(o, "&quot;", 6); break;
        default: out_put(o, "\xEF\xBF\xBD", 3); break;
        }
        i++;
        run = i;
    }
    out_put(o, text + run, n - run);
}

static void out_cstr_text(html_out *o, const char *s)
{
    out_text(o, s, strlen(s));
}

/* Write n with thousands separators, e.g. 1,048,576. */
static void out_count(html_out *o, uint64_t n)
{
    char digits[24], sep[32];
    int nd = snprintf(digits, sizeof digits, "%" PRIu64, n);
    size_t j = 0;
    for (int k = 0; k < nd; k++) {
        if (k > 0 && (nd - k) % 3 == 0) sep[j++] = ',';
        sep[j++] = digits[k];
    }
    out_put(o, sep, j);
}

/* ---- passage order per side ---------------------------------------------- */

typedef struct side_ref {
    uint64_t start;
    size_t idx;
} side_ref;

static int side_ref_cmp(const void *x, const void *y)
{
    const side_ref *a = x, *b = y;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* ---- one document column -------------------------------------------------- */

/* State for writing the differing runs of one passage on one side. */
typedef struct run_state {
    html_out *o;
    const char *text;
    const rp_token *toks;
    size_t n_toks;
    const char *cls; /* "del" or "ins" */
    uint64_t pos;    /* bytes before pos are written */
    uint64_t end;    /* end of the passage on this side */
    size_t t0, t1;   /* pending run of differing tokens, empty if t0 == t1 */
} run_state;

/* Write the pending run: the plain text up to its first token, then its
 * bytes from the first token's start to the last token's end (the spaces
 * between the tokens included) in one span. */
static void run_flush(run_state *st)
{
    if (st->t0 >= st->t1) return;
    uint64_t from = st->toks[st->t0].start, to = st->toks[st->t1 - 1].end;
    st->t0 = st->t1 = 0;
    if (from < st->pos) from = st->pos;
    if (to > st->end) to = st->end;
    if (from >= to) return;
    out_text(st->o, st->text + st->pos, (size_t)(from - st->pos));
    out_fmt(st->o, "<span class=\"%s\">", st->cls);
    out_text(st->o, st->text + from, (size_t)(to - from));
    out_str(st->o, "</span>");
    st->pos = to;
}

/* Add the token range [t0, t1) to the pending run, merging it with the run
 * when the two touch. */
static void run_add(run_state *st, size_t t0, size_t t1)
{
    if (t1 > st->n_toks || t0 >= t1) return;
    if (st->t0 < st->t1 && st->t1 == t0) {
        st->t1 = t1;
        return;
    }
    run_flush(st);
    st->t0 = t0;
    st->t1 = t1;
}

/* Write the text of one document (side 0 = A, 1 = B) with its passages. */
static bool write_column(html_out *o, const rp_doc *doc, int side, const rp_result *r)
{
    size_t len = 0, n_toks = 0, n_pass = 0;
    const char *text = rp_doc_text(doc, &len);
    const rp_token *toks = rp_doc_tokens(doc, &n_toks);
    const rp_passage *ps = rp_result_passages(r, &n_pass);
    const char pfx = side == 0 ? 'a' : 'b';

    side_ref *order = NULL;
    if (n_pass > 0) {
        order = malloc(n_pass * sizeof *order);
        if (order == NULL) return false;
        for (size_t i = 0; i < n_pass; i++) {
            order[i].start = side == 0 ? ps[i].a_start : ps[i].b_start;
            order[i].idx = i;
        }
        qsort(order, n_pass, sizeof *order, side_ref_cmp);
    }

    uint64_t cur = 0;
    for (size_t k = 0; k < n_pass; k++) {
        const size_t i = order[k].idx;
        uint64_t start = order[k].start;
        uint64_t end = side == 0 ? ps[i].a_end : ps[i].b_end;
        if (end > len) end = len;
        if (start < cur) /* overlapping passages are not expected; never nest */
            start = cur;
        if (start >= end) continue;
        out_text(o, text + cur, (size_t)(start - cur));
        out_fmt(o, "<mark class=\"p c%zu\" id=\"%c%zu\" data-p=\"%zu\">", i % PALETTE_SIZE, pfx,
                i + 1, i + 1);

        run_state st = {o, text, toks, n_toks, side == 0 ? "del" : "ins", start, end, 0, 0};
        size_t n_edits = 0;
        const rp_edit *ed = rp_result_edits(r, i, &n_edits);
        for (size_t e = 0; e < n_edits; e++) {
            const size_t t0 = side == 0 ? ed[e].a_tok : ed[e].b_tok;
            const size_t t1 = side == 0 ? ed[e].a_tok_end : ed[e].b_tok_end;
            const bool differs = ed[e].op == RP_EDIT_REPLACE ||
                                 ed[e].op == (side == 0 ? RP_EDIT_DELETE : RP_EDIT_INSERT);
            if (differs)
                run_add(&st, t0, t1);
            else if (t0 < t1) /* equal tokens end a run; empty ranges do not */
                run_flush(&st);
        }
        run_flush(&st);
        out_text(o, text + st.pos, (size_t)(end - st.pos));
        out_str(o, "</mark>");
        cur = end;
    }
    out_text(o, text + cur, (size_t)(len - cur));
    free(order);
    return true;
}

/* ---- the page -------------------------------------------------------------- */

/* Inline style sheet. Eight passage colours (.c0 .. .c7), light enough for
 * black text, distinct from each other and from the del/ins marks. */
static const char *const page_css =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--accent:#0969da;"
    "--sans:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Helvetica Neue\","
    "Arial,sans-serif;color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "html,body{height:100%;margin:0}\n"
    "body{display:flex;flex-direction:column;font:14px/1.45 var(--sans);color:var(--fg);"
    "background:#fff}\n"
    "header{flex:none;background:var(--head);border-bottom:1px solid var(--line);"
    "padding:10px 18px 8px}\n"
    "h1{font-size:17px;font-weight:600;margin:0 0 6px}\n"
    "h1 small{font-size:12px;font-weight:400;color:var(--muted);margin-left:6px}\n"
    ".docs{display:grid;grid-template-columns:auto auto 1fr;gap:1px 10px;margin-bottom:6px}\n"
    ".docs b{font-weight:600}.docs .nm{overflow-wrap:anywhere}\n"
    ".docs .st,.muted{color:var(--muted)}\n"
    ".sum{display:flex;flex-wrap:wrap;align-items:center;gap:4px 18px;margin:4px 0}\n"
    ".sum .k{color:var(--muted)}.sum .v{font-weight:600;font-variant-numeric:tabular-nums}\n"
    ".verdict{padding:1px 9px;border-radius:10px;font-weight:600;font-size:13px}\n"
    ".verdict.v0{background:#dafbe1;color:#116329}\n"
    ".verdict.v1{background:#fff1c2;color:#7d4e00}\n"
    ".verdict.v2{background:#ffdcd7;color:#a40e26}\n"
    ".key{font-size:12px;color:var(--muted)}.key span{margin-right:10px}\n"
    "details{margin-top:4px}summary{cursor:pointer;font-weight:600;user-select:none}\n"
    ".legend{max-height:24vh;overflow:auto;margin-top:4px;border:1px solid var(--line);"
    "background:#fff;border-radius:4px;width:fit-content;max-width:100%;"
    "scrollbar-gutter:stable}\n"
    "table{border-collapse:collapse;font-size:12.5px;"
    "font-variant-numeric:tabular-nums}\n"
    "th{position:sticky;top:0;background:#fff;text-align:right;font-weight:600;"
    "color:var(--muted);border-bottom:1px solid var(--line);padding:3px 10px}\n"
    "td{text-align:right;padding:2px 10px;border-bottom:1px solid #eef1f4;white-space:nowrap}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "tbody tr{cursor:pointer}tbody tr:hover,tbody tr.hot{background:#eaf2fe}\n"
    ".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;"
    "vertical-align:-1px;border:1px solid rgba(0,0,0,.15)}\n"
    "main{flex:1;min-height:0;display:flex}\n"
    ".col{flex:1 1 0;min-width:0;overflow:auto;position:relative}\n"
    ".col+.col{border-left:1px solid var(--line)}\n"
    ".col h2{position:sticky;top:0;z-index:1;margin:0;padding:6px 18px;font-size:13px;"
    "font-weight:600;background:rgba(255,255,255,.96);border-bottom:1px solid var(--line);"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\n"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding:12px 18px 45vh;"
    "font:15px/1.65 var(--sans);tab-size:4}\n"
    ".empty{padding:12px 18px;color:var(--muted);font-style:italic}\n"
    "mark.p{color:inherit;border-radius:3px;cursor:pointer;padding:1px 0}\n"
    "mark.p::before{content:attr(data-p);font:600 9.5px/1 var(--sans);vertical-align:super;"
    "color:#3d444d;margin:0 2px 0 1px}\n"
    "mark.hot{outline:2px solid var(--accent);outline-offset:0}\n"
    "mark.flash{animation:flash 1s ease-out}\n"
    "@keyframes flash{0%{box-shadow:0 0 0 4px rgba(9,105,218,.55)}"
    "100%{box-shadow:0 0 0 4px rgba(9,105,218,0)}}\n"
    ".c0{background:#fff0a6}.c1{background:#cbe9ff}.c2{background:#d8f3cf}"
    ".c3{background:#fcd6e6}.c4{background:#e4dbff}.c5{background:#ffdcc0}"
    ".c6{background:#c6f0ec}.c7{background:#e8e3d2}\n"
    ".pnav{display:flex;gap:16px;font-size:13px;margin-bottom:4px}\n"
    ".pnav a{color:var(--accent);text-decoration:none}.pnav a:hover{text-decoration:underline}\n"
    ".del{background:#ffc6c2;color:#82071e;text-decoration:line-through;"
    "text-decoration-color:rgba(164,14,38,.7)}\n"
    ".ins{background:#b4ecc1;color:#0f5323;text-decoration:underline;"
    "text-decoration-color:rgba(17,99,41,.6);text-underline-offset:2px}\n";

/* Inline script: hover links a passage with its counterpart, a click on one
 * side brings the counterpart level with it on the other side, the list
 * scrolls both sides, n / p step through the passages. Sets data-ready on
 * <html> when done (the HTML test checks it). */
static const char *const page_js =
    "(function(){\"use strict\";\n"
    "var cols={a:document.getElementById(\"colA\"),b:document.getElementById(\"colB\")};\n"
    "var list=document.getElementById(\"plist\");\n"
    "var np=parseInt(document.body.getAttribute(\"data-np\"),10)||0;\n"
    "var hot=null,cur=0;\n"
    "function els(p){var r=[],x=document.getElementById(\"a\"+p),"
    "y=document.getElementById(\"b\"+p),z=list&&list.querySelector('tr[data-p=\"'+p+'\"]');\n"
    " if(x)r.push(x);if(y)r.push(y);if(z)r.push(z);return r;}\n"
    "function setHot(p){if(p===hot)return;\n"
    " if(hot!==null)els(hot).forEach(function(e){e.classList.remove(\"hot\");});\n"
    " hot=p;if(p!==null)els(p).forEach(function(e){e.classList.add(\"hot\");});}\n"
    "function gap(col){var h=col.querySelector(\"h2\");return h?h.offsetHeight+8:8;}\n"
    "function place(col,el,y){var lo=gap(col),hi=Math.max(lo,col.clientHeight-40);\n"
    " y=Math.min(Math.max(y,lo),hi);\n"
    " var d=el.getBoundingClientRect().top-col.getBoundingClientRect().top-y;\n"
    " col.scrollTop+=d;}\n"
    "function flash(el){el.classList.remove(\"flash\");void el.offsetWidth;"
    "el.classList.add(\"flash\");}\n"
    "function markOf(e){return e.target&&e.target.closest?e.target.closest(\"mark\"):null;}\n"
    "function go(p){var x=document.getElementById(\"a\"+p),y=document.getElementById(\"b\"+p);\n"
    " cur=parseInt(p,10);\n"
    " if(x){place(cols.a,x,cols.a.clientHeight/4);flash(x);}\n"
    " if(y){place(cols.b,y,cols.b.clientHeight/4);flash(y);}setHot(String(p));}\n"
    "function wire(side,other){var col=cols[side];if(!col)return;\n"
    " col.addEventListener(\"mouseover\",function(e){var m=markOf(e);"
    "setHot(m?m.getAttribute(\"data-p\"):null);});\n"
    " col.addEventListener(\"mouseleave\",function(){setHot(null);});\n"
    " col.addEventListener(\"click\",function(e){var m=markOf(e);if(!m)return;\n"
    "  var p=m.getAttribute(\"data-p\"),t=document.getElementById(other+p);\n"
    "  cur=parseInt(p,10);setHot(p);if(!t)return;\n"
    "  place(cols[other],t,m.getBoundingClientRect().top-col.getBoundingClientRect().top);"
    "flash(t);});}\n"
    "wire(\"a\",\"b\");wire(\"b\",\"a\");\n"
    "function rowOf(e){return e.target&&e.target.closest?e.target.closest(\"tr[data-p]\"):null;}\n"
    "if(list){list.addEventListener(\"click\",function(e){var r=rowOf(e);"
    "if(r)go(r.getAttribute(\"data-p\"));});\n"
    " list.addEventListener(\"mouseover\",function(e){var r=rowOf(e);"
    "setHot(r?r.getAttribute(\"data-p\"):null);});\n"
    " list.addEventListener(\"mouseleave\",function(){setHot(null);});}\n"
    "document.addEventListener(\"keydown\",function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;\n"
    " var nv=document.getElementById(e.key===\"[\"?\"nav-prev\":e.key===\"]\"?\"nav-next\":\"\");\n"
    " if(nv){location.href=nv.getAttribute(\"href\");e.preventDefault();return;}\n"
    " if(!np)return;\n"
    " if(e.key===\"n\"||e.key===\"j\"){go(cur>=np?1:cur+1);e.preventDefault();}\n"
    " else if(e.key===\"p\"||e.key===\"k\"){go(cur<=1?np:cur-1);e.preventDefault();}});\n"
    "document.documentElement.setAttribute(\"data-ready\",\"1\");\n"
    "})();\n";

static void write_doc_row(html_out *o, const char *label, const rp_doc *doc)
{
    size_t len = 0, n_toks = 0;
    (void)rp_doc_text(doc, &len);
    (void)rp_doc_tokens(doc, &n_toks);
    out_fmt(o, "<b>%s</b><span class=\"nm\">", label);
    out_cstr_text(o, rp_doc_name(doc));
    out_str(o, "</span><span class=\"st\">");
    out_count(o, len);
    out_str(o, len == 1 ? " byte, " : " bytes, ");
    out_count(o, n_toks);
    out_str(o, n_toks == 1 ? " token</span>\n" : " tokens</span>\n");
}

static void write_header(html_out *o, const rp_doc *a, const rp_doc *b, const rp_result *r,
                         const html_nav *nav)
{
    size_t n_pass = 0;
    const rp_passage *ps = rp_result_passages(r, &n_pass);
    const rp_verdict v = rp_result_verdict(r);
    const int vclass = v == RP_VERDICT_WHOLLY_DERIVED      ? 2
                       : v == RP_VERDICT_PARTIALLY_DERIVED ? 1
                                                           : 0;

    if (nav != NULL) {
        out_str(o, "<header>\n<nav class=\"pnav\"><a href=\"");
        out_cstr_text(o, nav->index_href ? nav->index_href : "index.html");
        out_str(o, "\" id=\"nav-index\">&larr; all pairs</a>");
        if (nav->prev_href != NULL) {
            out_str(o, "<a href=\"");
            out_cstr_text(o, nav->prev_href);
            out_str(o, "\" id=\"nav-prev\" rel=\"prev\">&lsaquo; previous</a>");
        }
        if (nav->next_href != NULL) {
            out_str(o, "<a href=\"");
            out_cstr_text(o, nav->next_href);
            out_str(o, "\" id=\"nav-next\" rel=\"next\">next &rsaquo;</a>");
        }
        out_str(o, "</nav>\n<h1>reprint scan: ");
        out_cstr_text(o, nav->title ? nav->title : "");
        out_fmt(o, "<small>reprint %s</small></h1>\n", rp_version());
    } else {
        out_fmt(o, "<header>\n<h1>reprint compare<small>reprint %s</small></h1>\n", rp_version());
    }
    out_str(o, "<div class=\"docs\">\n");
    write_doc_row(o, "A", a);
    write_doc_row(o, "B", b);
    out_str(o, "</div>\n<div class=\"sum\">");
    out_fmt(o,
            "<span><span class=\"k\">containment A</span> <span class=\"v\">%.1f%%</span></span>"
            "<span><span class=\"k\">containment B</span> <span class=\"v\">%.1f%%</span></span>"
            "<span><span class=\"k\">Jaccard</span> <span class=\"v\">%.3f</span></span>",
            100.0 * rp_result_containment_a(r), 100.0 * rp_result_containment_b(r),
            rp_result_jaccard(r));
    out_fmt(o, "<span><span class=\"k\">verdict</span> <span class=\"verdict v%d\">", vclass);
    out_cstr_text(o, rp_verdict_name(v));
    out_str(o, "</span></span>");
    out_fmt(o, "<span><span class=\"k\">passages</span> <span class=\"v\">%zu</span></span>",
            n_pass);
    out_str(o, "<span class=\"key\"><span class=\"del\">deleted or changed in A</span>"
               "<span class=\"ins\">inserted or changed in B</span>"
               "hover a passage to link it, click to align the other side; n / p: next / "
               "previous");
    if (nav != NULL) out_str(o, "; [ / ]: previous / next pair");
    out_str(o, "</span></div>\n");

    if (n_pass == 0) {
        out_str(o, "<p class=\"muted\">No reused passages found.</p>\n</header>\n");
        return;
    }
    out_str(o, "<details open><summary>Passages</summary><div class=\"legend\">"
               "<table id=\"plist\"><thead><tr><th>#</th><th>A bytes</th><th>B bytes</th>"
               "<th>A tokens</th><th>B tokens</th><th>matched</th><th>similarity</th></tr>"
               "</thead><tbody>\n");
    for (size_t i = 0; i < n_pass; i++) {
        const rp_passage *p = &ps[i];
        const size_t ta = p->a_tok_end > p->a_tok ? p->a_tok_end - p->a_tok : 0;
        const size_t tb = p->b_tok_end > p->b_tok ? p->b_tok_end - p->b_tok : 0;
        out_fmt(o, "<tr data-p=\"%zu\"><td><span class=\"sw c%zu\"></span>%zu</td>", i + 1,
                i % PALETTE_SIZE, i + 1);
        out_fmt(o, "<td>%" PRIu64 "&ndash;%" PRIu64 "</td><td>%" PRIu64 "&ndash;%" PRIu64 "</td>",
                p->a_start, p->a_end, p->b_start, p->b_end);
        out_fmt(o, "<td>%zu</td><td>%zu</td><td>%zu</td><td>%.1f%%</td></tr>\n", ta, tb, p->tokens,
                100.0 * p->similarity);
    }
    out_str(o, "</tbody></table></div></details>\n</header>\n");
}

static bool write_side(html_out *o, const char *id, const char *label, const rp_doc *doc, int side,
                       const rp_result *r)
{
    size_t len = 0;
    (void)rp_doc_text(doc, &len);
    out_fmt(o, "<section class=\"col\" id=\"%s\"><h2>%s &middot; ", id, label);
    out_cstr_text(o, rp_doc_name(doc));
    out_str(o, "</h2>");
    if (len == 0) {
        out_str(o, "<div class=\"empty\">(empty document)</div></section>\n");
        return true;
    }
    out_str(o, "<div class=\"text\">");
    if (!write_column(o, doc, side, r)) return false;
    out_str(o, "</div></section>\n");
    return true;
}

int render_html(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r)
{
    return render_html_page(out, a, b, r, NULL);
}

int render_html_page(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r,
                     const html_nav *nav)
{
    html_out *o = malloc(sizeof *o);
    if (o == NULL) return -1;
    o->f = out;
    o->len = 0;
    o->failed = false;

    size_t n_pass = 0;
    (void)rp_result_passages(r, &n_pass);

    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
               "<meta name=\"generator\" content=\"reprint\">\n<title>reprint: ");
    out_cstr_text(o, rp_doc_name(a));
    out_str(o, " vs ");
    out_cstr_text(o, rp_doc_name(b));
    out_str(o, "</title>\n<style>\n");
    out_str(o, page_css);
    out_fmt(o, "</style>\n</head>\n<body data-np=\"%zu\">\n", n_pass);
    write_header(o, a, b, r, nav);
    out_str(o, "<main>\n");
    bool ok = write_side(o, "colA", "A", a, 0, r) && write_side(o, "colB", "B", b, 1, r);
    out_str(o, "</main>\n<script>\n");
    out_str(o, page_js);
    out_str(o, "</script>\n</body>\n</html>\n");
    out_flush(o);

    if (fflush(out) != 0 || ferror(out)) o->failed = true;
    const int rc = ok && !o->failed ? 0 : -1;
    free(o);
    return rc;
}

/* ---- the scan report's index ------------------------------------------------------ */

/* Rows written into the page's HTML (the first page) and shown per page. */
#define INDEX_PAGE_ROWS 100

/* Write s[0..n) as the body of a JSON string that is safe inside a <script>
 * element: " \ and controls escaped, < > & as \u escapes (no "</script>"
 * can appear), invalid UTF-8 bytes as U+FFFD, U+2028 and U+2029 escaped. */
static void out_json_text(html_out *o, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t run = 0, i = 0;
    char esc[8];
    while (i < n) {
        const unsigned c = s[i];
        if (c >= 0x80) {
            const size_t k = utf8_seq_len(s + i, n - i);
            /* U+2028 / U+2029: E2 80 A8 / E2 80 A9 */
            if (k == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
                out_put(o, text + run, i - run);
                out_str(o, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
                i += 3;
                run = i;
                continue;
            }
            if (k > 0) {
                i += k;
                continue;
            }
            out_put(o, text + run, i - run);
            out_str(o, "\\ufffd");
            i++;
            run = i;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
            i++;
            continue;
        }
        out_put(o, text + run, i - run);
        switch (c) {
        case '"': out_str(o, "\\\""); break;
        case '\\': out_str(o, "\\\\"); break;
        case '\n': out_str(o, "\\n"); break;
        case '\t': out_str(o, "\\t"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            out_str(o, esc);
            break;
        }
        i++;
        run = i;
    }
    out_put(o, text + run, n - run);
}

static void out_json_cstr(html_out *o, const char *s)
{
    out_put(o, "\"", 1);
    out_json_text(o, s, strlen(s));
    out_put(o, "\"", 1);
}

static const char *const index_css =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--accent:#0969da;"
    "--sans:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Helvetica Neue\","
    "Arial,sans-serif;color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 var(--sans);color:var(--fg);background:#fff}\n"
    "header{background:var(--head);border-bottom:1px solid var(--line);padding:10px 18px 8px}\n"
    "h1{font-size:17px;font-weight:600;margin:0 0 6px}\n"
    "h1 small{font-size:12px;font-weight:400;color:var(--muted);margin-left:6px}\n"
    ".sum{display:flex;flex-wrap:wrap;gap:4px 18px;margin:4px 0}\n"
    ".sum .k,.muted{color:var(--muted)}.sum .v{font-weight:600;font-variant-numeric:tabular-nums}\n"
    ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:8px 18px;"
    "border-bottom:1px solid var(--line);position:sticky;top:0;background:#fff;z-index:1}\n"
    ".bar input{font:inherit;padding:3px 8px;border:1px solid var(--line);border-radius:4px;"
    "min-width:18em}\n"
    ".bar button{font:inherit;padding:3px 10px;border:1px solid var(--line);border-radius:4px;"
    "background:var(--head);cursor:pointer}.bar button:disabled{opacity:.45;cursor:default}\n"
    "#status{color:var(--muted);font-variant-numeric:tabular-nums}\n"
    "main{padding:0 18px 24px}\n"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}\n"
    "th{position:sticky;top:45px;background:#fff;text-align:right;font-weight:600;"
    "color:var(--muted);border-bottom:1px solid var(--line);padding:5px 10px;cursor:pointer;"
    "user-select:none;white-space:nowrap}\n"
    "th.s::after{content:\" \\25BE\"}th.s.asc::after{content:\" \\25B4\"}\n"
    "td{text-align:right;padding:3px 10px;border-bottom:1px solid #eef1f4;white-space:nowrap}\n"
    "td.id,th.id{text-align:left;white-space:normal;overflow-wrap:anywhere;max-width:36vw}\n"
    "tbody tr:hover{background:#eaf2fe}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n";

/* Paging, sorting and filtering over the JSON rows; #page=N in the address
 * opens page N. Sets data-ready on <html> when done. Rows are
 * [rank, a id, b id, matched, containment a, containment b, similarity,
 * passages, href]. */
static const char *const index_js =
    "(function(){\"use strict\";\n"
    "var data=JSON.parse(document.getElementById(\"pairs\").textContent);\n"
    "var per=100,page=0,key=0,desc=false,q=\"\",rows=data.slice();\n"
    "var tbody=document.getElementById(\"rows\"),st=document.getElementById(\"status\");\n"
    "var filt=document.getElementById(\"filter\"),ths=document.querySelectorAll(\"th[data-k]\");\n"
    "var bt={first:document.getElementById(\"first\"),prev:document.getElementById(\"prev\"),"
    "next:document.getElementById(\"next\"),last:document.getElementById(\"last\")};\n"
    "function pct(x){return (100*x).toFixed(1)+\"%\";}\n"
    "function num(n){return n.toLocaleString(\"en-US\");}\n"
    "function td(t,c){var e=document.createElement(\"td\");e.textContent=t;if(c)e.className=c;"
    "return e;}\n"
    "function pages(){return Math.max(1,Math.ceil(rows.length/per));}\n"
    "function render(){var np=pages();page=Math.min(Math.max(page,0),np-1);\n"
    " var f=document.createDocumentFragment(),lo=page*per,hi=Math.min(rows.length,lo+per);\n"
    " for(var i=lo;i<hi;i++){var r=rows[i],tr=document.createElement(\"tr\"),c=td(\"\"),"
    "a=document.createElement(\"a\");\n"
    "  a.href=r[8];a.textContent=String(r[0]);c.appendChild(a);tr.appendChild(c);\n"
    "  tr.appendChild(td(r[1],\"id\"));tr.appendChild(td(r[2],\"id\"));"
    "tr.appendChild(td(String(r[3])));\n"
    "  tr.appendChild(td(pct(r[4])));tr.appendChild(td(pct(r[5])));tr.appendChild(td(pct(r[6])));"
    "tr.appendChild(td(String(r[7])));\n"
    "  tr.setAttribute(\"data-href\",r[8]);f.appendChild(tr);}\n"
    " while(tbody.firstChild)tbody.removeChild(tbody.firstChild);tbody.appendChild(f);\n"
    " st.textContent=rows.length?(\"pairs \"+num(lo+1)+\"\\u2013\"+num(hi)+\" of "
    "\"+num(rows.length)+"
    "\" \\u00b7 page \"+num(page+1)+\" of \"+num(np)):\"no pairs match\";\n"
    " bt.first.disabled=bt.prev.disabled=page===0;bt.next.disabled=bt.last.disabled=page>=np-1;\n"
    " for(var k=0;k<ths.length;k++){var th=ths[k],on=+th.getAttribute(\"data-k\")===key;"
    "th.classList.toggle(\"s\",on);th.classList.toggle(\"asc\",on&&!desc);}\n"
    " if(history.replaceState)try{history.replaceState(null,\"\",\"#page=\"+(page+1));}"
    "catch(e){}}\n"
    "function order(){var k=key,d=desc?-1:1;rows.sort(function(x,y){var a=x[k],b=y[k];"
    "if(a<b)return -d;if(a>b)return d;return x[0]-y[0];});}\n"
    "function apply(){var s=q.toLowerCase();rows=s?data.filter(function(r){"
    "return r[1].toLowerCase().indexOf(s)>=0||r[2].toLowerCase().indexOf(s)>=0;}):data.slice();"
    "order();}\n"
    "for(var k=0;k<ths.length;k++)ths[k].addEventListener(\"click\",function(){"
    "var k2=+this.getAttribute(\"data-k\");\n"
    " if(k2===key)desc=!desc;else{key=k2;desc=k2>=3;}apply();page=0;render();});\n"
    "filt.addEventListener(\"input\",function(){q=filt.value;apply();page=0;render();});\n"
    "bt.first.addEventListener(\"click\",function(){page=0;render();});\n"
    "bt.prev.addEventListener(\"click\",function(){page--;render();});\n"
    "bt.next.addEventListener(\"click\",function(){page++;render();});\n"
    "bt.last.addEventListener(\"click\",function(){page=pages()-1;render();});\n"
    "tbody.addEventListener(\"click\",function(e){if(e.target.closest(\"a\"))return;"
    "var "
    "tr=e.target.closest(\"tr[data-href]\");if(tr)location.href=tr.getAttribute(\"data-href\");});"
    "\n"
    "document.addEventListener(\"keydown\",function(e){if(e.target===filt||e.ctrlKey||e.metaKey||"
    "e.altKey)return;\n"
    " if(e.key===\"ArrowRight\"){page++;render();}else "
    "if(e.key===\"ArrowLeft\"){page--;render();}});\n"
    "var m=/page=(\\d+)/.exec(location.hash);if(m)page=parseInt(m[1],10)-1;\n"
    "render();\n"
    "document.documentElement.setAttribute(\"data-ready\",\"1\");\n"
    "})();\n";

static void write_index_row(html_out *o, size_t rank, const scan_html_row *r)
{
    out_str(o, "<tr><td><a href=\"");
    out_cstr_text(o, r->href);
    out_fmt(o, "\">%zu</a></td><td class=\"id\">", rank);
    out_cstr_text(o, r->a_id);
    out_str(o, "</td><td class=\"id\">");
    out_cstr_text(o, r->b_id);
    out_fmt(o,
            "</td><td>%" PRIu64
            "</td><td>%.1f%%</td><td>%.1f%%</td><td>%.1f%%</td><td>%zu</td></tr>\n",
            r->matched, 100.0 * r->containment_a, 100.0 * r->containment_b, 100.0 * r->similarity,
            r->passages);
}

int render_scan_index(FILE *out, const scan_html_row *rows, size_t n, const scan_html_info *info)
{
    html_out *o = malloc(sizeof *o);
    if (o == NULL) return -1;
    o->f = out;
    o->len = 0;
    o->failed = false;
    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
               "<meta name=\"generator\" content=\"reprint\">\n"
               "<title>reprint scan: reused passages</title>\n<style>\n");
    out_str(o, index_css);
    out_str(o, "</style>\n</head>\n<body>\n<header>\n");
    out_fmt(o, "<h1>reprint scan: reused passages<small>reprint %s</small></h1>\n", rp_version());
    out_str(o, "<div class=\"sum\"><span><span class=\"k\">documents</span> <span class=\"v\">");
    out_count(o, info->documents);
    out_str(o, "</span></span><span><span class=\"k\">pairs sharing passages</span> "
               "<span class=\"v\">");
    out_count(o, info->pairs);
    out_str(o, "</span></span>");
    if (n < info->pairs) {
        out_str(o, "<span><span class=\"k\">in this report</span> <span class=\"v\">");
        out_count(o, n);
        out_str(o, "</span> <span class=\"muted\">(those sharing the most words)</span></span>");
    }
    out_str(o, "<span><span class=\"k\">boilerplate fingerprints</span> <span class=\"v\">");
    out_count(o, info->boilerplate);
    out_fmt(o,
            "</span> <span class=\"muted\">(in over %zu documents; not used)</span></span>"
            "<span><span class=\"k\">min words</span> <span class=\"v\">%zu</span></span>"
            "</div>\n",
            info->max_df, info->min_words);
    out_str(o, "<div class=\"muted\">Pairs ranked by the words matched in their passages. Click a "
               "pair for both documents side by side; click a column to sort; "
               "&larr; / &rarr;: previous / next page.</div>\n</header>\n");
    out_str(o, "<div class=\"bar\"><input id=\"filter\" type=\"search\" placeholder=\"filter by "
               "document id\" aria-label=\"filter by document id\">"
               "<button id=\"first\" type=\"button\">&laquo; first</button>"
               "<button id=\"prev\" type=\"button\">&lsaquo; previous</button>"
               "<button id=\"next\" type=\"button\">next &rsaquo;</button>"
               "<button id=\"last\" type=\"button\">last &raquo;</button>"
               "<span id=\"status\"></span></div>\n<main>\n");
    out_str(o, "<table><thead><tr><th data-k=\"0\">#</th><th class=\"id\" data-k=\"1\">A</th>"
               "<th class=\"id\" data-k=\"2\">B</th><th data-k=\"3\">words matched</th>"
               "<th data-k=\"4\">containment A</th><th data-k=\"5\">containment B</th>"
               "<th data-k=\"6\">similarity</th><th data-k=\"7\">passages</th></tr></thead>\n"
               "<tbody id=\"rows\">\n");
    for (size_t i = 0; i < n && i < INDEX_PAGE_ROWS; i++)
        write_index_row(o, i + 1, &rows[i]);
    out_str(o, "</tbody></table>\n");
    if (n == 0) out_str(o, "<p class=\"muted\">No pairs of documents share reused passages.</p>\n");
    out_str(o, "</main>\n<script id=\"pairs\" type=\"application/json\">[");
    for (size_t i = 0; i < n; i++) {
        const scan_html_row *r = &rows[i];
        out_fmt(o, "%s[%zu,", i ? ",\n" : "\n", i + 1);
        out_json_cstr(o, r->a_id);
        out_put(o, ",", 1);
        out_json_cstr(o, r->b_id);
        out_fmt(o, ",%" PRIu64 ",%.4f,%.4f,%.4f,%zu,", r->matched, r->containment_a,
                r->containment_b, r->similarity, r->passages);
        out_json_cstr(o, r->href);
        out_put(o, "]", 1);
    }
    out_str(o, "]</script>\n<script>\n");
    out_str(o, index_js);
    out_str(o, "</script>\n</body>\n</html>\n");
    out_flush(o);
    if (fflush(out) != 0 || ferror(out)) o->failed = true;
    const int rc = o->failed ? -1 : 0;
    free(o);
    return rc;
}
