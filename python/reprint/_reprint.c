/* _reprint.c - the CPython extension behind `import reprint`.
 *
 * A thin layer over include/reprint.h (and the JSON and HTML renderers of
 * cli/, compiled in so that to_dict() and html() are the CLI's own output).
 * The user-facing classes, docstrings and argument handling live in
 * python/reprint/__init__.py; this file does what must be fast or must
 * hold C objects:
 *
 *   Result      one comparison (rp_doc x 2 + rp_result); offsets converted
 *               to code points for str input
 *   dedup()     rp_dedup_run() in a forked child, so that Ctrl-C ends it at
 *               once whatever stage it is in (the library has no cancel)
 *   _Scan       rp_scan_*; rp_scan_run() on a worker thread that hands
 *               pairs to the iterator through a bounded queue
 *   _Index      rp_index_*
 *   _Sketcher, _LSH   rp_sketcher_*, rp_lsh_*
 *   MinHash     the datasketch-style MinHash over caller-given elements
 *               (one-permutation hashing, densified), for reprint.datasketch
 *
 * Every call that can take long releases the GIL. Objects that hold a C
 * handle which is not thread-safe (index, sketcher, scan) serialize calls
 * with a mutex taken while the GIL is released. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "cli.h" /* render_json, render_html, render_pair_record; includes reprint.h */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static PyObject *error_classes; /* reprint._errors.BY_CODE */

/* Raise the reprint.Error subclass of st with the details of e (NULL: none). */
static PyObject *raise_rp(rp_status st, const rp_error *e)
{
    Py_ssize_t n = PyTuple_GET_SIZE(error_classes);
    PyObject *cls = PyTuple_GET_ITEM(
        error_classes, ((Py_ssize_t)st > 0 && (Py_ssize_t)st < n) ? (Py_ssize_t)st : 0);
    const char *msg = (e != NULL && e->msg[0]) ? e->msg : rp_strerror(st);
    const char *path = e != NULL ? e->path : "";
    PyObject *text;
    if (path[0] && e->line)
        text = PyUnicode_FromFormat("%s:%llu: %s", path, (unsigned long long)e->line, msg);
    else if (path[0])
        text = PyUnicode_FromFormat("%s: %s", path, msg);
    else
        text = PyUnicode_FromString(msg);
    if (text == NULL) return NULL;
    PyObject *exc = PyObject_CallOneArg(cls, text);
    Py_DECREF(text);
    if (exc == NULL) return NULL;
    PyObject *v;
    int bad = 0;
    if ((v = PyLong_FromLong((long)st)) == NULL || PyObject_SetAttrString(exc, "code", v) < 0)
        bad = 1;
    Py_XDECREF(v);
    if (!bad && ((v = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace")) == NULL ||
                 PyObject_SetAttrString(exc, "message", v) < 0))
        bad = 1;
    Py_XDECREF(v);
    if (!bad && ((v = PyUnicode_DecodeFSDefault(path)) == NULL ||
                 PyObject_SetAttrString(exc, "path", v) < 0))
        bad = 1;
    Py_XDECREF(v);
    if (!bad && ((v = PyLong_FromUnsignedLongLong(e ? e->line : 0)) == NULL ||
                 PyObject_SetAttrString(exc, "line", v) < 0))
        bad = 1;
    Py_XDECREF(v);
    if (!bad && ((v = PyLong_FromUnsignedLongLong(e ? e->offset : 0)) == NULL ||
                 PyObject_SetAttrString(exc, "offset", v) < 0))
        bad = 1;
    Py_XDECREF(v);
    if (!bad && st == RP_ERR_IO && e != NULL && e->sys_errno) {
        if ((v = PyLong_FromLong(e->sys_errno)) == NULL ||
            PyObject_SetAttrString(exc, "errno", v) < 0)
            bad = 1;
        Py_XDECREF(v);
    }
    if (!bad) PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

/* A zeroed rp_error, so that a status without details still reads well. */
static void err_clear(rp_error *e)
{
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------------------
 * Text arguments: str (UTF-8 of it, offsets in code points) or any bytes-like
 * ------------------------------------------------------------------------ */

typedef struct text_arg {
    const char *p;
    size_t len;
    int is_str;   /* offsets are converted to code points */
    int ascii;    /* str of ASCII only: code points == bytes */
    int has_view; /* view must be released */
    Py_buffer view;
} text_arg;

static int text_get(PyObject *o, text_arg *t, const char *what)
{
    memset(t, 0, sizeof *t);
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        t->p = PyUnicode_AsUTF8AndSize(o, &n);
        if (t->p == NULL) return -1;
        t->len = (size_t)n;
        t->is_str = 1;
        t->ascii = PyUnicode_IS_ASCII(o);
        return 0;
    }
    if (PyObject_GetBuffer(o, &t->view, PyBUF_SIMPLE) < 0) {
        PyErr_Format(PyExc_TypeError, "%s must be str or bytes-like, not %.100s", what,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    t->has_view = 1;
    t->p = t->view.buf;
    t->len = (size_t)t->view.len;
    return 0;
}

static void text_release(text_arg *t)
{
    if (t->has_view) PyBuffer_Release(&t->view);
    t->has_view = 0;
}

static int cmp_slot(const void *x, const void *y)
{
    uint64_t a = **(uint64_t *const *)x, b = **(uint64_t *const *)y;
    return (a > b) - (a < b);
}

/* Turn byte offsets into UTF-8 text into code point offsets, in place: each
 * *slots[i] is a byte offset on entry. One pass over the text after sorting
 * the offsets. Returns -1 when out of memory. */
static int bytes_to_chars(const char *text, size_t len, uint64_t **slots, size_t n)
{
    if (n == 0) return 0;
    qsort(slots, n, sizeof *slots, cmp_slot);
    size_t pos = 0;
    uint64_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t target = *slots[i];
        while (pos < target && pos < len) {
            if (((unsigned char)text[pos] & 0xC0) != 0x80) chars++;
            pos++;
        }
        *slots[i] = chars;
    }
    return 0;
}

/* Offsets of passages, 4 per passage (a_start, a_end, b_start, b_end), in
 * the units the caller gave: code points on a side that came from a str. */
static uint64_t *passage_offsets(const rp_result *r, const rp_doc *a, int a_chars, const rp_doc *b,
                                 int b_chars, size_t *n_out)
{
    size_t n;
    const rp_passage *p = rp_result_passages(r, &n);
    *n_out = n;
    uint64_t *off = malloc((4 * n + 1) * sizeof *off);
    uint64_t **slots = malloc((2 * n + 1) * sizeof *slots);
    if (off == NULL || slots == NULL) {
        free(off);
        free(slots);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        off[4 * i] = p[i].a_start;
        off[4 * i + 1] = p[i].a_end;
        off[4 * i + 2] = p[i].b_start;
        off[4 * i + 3] = p[i].b_end;
    }
    for (int side = 0; side < 2; side++) {
        if (!(side ? b_chars : a_chars)) continue;
        size_t len;
        const char *t = rp_doc_text(side ? b : a, &len);
        for (size_t i = 0; i < n; i++) {
            slots[2 * i] = &off[4 * i + 2 * (size_t)side];
            slots[2 * i + 1] = &off[4 * i + 2 * (size_t)side + 1];
        }
        bytes_to_chars(t, len, slots, 2 * n);
    }
    free(slots);
    return off;
}

/* ------------------------------------------------------------------------
 * Named tuples
 * ------------------------------------------------------------------------ */

static PyTypeObject PassageType, MatchType, ScanPairType;

static PyStructSequence_Field passage_fields[] = {
    {"a_start", "start of the passage in A (code points for str input, else bytes)"},
    {"a_end", "end of the passage in A, exclusive"},
    {"b_start", "start of the passage in B"},
    {"b_end", "end of the passage in B, exclusive"},
    {"tokens", "words matched between the two sides"},
    {"similarity", "2 * matched / (words of the A side + words of the B side)"},
    {NULL, NULL}};
static PyStructSequence_Desc passage_desc = {
    "reprint.Passage",
    "A reused passage: half-open ranges [a_start, a_end) of A and [b_start, b_end) of B,\n"
    "ready for slicing the text you passed in.",
    passage_fields, 6};

static PyStructSequence_Field match_fields[] = {
    {"id", "the indexed document's id (str)"},
    {"shared", "distinct fingerprints the two documents share"},
    {"containment_a", "share of the indexed document's words inside passages"},
    {"containment_b", "share of the query's words inside passages"},
    {"jaccard", "exact word 5-gram Jaccard similarity"},
    {"similarity", "similarity of the passages as a whole"},
    {"verdict", "non-derived, partially-derived or wholly-derived"},
    {"passages", "list of Passage; A is the indexed document, B the query"},
    {"meta", "the meta data stored with the document (dict for JSON objects), or None"},
    {NULL, NULL}};
static PyStructSequence_Desc match_desc = {
    "reprint.Match", "One indexed document that shares passages with a query.", match_fields, 9};

static PyStructSequence_Field scanpair_fields[] = {
    {"a", "number of the first document (order of input), a < b"},
    {"b", "number of the second document"},
    {"a_id", "id of the first document"},
    {"b_id", "id of the second document"},
    {"shared", "distinct fingerprints they share"},
    {"containment_a", "share of A's words inside passages"},
    {"containment_b", "share of B's words inside passages"},
    {"jaccard", "exact word 5-gram Jaccard similarity"},
    {"similarity", "similarity of the passages as a whole"},
    {"passages", "list of Passage"},
    {NULL, NULL}};
static PyStructSequence_Desc scanpair_desc = {
    "reprint.ScanPair",
    "A pair of corpus documents sharing reused passages, as `reprint scan` reports.",
    scanpair_fields, 10};

/* A list of Passage from n passages (their tokens and similarities) and
 * their offsets off (4 per passage) in the caller's units. */
static PyObject *passage_list(const rp_passage *p, size_t n, const uint64_t *off)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *t = PyStructSequence_New(&PassageType);
        if (t == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        for (int k = 0; k < 4; k++)
            PyStructSequence_SET_ITEM(t, k, PyLong_FromUnsignedLongLong(off[4 * i + (size_t)k]));
        PyStructSequence_SET_ITEM(t, 4, PyLong_FromSize_t(p[i].tokens));
        PyStructSequence_SET_ITEM(t, 5, PyFloat_FromDouble(p[i].similarity));
        if (PyErr_Occurred()) {
            Py_DECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* ------------------------------------------------------------------------
 * Result: one comparison
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD rp_doc *a, *b;
    rp_result *r;
    int a_chars, b_chars;
    uint64_t *off;
    size_t n;
    PyObject *passages; /* cached list */
} ResultObject;

static PyTypeObject ResultType;

static void result_dealloc(ResultObject *self)
{
    rp_result_free(self->r);
    rp_doc_free(self->a);
    rp_doc_free(self->b);
    free(self->off);
    Py_XDECREF(self->passages);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *result_get_double(ResultObject *self, void *which)
{
    double (*fn)(const rp_result *) = (double (*)(const rp_result *))which;
    return PyFloat_FromDouble(fn(self->r));
}

static PyObject *result_verdict(ResultObject *self, void *unused)
{
    (void)unused;
    return PyUnicode_FromString(rp_verdict_name(rp_result_verdict(self->r)));
}

static PyObject *result_passages(ResultObject *self, void *unused)
{
    (void)unused;
    if (self->passages == NULL) {
        size_t n;
        const rp_passage *p = rp_result_passages(self->r, &n);
        self->passages = passage_list(p, n, self->off);
    }
    Py_XINCREF(self->passages);
    return self->passages;
}

static PyObject *doc_tokens_count(const rp_doc *d)
{
    size_t n;
    rp_doc_tokens(d, &n);
    return PyLong_FromSize_t(n);
}

static PyObject *result_a_tokens(ResultObject *self, void *unused)
{
    (void)unused;
    return doc_tokens_count(self->a);
}

static PyObject *result_b_tokens(ResultObject *self, void *unused)
{
    (void)unused;
    return doc_tokens_count(self->b);
}

typedef int (*render_fn)(FILE *, const rp_doc *, const rp_doc *, const rp_result *);

/* Run a renderer of cli/ into memory, GIL released; the output as str. */
static PyObject *render_string(ResultObject *self, render_fn fn)
{
    char *buf = NULL;
    size_t size = 0;
    int rc = -1;
    Py_BEGIN_ALLOW_THREADS;
    FILE *f = open_memstream(&buf, &size);
    if (f != NULL) {
        rc = fn(f, self->a, self->b, self->r);
        if (fclose(f) != 0) rc = -1;
    }
    Py_END_ALLOW_THREADS;
    if (rc != 0) {
        free(buf);
        return PyErr_NoMemory();
    }
    while (size > 0 && buf[size - 1] == '\n')
        size--;
    PyObject *s = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)size, "surrogateescape");
    free(buf);
    return s;
}

static PyObject *json_module;

static PyObject *result_to_dict(ResultObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *s = render_string(self, render_json);
    if (s == NULL) return NULL;
    PyObject *d = PyObject_CallMethod(json_module, "loads", "O", s);
    Py_DECREF(s);
    if (d == NULL || !(self->a_chars || self->b_chars)) return d;
    /* str input: the passages' offsets in code points, as in .passages */
    PyObject *ps = PyDict_GetItemString(d, "passages");
    static const char *keys[4] = {"a_start", "a_end", "b_start", "b_end"};
    for (size_t i = 0; ps != NULL && i < self->n; i++) {
        PyObject *p = PyList_GET_ITEM(ps, (Py_ssize_t)i);
        for (int k = 0; k < 4; k++) {
            PyObject *v = PyLong_FromUnsignedLongLong(self->off[4 * i + (size_t)k]);
            if (v == NULL || PyDict_SetItemString(p, keys[k], v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(v);
        }
    }
    return d;
}

/* The byte range of tokens [t0, t1) of d; an empty range is the point after
 * token t0 - 1 (or the start of token t0 when t0 is 0). */
static void token_span(const rp_doc *d, size_t t0, size_t t1, uint64_t *start, uint64_t *end)
{
    size_t n;
    const rp_token *tok = rp_doc_tokens(d, &n);
    if (t0 < t1 && t1 <= n) {
        *start = tok[t0].start;
        *end = tok[t1 - 1].end;
    } else if (t0 > 0 && t0 <= n) {
        *start = *end = tok[t0 - 1].end;
    } else {
        *start = *end = n > 0 ? tok[0].start : 0;
    }
}

static PyObject *result_edits(ResultObject *self, PyObject *arg)
{
    static const char *ops[4] = {"equal", "delete", "insert", "replace"};
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred()) return NULL;
    size_t n_pass;
    rp_result_passages(self->r, &n_pass);
    if (i < 0 || (size_t)i >= n_pass) {
        PyErr_SetString(PyExc_IndexError, "passage index out of range");
        return NULL;
    }
    size_t n;
    const rp_edit *e = rp_result_edits(self->r, (size_t)i, &n);
    uint64_t *off = PyMem_Malloc((4 * n + 1) * sizeof *off);
    uint64_t **slots = PyMem_Malloc((2 * n + 1) * sizeof *slots);
    if (off == NULL || slots == NULL) {
        PyMem_Free(off);
        PyMem_Free(slots);
        return PyErr_NoMemory();
    }
    for (size_t k = 0; k < n; k++) {
        token_span(self->a, e[k].a_tok, e[k].a_tok_end, &off[4 * k], &off[4 * k + 1]);
        token_span(self->b, e[k].b_tok, e[k].b_tok_end, &off[4 * k + 2], &off[4 * k + 3]);
    }
    for (int side = 0; side < 2; side++) {
        if (!(side ? self->b_chars : self->a_chars)) continue;
        size_t len;
        const char *t = rp_doc_text(side ? self->b : self->a, &len);
        for (size_t k = 0; k < n; k++) {
            slots[2 * k] = &off[4 * k + 2 * (size_t)side];
            slots[2 * k + 1] = &off[4 * k + 2 * (size_t)side + 1];
        }
        bytes_to_chars(t, len, slots, 2 * n);
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t k = 0; list != NULL && k < n; k++) {
        int op = (int)e[k].op;
        PyObject *t =
            Py_BuildValue("(sKKKK)", (op >= 0 && op < 4) ? ops[op] : "unknown",
                          (unsigned long long)off[4 * k], (unsigned long long)off[4 * k + 1],
                          (unsigned long long)off[4 * k + 2], (unsigned long long)off[4 * k + 3]);
        if (t == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)k, t);
    }
    PyMem_Free(off);
    PyMem_Free(slots);
    return list;
}

static PyObject *result_html(ResultObject *self, PyObject *unused)
{
    (void)unused;
    return render_string(self, render_html);
}

static PyObject *result_repr(ResultObject *self)
{
    size_t n;
    rp_result_passages(self->r, &n);
    char buf[160];
    snprintf(buf, sizeof buf, "<reprint.Result %s, %zu passages, containment_b=%.4f>",
             rp_verdict_name(rp_result_verdict(self->r)), n, rp_result_containment_b(self->r));
    return PyUnicode_FromString(buf);
}

static PyGetSetDef result_getset[] = {
    {"jaccard", (getter)result_get_double, NULL, "exact word n-gram Jaccard similarity of A and B",
     (void *)rp_result_jaccard},
    {"containment_a", (getter)result_get_double, NULL, "share of A's words inside passages",
     (void *)rp_result_containment_a},
    {"containment_b", (getter)result_get_double, NULL, "share of B's words inside passages",
     (void *)rp_result_containment_b},
    {"shingles_a", (getter)result_get_double, NULL, "share of A's distinct n-grams that occur in B",
     (void *)rp_result_shingles_a},
    {"shingles_b", (getter)result_get_double, NULL, "share of B's distinct n-grams that occur in A",
     (void *)rp_result_shingles_b},
    {"similarity", (getter)result_get_double, NULL,
     "similarity of the passages as a whole (0 without passages)", (void *)rp_result_similarity},
    {"verdict", (getter)result_verdict, NULL,
     "'non-derived', 'partially-derived' or 'wholly-derived' (how B relates to A)", NULL},
    {"passages", (getter)result_passages, NULL,
     "list of Passage, sorted by a_start; offsets are str indices for str input, byte offsets "
     "for bytes input",
     NULL},
    {"a_tokens", (getter)result_a_tokens, NULL, "words in A", NULL},
    {"b_tokens", (getter)result_b_tokens, NULL, "words in B", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef result_methods[] = {
    {"to_dict", (PyCFunction)result_to_dict, METH_NOARGS,
     "to_dict() -> dict\n\nThe JSON object of `reprint compare --format json` (scores rounded to 4 "
     "decimals). Passage offsets are in the units of the input: equal to the CLI's for bytes."},
    {"edits", (PyCFunction)result_edits, METH_O,
     "edits(i) -> list of (op, a_start, a_end, b_start, b_end)\n\nThe alignment inside passage "
     "i: runs of words that are 'equal' on both sides, only in A ('delete'), only in B "
     "('insert') or that differ ('replace'), in order, with offsets in the input's units (an "
     "empty side is the point between two words)."},
    {"html", (PyCFunction)result_html, METH_NOARGS,
     "html() -> str\n\nThe self-contained HTML report of `reprint compare --format html`."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ResultType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint.Result",
    .tp_basicsize = sizeof(ResultObject),
    .tp_dealloc = (destructor)result_dealloc,
    .tp_repr = (reprfunc)result_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The comparison of two texts: scores, verdict and passages (see reprint.compare).",
    .tp_getset = result_getset,
    .tp_methods = result_methods,
};

static PyObject *py_compare(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *kwlist[] = {"a",      "b",      "min_words", "jaccard_ngram", "lossy", "seed",
                             "name_a", "name_b", NULL};
    PyObject *oa, *ob;
    Py_ssize_t min_words = 8, ngram = 5;
    int lossy = 0;
    unsigned long long seed = RP_HASH_SEED_DEFAULT;
    const char *name_a = "a", *name_b = "b";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$nnpKss", kwlist, &oa, &ob, &min_words, &ngram,
                                     &lossy, &seed, &name_a, &name_b))
        return NULL;
    if (min_words < 1 || ngram < 1) {
        rp_error e;
        err_clear(&e);
        e.code = RP_ERR_PARAM;
        snprintf(e.msg, sizeof e.msg, "%s must be at least 1",
                 min_words < 1 ? "min_words" : "jaccard_ngram");
        return raise_rp(RP_ERR_PARAM, &e);
    }
    text_arg ta, tb;
    if (text_get(oa, &ta, "a") < 0) return NULL;
    if (text_get(ob, &tb, "b") < 0) {
        text_release(&ta);
        return NULL;
    }
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.lossy = lossy;
    to.seed = seed;
    rp_compare_opts co;
    rp_compare_opts_init(&co);
    co.min_words = (size_t)min_words;
    co.jaccard_ngram = (size_t)ngram;
    rp_error err;
    err_clear(&err);
    rp_doc *a = NULL, *b = NULL;
    rp_result *r = NULL;
    rp_status st;
    int a_chars = ta.is_str && !ta.ascii, b_chars = tb.is_str && !tb.ascii;
    Py_BEGIN_ALLOW_THREADS;
    st = rp_doc_new(name_a, ta.p, ta.len, &to, &a, &err);
    if (st == RP_OK) st = rp_doc_new(name_b, tb.p, tb.len, &to, &b, &err);
    if (st == RP_OK) st = rp_compare(a, b, &co, &r, &err);
    Py_END_ALLOW_THREADS;
    text_release(&ta);
    text_release(&tb);
    if (st != RP_OK) {
        rp_doc_free(a);
        rp_doc_free(b);
        return raise_rp(st, &err);
    }
    ResultObject *res = PyObject_New(ResultObject, &ResultType);
    if (res == NULL) {
        rp_result_free(r);
        rp_doc_free(a);
        rp_doc_free(b);
        return NULL;
    }
    res->a = a;
    res->b = b;
    res->r = r;
    res->a_chars = a_chars;
    res->b_chars = b_chars;
    res->passages = NULL;
    res->off = passage_offsets(r, a, a_chars, b, b_chars, &res->n);
    if (res->off == NULL) {
        Py_DECREF(res);
        return PyErr_NoMemory();
    }
    return (PyObject *)res;
}

/* ------------------------------------------------------------------------
 * dedup: rp_dedup_run() in a child process
 * ------------------------------------------------------------------------
 *
 * The library offers no way to cancel a run, and a run over a large corpus
 * takes minutes, so it runs in a forked child that only executes C code
 * (no Python), writes its outcome to an unlinked temporary file, and exits.
 * The parent waits with the GIL released, checking for signals every few
 * milliseconds; on Ctrl-C it kills the child, removes the partial output
 * and raises KeyboardInterrupt. Record layout of the outcome file (native
 * byte order, read back by the same build):
 *   int32 status, rp_error; if OK: rp_dedup_stats, uint64 n (documents
 *   with ids), n x {uint64 representative, uint64 id_len, id bytes};
 *   pairs {uint64 a, uint64 b, double similarity} ending with a = UINT64_MAX;
 *   int32 status, rp_error of reading pairs and writing the output. */

/* Write s[0..n) as the body of a JSON string. */
static void json_escape(FILE *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        fwrite(s + run, 1, i - run, f);
        run = i + 1;
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default: fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]); break;
        }
    }
    fwrite(s + run, 1, n - run, f);
}

/* The (id, text) tuples of an iterable (id a str, text a str or bytes-like)
 * as a temporary JSONL file of {"id":...,"text":...} lines in dir (NULL: $TMPDIR or /tmp). Returns
 * the path (PyMem_Free it, and unlink the file) or NULL with an exception set. */
static char *spool_texts(PyObject *iterable, const char *dir, uint64_t *n_docs)
{
    if (dir == NULL) dir = getenv("TMPDIR");
    if (dir == NULL || !dir[0]) dir = "/tmp";
    size_t cap = strlen(dir) + 32;
    char *path = PyMem_Malloc(cap);
    if (path == NULL) return (char *)PyErr_NoMemory();
    snprintf(path, cap, "%s/reprint-py-XXXXXX.jsonl", dir);
    int fd = mkstemps(path, 6);
    if (fd < 0) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        PyMem_Free(path);
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    PyObject *it = f != NULL ? PyObject_GetIter(iterable) : NULL;
    PyObject *item;
    uint64_t n = 0;
    int ok = it != NULL;
    if (f == NULL) PyErr_SetFromErrno(PyExc_OSError);
    while (ok && (item = PyIter_Next(it)) != NULL) {
        text_arg t;
        const char *id;
        Py_ssize_t id_len;
        PyObject *text;
        if (!PyArg_ParseTuple(item, "s#O", &id, &id_len, &text) ||
            text_get(text, &t, "a document") < 0) {
            Py_DECREF(item);
            ok = 0;
            break;
        }
        fputs("{\"id\":\"", f);
        json_escape(f, id, (size_t)id_len);
        fputs("\",\"text\":\"", f);
        json_escape(f, t.p, t.len);
        fputs("\"}\n", f);
        text_release(&t);
        Py_DECREF(item);
        n++;
        if (n % 1024 == 0 && PyErr_CheckSignals() < 0) ok = 0;
    }
    if (ok && PyErr_Occurred()) ok = 0;
    Py_XDECREF(it);
    if (f != NULL && (fclose(f) != 0 && ok)) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        ok = 0;
    }
    if (f == NULL) close(fd);
    if (!ok) {
        unlink(path);
        PyMem_Free(path);
        return NULL;
    }
    *n_docs = n;
    return path;
}

/* A sequence of bytes paths as a C array. On success *seq holds the
 * sequence that owns the strings (Py_DECREF it after use) and the array is
 * returned (PyMem_Free it); NULL with an exception set otherwise. */
static const char **paths_get(PyObject *paths, PyObject **seq, size_t *n_out)
{
    *seq = PySequence_Fast(paths, "paths must be a sequence of paths");
    if (*seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(*seq);
    const char **pv = PyMem_Malloc(((size_t)n + 1) * sizeof *pv);
    if (pv == NULL) PyErr_NoMemory();
    for (Py_ssize_t i = 0; pv != NULL && i < n; i++) {
        PyObject *p = PySequence_Fast_GET_ITEM(*seq, i);
        if (!PyBytes_Check(p)) {
            PyErr_SetString(PyExc_TypeError, "paths must be bytes (os.fsencode)");
            PyMem_Free(pv);
            pv = NULL;
            break;
        }
        pv[i] = PyBytes_AS_STRING(p);
    }
    if (pv == NULL) Py_CLEAR(*seq);
    *n_out = (size_t)n;
    return pv;
}

typedef struct dedup_job {
    const char *const *paths;
    size_t n_paths;
    rp_dedup_opts o;
    const char *against; /* index path, opened in the child */
    const char *output;
} dedup_job;

/* The child: run, write the outcome to f, never return. */
static void dedup_child(dedup_job *job, FILE *f)
{
    signal(SIGINT, SIG_IGN); /* the parent decides; it kills us */
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    rp_error err;
    err_clear(&err);
    rp_index *idx = NULL;
    rp_status st = RP_OK;
    if (job->against != NULL) {
        rp_index_opts io;
        rp_index_opts_init(&io);
        io.readonly = 1;
        st = rp_index_open(job->against, &io, &idx, &err);
        job->o.against = idx;
    }
    rp_dedup *d = NULL;
    if (st == RP_OK) st = rp_dedup_run(job->paths, job->n_paths, &job->o, &d, &err);
    int32_t s32 = (int32_t)st;
    fwrite(&s32, sizeof s32, 1, f);
    fwrite(&err, sizeof err, 1, f);
    if (st == RP_OK) {
        const rp_dedup_stats *s = rp_dedup_get_stats(d);
        fwrite(s, sizeof *s, 1, f);
        uint64_t n = s->docs + s->against_docs;
        fwrite(&n, sizeof n, 1, f);
        for (uint64_t i = 0; i < n; i++) {
            size_t len = 0;
            const char *id = rp_dedup_id(d, i, &len);
            uint64_t rec[2] = {rp_dedup_representative(d, i), (uint64_t)len};
            fwrite(rec, sizeof rec, 1, f);
            fwrite(id, 1, len, f);
        }
        uint64_t a, b;
        double sim;
        rp_status pst = RP_OK;
        while (rp_dedup_next_pair(d, &a, &b, &sim, &pst, &err)) {
            fwrite(&a, sizeof a, 1, f);
            fwrite(&b, sizeof b, 1, f);
            fwrite(&sim, sizeof sim, 1, f);
        }
        uint64_t end[2] = {UINT64_MAX, 0};
        double zero = 0;
        fwrite(end, sizeof end, 1, f);
        fwrite(&zero, sizeof zero, 1, f);
        if (pst == RP_OK && job->output != NULL) pst = rp_dedup_write(d, job->output, &err);
        s32 = (int32_t)pst;
        fwrite(&s32, sizeof s32, 1, f);
        fwrite(&err, sizeof err, 1, f);
    }
    int bad = fflush(f) != 0 || ferror(f);
    _exit(bad ? 3 : 0);
}

static int read_exact(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

#define DICT_SET(d, key, expr)                                                                     \
    do {                                                                                           \
        PyObject *v_ = (expr);                                                                     \
        if (v_ == NULL || PyDict_SetItemString(d, key, v_) < 0) {                                  \
            Py_XDECREF(v_);                                                                        \
            goto fail;                                                                             \
        }                                                                                          \
        Py_DECREF(v_);                                                                             \
    } while (0)

static PyObject *dedup_stats_dict(const rp_dedup_stats *s)
{
    PyObject *d = PyDict_New();
    if (d == NULL) return NULL;
    DICT_SET(d, "docs", PyLong_FromUnsignedLongLong(s->docs));
    DICT_SET(d, "bytes", PyLong_FromUnsignedLongLong(s->bytes));
    DICT_SET(d, "empty", PyLong_FromUnsignedLongLong(s->empty));
    DICT_SET(d, "skipped", PyLong_FromUnsignedLongLong(s->skipped));
    DICT_SET(d, "candidates", PyLong_FromUnsignedLongLong(s->candidates));
    DICT_SET(d, "exact_checks", PyLong_FromUnsignedLongLong(s->exact_checks));
    DICT_SET(d, "pairs", PyLong_FromUnsignedLongLong(s->pairs));
    DICT_SET(d, "clusters", PyLong_FromUnsignedLongLong(s->clusters));
    DICT_SET(d, "removed", PyLong_FromUnsignedLongLong(s->removed));
    DICT_SET(d, "against_docs", PyLong_FromUnsignedLongLong(s->against_docs));
    DICT_SET(d, "against_removed", PyLong_FromUnsignedLongLong(s->against_removed));
    DICT_SET(d, "bands", PyLong_FromSize_t(s->bands));
    DICT_SET(d, "rows", PyLong_FromSize_t(s->rows));
    DICT_SET(d, "seconds", PyFloat_FromDouble(s->seconds));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* Read the child's outcome into (stats, ids, representatives, pairs). */
static PyObject *dedup_read_outcome(FILE *f, const char *spool)
{
    int32_t s32;
    rp_error err;
    rp_dedup_stats s;
    uint64_t n;
    PyObject *ids = NULL, *reps = NULL, *pairs = NULL, *stats = NULL;
    if (fseek(f, 0, SEEK_SET) != 0 || read_exact(f, &s32, sizeof s32) ||
        read_exact(f, &err, sizeof err))
        goto short_file;
    if (s32 != RP_OK) {
        /* errors about the spooled texts name the documents, not the file */
        if (spool != NULL && strcmp(err.path, spool) == 0) {
            snprintf(err.path, sizeof err.path, "document %llu",
                     (unsigned long long)(err.line ? err.line - 1 : 0));
            err.line = 0;
        }
        return raise_rp((rp_status)s32, &err);
    }
    if (read_exact(f, &s, sizeof s) || read_exact(f, &n, sizeof n)) goto short_file;
    ids = PyList_New((Py_ssize_t)n);
    reps = PyList_New((Py_ssize_t)n);
    pairs = PyList_New(0);
    if (ids == NULL || reps == NULL || pairs == NULL) goto fail;
    char *buf = NULL;
    size_t cap = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t rec[2];
        if (read_exact(f, rec, sizeof rec)) goto short_file_buf;
        if (rec[1] + 1 > cap) {
            cap = (size_t)rec[1] + 64;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                PyErr_NoMemory();
                goto fail;
            }
            buf = nb;
        }
        if (read_exact(f, buf, (size_t)rec[1])) goto short_file_buf;
        PyObject *id = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)rec[1], "surrogateescape");
        PyObject *rep = PyLong_FromUnsignedLongLong(rec[0]);
        if (id == NULL || rep == NULL) {
            Py_XDECREF(id);
            Py_XDECREF(rep);
            free(buf);
            goto fail;
        }
        PyList_SET_ITEM(ids, (Py_ssize_t)i, id);
        PyList_SET_ITEM(reps, (Py_ssize_t)i, rep);
    }
    free(buf);
    for (;;) {
        uint64_t ab[2];
        double sim;
        if (read_exact(f, ab, sizeof ab) || read_exact(f, &sim, sizeof sim)) goto short_file;
        if (ab[0] == UINT64_MAX) break;
        PyObject *t =
            Py_BuildValue("(KKd)", (unsigned long long)ab[0], (unsigned long long)ab[1], sim);
        if (t == NULL || PyList_Append(pairs, t) < 0) {
            Py_XDECREF(t);
            goto fail;
        }
        Py_DECREF(t);
    }
    if (read_exact(f, &s32, sizeof s32) || read_exact(f, &err, sizeof err)) goto short_file;
    if (s32 != RP_OK) {
        raise_rp((rp_status)s32, &err);
        goto fail;
    }
    stats = dedup_stats_dict(&s);
    if (stats == NULL) goto fail;
    return Py_BuildValue("(NNNN)", stats, ids, reps, pairs);
short_file_buf:
    free(buf);
short_file:
    PyErr_SetString(PyExc_RuntimeError,
                    "reprint.dedup: the worker process ended without its result");
fail:
    Py_XDECREF(ids);
    Py_XDECREF(reps);
    Py_XDECREF(pairs);
    Py_XDECREF(stats);
    return NULL;
}

/* Fork, run the job in the child, wait for it here with the GIL released
 * and signals checked. Returns the outcome tuple or NULL. */
static PyObject *dedup_fork_and_wait(dedup_job *job, const char *spool)
{
    FILE *f = tmpfile();
    if (f == NULL) return PyErr_SetFromErrno(PyExc_OSError);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fclose(f);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (pid == 0) dedup_child(job, f); /* does not return */
    int status = 0, done = 0, interrupted = 0;
    while (!done) {
        Py_BEGIN_ALLOW_THREADS;
        for (int i = 0; i < 10 && !done; i++) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR)) {
                done = 1;
                break;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        Py_END_ALLOW_THREADS;
        if (!done && PyErr_CheckSignals() < 0) {
            interrupted = 1;
            break;
        }
    }
    if (interrupted) {
        kill(pid, SIGKILL);
        Py_BEGIN_ALLOW_THREADS;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        Py_END_ALLOW_THREADS;
        fclose(f);
        if (job->output != NULL && strcmp(job->output, "-") != 0) unlink(job->output);
        return NULL;
    }
    PyObject *res;
    if (WIFSIGNALED(status)) {
        PyErr_Format(PyExc_RuntimeError,
                     "reprint.dedup: the worker process was killed by signal %d", WTERMSIG(status));
        res = NULL;
    } else {
        res = dedup_read_outcome(f, spool);
    }
    fclose(f);
    return res;
}

static PyObject *py_dedup(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *kwlist[] = {"texts",     "paths",  "threshold",  "ngram",    "num_perm", "seed",
                             "bands",     "rows",   "verify",     "keep",     "strict",   "threads",
                             "mem_limit", "tmpdir", "text_field", "id_field", "skip_bad", "lossy",
                             "against",   "output", NULL};
    PyObject *texts, *paths;
    double threshold = 0.8;
    Py_ssize_t ngram = 5, hashes = 128, bands = 0, rows = 0, threads = 0, mem_limit = 0;
    unsigned long long seed = RP_HASH_SEED_DEFAULT;
    const char *verify = "auto", *keep = "first", *tmpdir = NULL, *text_field = NULL,
               *id_field = NULL, *against = NULL, *output = NULL;
    int strict = 0, skip_bad = 0, lossy = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$dnnKnnsspnnzzzppzz", kwlist, &texts, &paths,
                                     &threshold, &ngram, &hashes, &seed, &bands, &rows, &verify,
                                     &keep, &strict, &threads, &mem_limit, &tmpdir, &text_field,
                                     &id_field, &skip_bad, &lossy, &against, &output))
        return NULL;
    if (ngram < 0 || hashes < 0 || bands < 0 || rows < 0 || threads < 0 || mem_limit < 0) {
        PyErr_SetString(PyExc_ValueError, "sizes must not be negative");
        return NULL;
    }
    dedup_job job;
    memset(&job, 0, sizeof job);
    rp_dedup_opts_init(&job.o);
    job.o.threshold = threshold;
    job.o.sketch.ngram = (size_t)ngram;
    job.o.sketch.hashes = (size_t)hashes;
    job.o.sketch.seed = seed;
    job.o.sketch.lossy = lossy;
    job.o.source.lossy = lossy;
    job.o.source.skip_bad = skip_bad;
    job.o.source.text_field = text_field;
    job.o.source.id_field = id_field;
    job.o.bands = (size_t)bands;
    job.o.rows = (size_t)rows;
    job.o.strict = strict;
    job.o.threads = (size_t)threads;
    job.o.mem_limit = (size_t)mem_limit;
    job.o.tmpdir = tmpdir;
    if (strcmp(verify, "auto") == 0)
        job.o.verify = RP_VERIFY_AUTO;
    else if (strcmp(verify, "exact") == 0)
        job.o.verify = RP_VERIFY_EXACT;
    else if (strcmp(verify, "signature") == 0)
        job.o.verify = RP_VERIFY_SIGNATURE;
    else {
        PyErr_SetString(PyExc_ValueError, "verify must be 'auto', 'exact' or 'signature'");
        return NULL;
    }
    if (strcmp(keep, "first") == 0)
        job.o.keep = RP_KEEP_FIRST;
    else if (strcmp(keep, "longest") == 0)
        job.o.keep = RP_KEEP_LONGEST;
    else {
        PyErr_SetString(PyExc_ValueError, "keep must be 'first' or 'longest'");
        return NULL;
    }
    job.against = against;
    job.output = output;

    char *spool = NULL;
    const char **pv = NULL, *one[1];
    PyObject *encoded = NULL, *res = NULL;
    uint64_t n_docs = 0;
    if (texts != Py_None) {
        job.o.source.text_field = NULL; /* the spool's own members */
        job.o.source.id_field = NULL;
        spool = spool_texts(texts, tmpdir, &n_docs);
        if (spool == NULL) return NULL;
        one[0] = spool;
        job.paths = one;
        job.n_paths = 1;
    } else {
        pv = paths_get(paths, &encoded, &job.n_paths);
        if (pv == NULL) return NULL;
        job.paths = pv;
    }
    res = dedup_fork_and_wait(&job, spool);
    if (spool != NULL) {
        unlink(spool);
        PyMem_Free(spool);
    }
    PyMem_Free(pv);
    Py_XDECREF(encoded);
    return res;
}

/* ------------------------------------------------------------------------
 * _Scan: rp_scan with a streaming iterator
 * ------------------------------------------------------------------------ */

/* One reported pair, copied out of the callback for the iterator. */
typedef struct scan_item {
    size_t a, b, shared, n;
    char *a_id, *b_id;
    size_t a_id_len, b_id_len;
    double ca, cb, jac, sim;
    uint64_t *off;    /* 4 per passage, in the caller's units */
    rp_passage *pass; /* the passages (tokens, similarity) */
} scan_item;

#define SCAN_QUEUE 64

/* What the worker thread shares with the iterator. It outlives the Python
 * object when the iterator is closed while the worker is inside a stage that
 * does not report pairs (sorting fingerprints): the worker is then told to
 * stop, detached, and frees this itself when rp_scan_run() returns. */
typedef struct scan_core {
    rp_scan *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int started, done, stop, orphan;
    rp_status st; /* of rp_scan_run */
    rp_error err;
    scan_item q[SCAN_QUEUE];
    size_t head, count;
    unsigned char *is_str; /* per document: offsets in code points */
    size_t n_docs, cap_docs;
} scan_core;

typedef struct {
    PyObject_HEAD scan_core *c; /* NULL once closed */
    int in_next;                /* a thread is inside __next__ (GIL released at times) */
} ScanObject;

static void item_free(scan_item *it)
{
    free(it->a_id);
    free(it->b_id);
    free(it->off);
    free(it->pass);
    memset(it, 0, sizeof *it);
}

static char *dup_bytes(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        if (n) memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static rp_status scan_on_pair(void *user, const rp_scan_pair *pair)
{
    scan_core *so = user;
    scan_item it;
    memset(&it, 0, sizeof it);
    it.a = pair->a;
    it.b = pair->b;
    it.shared = pair->shared;
    it.ca = rp_result_containment_a(pair->result);
    it.cb = rp_result_containment_b(pair->result);
    it.jac = rp_result_jaccard(pair->result);
    it.sim = rp_result_similarity(pair->result);
    it.a_id = dup_bytes(pair->a_id, pair->a_id_len);
    it.b_id = dup_bytes(pair->b_id, pair->b_id_len);
    it.a_id_len = pair->a_id_len;
    it.b_id_len = pair->b_id_len;
    int a_chars = pair->a < so->n_docs && so->is_str[pair->a];
    int b_chars = pair->b < so->n_docs && so->is_str[pair->b];
    it.off = passage_offsets(pair->result, pair->doc_a, a_chars, pair->doc_b, b_chars, &it.n);
    const rp_passage *p = rp_result_passages(pair->result, &it.n);
    it.pass = malloc((it.n + 1) * sizeof *it.pass);
    if (it.a_id == NULL || it.b_id == NULL || it.off == NULL || it.pass == NULL) {
        item_free(&it);
        return RP_ERR_NOMEM;
    }
    if (it.n) memcpy(it.pass, p, it.n * sizeof *p);
    pthread_mutex_lock(&so->mu);
    while (so->count == SCAN_QUEUE && !so->stop)
        pthread_cond_wait(&so->cv, &so->mu);
    if (so->stop) {
        pthread_mutex_unlock(&so->mu);
        item_free(&it);
        return RP_ERR_PARAM; /* any status but OK ends the run */
    }
    so->q[(so->head + so->count) % SCAN_QUEUE] = it;
    so->count++;
    pthread_cond_broadcast(&so->cv);
    pthread_mutex_unlock(&so->mu);
    return RP_OK;
}

/* Release the core: pending items, the scan and its temporary files. */
static void core_free(scan_core *c)
{
    while (c->count > 0) {
        item_free(&c->q[c->head]);
        c->head = (c->head + 1) % SCAN_QUEUE;
        c->count--;
    }
    rp_scan_free(c->s);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->is_str);
    free(c);
}

static void *scan_thread(void *arg)
{
    scan_core *so = arg;
    rp_error err;
    err_clear(&err);
    rp_status st = rp_scan_run(so->s, scan_on_pair, so, &err);
    pthread_mutex_lock(&so->mu);
    so->st = st;
    so->err = err;
    so->done = 1;
    int orphan = so->orphan;
    pthread_cond_broadcast(&so->cv);
    pthread_mutex_unlock(&so->mu);
    if (orphan) core_free(so);
    return NULL;
}

/* Close: stop the worker; wait for it if it has finished or is about to
 * (GIL released), else leave it to free the core when its stage ends, so
 * that closing (and Ctrl-C) never waits for a long stage. */
static void scan_release(ScanObject *self)
{
    scan_core *c = self->c;
    if (c == NULL) return;
    self->c = NULL;
    if (!c->started) {
        core_free(c);
        return;
    }
    int done;
    Py_BEGIN_ALLOW_THREADS;
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    done = c->done;
    if (!done) c->orphan = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (done) {
        pthread_join(c->thread, NULL);
        core_free(c);
    } else {
        pthread_detach(c->thread);
    }
    Py_END_ALLOW_THREADS;
}

static int scan_init(ScanObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"ngram",           "window",  "max_df",  "min_shared", "min_words",
                             "min_containment", "against", "threads", "mem_limit",  "tmpdir",
                             "lossy",           "seed",    NULL};
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    Py_ssize_t ngram = (Py_ssize_t)o.ngram, window = (Py_ssize_t)o.window,
               max_df = (Py_ssize_t)o.max_df, min_shared = (Py_ssize_t)o.min_shared,
               min_words = (Py_ssize_t)o.min_words, threads = (Py_ssize_t)o.threads,
               mem_limit = (Py_ssize_t)o.mem_limit;
    double min_containment = o.min_containment;
    int against = 0, lossy = 0;
    unsigned long long seed = o.seed;
    const char *tmpdir = NULL;
    if (self->c != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_Scan.__init__ called twice");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$nnnnndpnnzpK", kwlist, &ngram, &window, &max_df,
                                     &min_shared, &min_words, &min_containment, &against, &threads,
                                     &mem_limit, &tmpdir, &lossy, &seed))
        return -1;
    if (ngram < 0 || window < 0 || max_df < 0 || min_shared < 0 || min_words < 0 || threads < 0 ||
        mem_limit < 0) {
        PyErr_SetString(PyExc_ValueError, "sizes must not be negative");
        return -1;
    }
    o.ngram = (size_t)ngram;
    o.window = (size_t)window;
    o.max_df = (size_t)max_df;
    o.min_shared = (size_t)min_shared;
    o.min_words = (size_t)min_words;
    o.min_containment = min_containment;
    o.against = against;
    o.threads = (size_t)threads;
    o.mem_limit = (size_t)mem_limit;
    o.tmpdir = tmpdir;
    o.lossy = lossy;
    o.seed = seed;
    rp_error err;
    err_clear(&err);
    scan_core *c = calloc(1, sizeof *c);
    if (c == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    rp_status st = rp_scan_new(&o, &c->s, &err);
    if (st != RP_OK) {
        free(c);
        raise_rp(st, &err);
        return -1;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    self->c = c;
    return 0;
}

static void scan_dealloc(ScanObject *self)
{
    scan_release(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int scan_ready(ScanObject *self)
{
    if (self->c == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the scan is closed");
        return -1;
    }
    if (self->c->started) {
        PyErr_SetString(PyExc_RuntimeError, "documents cannot be added once the scan runs");
        return -1;
    }
    return 0;
}

static int scan_note_doc(scan_core *self, int is_str)
{
    if (self->n_docs == self->cap_docs) {
        size_t cap = self->cap_docs ? 2 * self->cap_docs : 1024;
        unsigned char *p = realloc(self->is_str, cap);
        if (p == NULL) return -1;
        self->is_str = p;
        self->cap_docs = cap;
    }
    self->is_str[self->n_docs++] = (unsigned char)is_str;
    return 0;
}

static PyObject *scan_add(ScanObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"id", "text", "date", "set", NULL};
    const char *id, *date = NULL;
    Py_ssize_t id_len, date_len = 0;
    PyObject *text;
    int set = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y#O|z#i", kwlist, &id, &id_len, &text, &date,
                                     &date_len, &set))
        return NULL;
    if (scan_ready(self) < 0) return NULL;
    text_arg t;
    if (text_get(text, &t, "text") < 0) return NULL;
    rp_scan_input in = {id, (size_t)id_len, t.p, t.len, date, (size_t)date_len, set};
    rp_error err;
    err_clear(&err);
    rp_status st;
    Py_BEGIN_ALLOW_THREADS;
    st = rp_scan_add(self->c->s, &in, &err);
    Py_END_ALLOW_THREADS;
    int is_str = t.is_str && !t.ascii;
    text_release(&t);
    if (st != RP_OK) return raise_rp(st, &err);
    if (scan_note_doc(self->c, is_str) < 0) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyObject *scan_add_paths(ScanObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"paths", "set", "text_field", "id_field", "skip_bad", "lossy", NULL};
    PyObject *paths;
    int set = 0, skip_bad = 0, lossy = 0;
    const char *text_field = NULL, *id_field = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|izzpp", kwlist, &paths, &set, &text_field,
                                     &id_field, &skip_bad, &lossy))
        return NULL;
    if (scan_ready(self) < 0) return NULL;
    PyObject *seq;
    size_t n;
    const char **pv = paths_get(paths, &seq, &n);
    if (pv == NULL) return NULL;
    rp_source_opts so;
    rp_source_opts_init(&so);
    so.text_field = text_field;
    so.id_field = id_field;
    so.skip_bad = skip_bad;
    so.lossy = lossy;
    rp_error err;
    err_clear(&err);
    rp_source *src = NULL;
    rp_scan_stats before, after;
    rp_scan_get_stats(self->c->s, &before);
    rp_status st;
    Py_BEGIN_ALLOW_THREADS;
    st = rp_source_open(pv, n, &so, &src, &err);
    if (st == RP_OK) st = rp_scan_add_source(self->c->s, src, set, &err);
    rp_source_free(src);
    Py_END_ALLOW_THREADS;
    PyMem_Free(pv);
    Py_DECREF(seq);
    rp_scan_get_stats(self->c->s, &after);
    for (uint64_t i = before.documents; i < after.documents; i++)
        if (scan_note_doc(self->c, 0) < 0) return PyErr_NoMemory();
    if (st != RP_OK) return raise_rp(st, &err);
    return PyLong_FromUnsignedLongLong(after.documents - before.documents);
}

static PyObject *scan_start(ScanObject *self, PyObject *unused)
{
    (void)unused;
    if (scan_ready(self) < 0) return NULL;
    if (pthread_create(&self->c->thread, NULL, scan_thread, self->c) != 0) {
        errno = EAGAIN;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    self->c->started = 1;
    Py_RETURN_NONE;
}

static PyObject *scan_item_tuple(scan_item *it)
{
    PyObject *ps = passage_list(it->pass, it->n, it->off);
    if (ps == NULL) return NULL;
    PyObject *r = PyStructSequence_New(&ScanPairType);
    if (r == NULL) {
        Py_DECREF(ps);
        return NULL;
    }
    PyStructSequence_SET_ITEM(r, 0, PyLong_FromSize_t(it->a));
    PyStructSequence_SET_ITEM(r, 1, PyLong_FromSize_t(it->b));
    PyStructSequence_SET_ITEM(
        r, 2, PyUnicode_DecodeUTF8(it->a_id, (Py_ssize_t)it->a_id_len, "surrogateescape"));
    PyStructSequence_SET_ITEM(
        r, 3, PyUnicode_DecodeUTF8(it->b_id, (Py_ssize_t)it->b_id_len, "surrogateescape"));
    PyStructSequence_SET_ITEM(r, 4, PyLong_FromSize_t(it->shared));
    PyStructSequence_SET_ITEM(r, 5, PyFloat_FromDouble(it->ca));
    PyStructSequence_SET_ITEM(r, 6, PyFloat_FromDouble(it->cb));
    PyStructSequence_SET_ITEM(r, 7, PyFloat_FromDouble(it->jac));
    PyStructSequence_SET_ITEM(r, 8, PyFloat_FromDouble(it->sim));
    PyStructSequence_SET_ITEM(r, 9, ps);
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

static PyObject *scan_next_pair(ScanObject *self)
{
    scan_core *c = self->c;
    if (c == NULL || !c->started) return NULL;
    for (;;) {
        scan_item it;
        int got = 0, done = 0;
        Py_BEGIN_ALLOW_THREADS;
        pthread_mutex_lock(&c->mu);
        if (c->count == 0 && !c->done) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 20 * 1000 * 1000;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        }
        if (c->count > 0) {
            it = c->q[c->head];
            c->head = (c->head + 1) % SCAN_QUEUE;
            c->count--;
            got = 1;
            pthread_cond_broadcast(&c->cv);
        } else if (c->done) {
            done = 1;
        }
        pthread_mutex_unlock(&c->mu);
        Py_END_ALLOW_THREADS;
        if (got) {
            PyObject *r = scan_item_tuple(&it);
            item_free(&it);
            return r;
        }
        if (done) {
            rp_status st = c->st;
            rp_error err = c->err;
            /* the counters stay readable: join, keep the core until close */
            Py_BEGIN_ALLOW_THREADS;
            pthread_join(c->thread, NULL);
            Py_END_ALLOW_THREADS;
            c->started = 0;
            c->done = 2;
            if (st != RP_OK) return raise_rp(st, &err);
            return NULL; /* StopIteration */
        }
        if (PyErr_CheckSignals() < 0) {
            scan_release(self);
            return NULL;
        }
    }
}

/* One thread at a time: __next__ releases the GIL while it waits, and a
 * close() from another thread then would free what it waits on. */
static PyObject *scan_next(ScanObject *self)
{
    if (self->in_next) {
        PyErr_SetString(PyExc_RuntimeError, "a Scan is iterated by one thread at a time");
        return NULL;
    }
    self->in_next = 1;
    PyObject *r = scan_next_pair(self);
    self->in_next = 0;
    return r;
}

static PyObject *scan_close(ScanObject *self, PyObject *unused)
{
    (void)unused;
    if (self->in_next) {
        PyErr_SetString(PyExc_RuntimeError, "close() while another thread iterates the Scan");
        return NULL;
    }
    scan_release(self);
    Py_RETURN_NONE;
}

static PyObject *scan_stats(ScanObject *self, PyObject *unused)
{
    (void)unused;
    if (self->c == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the scan is closed");
        return NULL;
    }
    if (self->c->started) {
        PyErr_SetString(PyExc_RuntimeError, "the counters are readable before and after the run");
        return NULL;
    }
    rp_scan_stats s;
    rp_scan_get_stats(self->c->s, &s);
    PyObject *d = PyDict_New();
    if (d == NULL) return NULL;
    DICT_SET(d, "documents", PyLong_FromUnsignedLongLong(s.documents));
    DICT_SET(d, "bytes", PyLong_FromUnsignedLongLong(s.bytes));
    DICT_SET(d, "tokens", PyLong_FromUnsignedLongLong(s.tokens));
    DICT_SET(d, "fingerprints", PyLong_FromUnsignedLongLong(s.fingerprints));
    DICT_SET(d, "boilerplate", PyLong_FromUnsignedLongLong(s.boilerplate));
    DICT_SET(d, "candidates", PyLong_FromUnsignedLongLong(s.candidates));
    DICT_SET(d, "pairs", PyLong_FromUnsignedLongLong(s.pairs));
    DICT_SET(d, "passages", PyLong_FromUnsignedLongLong(s.passages));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyMethodDef scan_methods[] = {
    {"add", (PyCFunction)(void (*)(void))scan_add, METH_VARARGS | METH_KEYWORDS,
     "add(id: bytes, text, date=None, set=0): add one document"},
    {"add_paths", (PyCFunction)(void (*)(void))scan_add_paths, METH_VARARGS | METH_KEYWORDS,
     "add_paths(paths: list[bytes], set=0, ...): add every record of files and directories"},
    {"start", (PyCFunction)scan_start, METH_NOARGS, "start(): run the scan on a worker thread"},
    {"close", (PyCFunction)scan_close, METH_NOARGS, "close(): stop the worker and wait for it"},
    {"stats", (PyCFunction)scan_stats, METH_NOARGS, "stats() -> dict: the scan's counters"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ScanType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint._reprint._Scan",
    .tp_basicsize = sizeof(ScanObject),
    .tp_dealloc = (destructor)scan_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Low-level scan (use reprint.scan).",
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)scan_next,
    .tp_methods = scan_methods,
    .tp_init = (initproc)scan_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------
 * _Index: the persistent reuse index
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD rp_index *idx; /* NULL once closed */
    pthread_mutex_t mu;          /* one call at a time on the handle */
    int mu_ready;
    rp_text_opts to;
} IndexObject;

#define LOCKED(self, stmt)                                                                         \
    do {                                                                                           \
        Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&(self)->mu);                                    \
        stmt;                                                                                      \
        pthread_mutex_unlock(&(self)->mu);                                                         \
        Py_END_ALLOW_THREADS                                                                       \
    } while (0)

static int index_init(IndexObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"path", "create",  "readonly", "ngram", "window",
                             "seed", "busy_ms", "lossy",    NULL};
    PyObject *path;
    int create = 1, readonly = 0, lossy = 0;
    Py_ssize_t ngram = 0, window = 0;
    PyObject *seed = Py_None;
    unsigned int busy_ms = 60000;
    if (self->idx != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Index.__init__ called twice");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$ppnnOIp", kwlist, PyUnicode_FSConverter, &path,
                                     &create, &readonly, &ngram, &window, &seed, &busy_ms, &lossy))
        return -1;
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = create && !readonly;
    o.readonly = readonly;
    o.busy_ms = busy_ms;
    o.params.ngram = ngram > 0 ? (size_t)ngram : 0;
    o.params.window = window > 0 ? (size_t)window : 0;
    if (seed != Py_None) {
        o.params.seed = PyLong_AsUnsignedLongLong(seed);
        if (PyErr_Occurred()) {
            Py_DECREF(path);
            return -1;
        }
        o.seed_given = 1;
    }
    rp_error err;
    err_clear(&err);
    rp_status st;
    const char *p = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS;
    st = rp_index_open(p, &o, &self->idx, &err);
    Py_END_ALLOW_THREADS;
    Py_DECREF(path);
    if (st != RP_OK) {
        raise_rp(st, &err);
        return -1;
    }
    pthread_mutex_init(&self->mu, NULL);
    self->mu_ready = 1;
    rp_text_opts_init(&self->to);
    self->to.seed = rp_index_get_params(self->idx)->seed;
    self->to.lossy = lossy;
    return 0;
}

/* Close the handle; a call of another thread in progress finishes first
 * (the mutex), later ones find it closed (INDEX_CALL). */
static void index_close_handle(IndexObject *self)
{
    if (!self->mu_ready) return;
    LOCKED(self, {
        rp_index_free(self->idx);
        self->idx = NULL;
    });
}

static void index_dealloc(IndexObject *self)
{
    index_close_handle(self);
    if (self->mu_ready) pthread_mutex_destroy(&self->mu);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static rp_status index_gone(rp_error *err)
{
    err->code = RP_ERR_PARAM;
    snprintf(err->msg, sizeof err->msg, "the index is closed");
    return RP_ERR_PARAM;
}

/* stmt on the open handle with its mutex held and the GIL released; a
 * handle that another thread closed meanwhile gives st = RP_ERR_PARAM. */
#define INDEX_CALL(self, st, err, stmt)                                                            \
    LOCKED(self, {                                                                                 \
        if ((self)->idx == NULL)                                                                   \
            st = index_gone(&(err));                                                               \
        else {                                                                                     \
            stmt;                                                                                  \
        }                                                                                          \
    })

static int index_open_check(IndexObject *self)
{
    if (self->idx != NULL) return 0;
    PyErr_SetString(PyExc_ValueError, "the index is closed");
    return -1;
}

static PyObject *index_add(IndexObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"id", "text", "meta", "replace", NULL};
    const char *id, *meta = NULL;
    Py_ssize_t id_len, meta_len = 0;
    PyObject *text;
    int replace = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s#O|z#p", kwlist, &id, &id_len, &text, &meta,
                                     &meta_len, &replace))
        return NULL;
    if (index_open_check(self) < 0) return NULL;
    text_arg t;
    if (text_get(text, &t, "text") < 0) return NULL;
    rp_error err;
    err_clear(&err);
    rp_status st;
    INDEX_CALL(self, st, err, {
        rp_doc *d = NULL;
        st = rp_doc_new(id, t.p, t.len, &self->to, &d, &err);
        if (st == RP_OK)
            st = rp_index_add(self->idx, id, (size_t)id_len, d, meta, (size_t)meta_len,
                              replace ? RP_INDEX_REPLACE : 0, &err);
        rp_doc_free(d);
    });
    text_release(&t);
    if (st != RP_OK) return raise_rp(st, &err);
    Py_RETURN_NONE;
}

static PyObject *index_remove(IndexObject *self, PyObject *args)
{
    const char *id;
    Py_ssize_t id_len;
    if (!PyArg_ParseTuple(args, "s#", &id, &id_len)) return NULL;
    if (index_open_check(self) < 0) return NULL;
    rp_error err;
    err_clear(&err);
    rp_status st;
    int removed = 0;
    INDEX_CALL(self, st, err, st = rp_index_remove(self->idx, id, (size_t)id_len, &removed, &err));
    if (st != RP_OK) return raise_rp(st, &err);
    return PyBool_FromLong(removed);
}

static PyObject *index_commit(IndexObject *self, PyObject *unused)
{
    (void)unused;
    if (index_open_check(self) < 0) return NULL;
    rp_error err;
    err_clear(&err);
    rp_status st;
    INDEX_CALL(self, st, err, st = rp_index_commit(self->idx, &err));
    if (st != RP_OK) return raise_rp(st, &err);
    Py_RETURN_NONE;
}

static PyObject *index_rollback(IndexObject *self, PyObject *unused)
{
    (void)unused;
    if (index_open_check(self) < 0) return NULL;
    LOCKED(self, if (self->idx != NULL) rp_index_rollback(self->idx));
    Py_RETURN_NONE;
}

static PyObject *index_close(IndexObject *self, PyObject *unused)
{
    (void)unused;
    index_close_handle(self);
    Py_RETURN_NONE;
}

static PyObject *index_pending(IndexObject *self, void *unused)
{
    (void)unused;
    if (index_open_check(self) < 0) return NULL;
    pthread_mutex_lock(&self->mu); /* a holder never waits for the GIL */
    size_t n = self->idx != NULL ? rp_index_pending(self->idx) : 0;
    pthread_mutex_unlock(&self->mu);
    return PyLong_FromSize_t(n);
}

static PyObject *index_query(IndexObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"text",           "top",    "min_containment", "min_shared",
                             "max_candidates", "max_df", "min_words",       NULL};
    PyObject *text;
    rp_index_query_opts q;
    rp_index_query_opts_init(&q);
    Py_ssize_t top = (Py_ssize_t)q.top, min_shared = (Py_ssize_t)q.min_shared,
               max_cand = (Py_ssize_t)q.max_candidates, max_df = (Py_ssize_t)q.max_df,
               min_words = (Py_ssize_t)q.compare.min_words;
    double min_c = q.min_containment;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ndnnnn", kwlist, &text, &top, &min_c,
                                     &min_shared, &max_cand, &max_df, &min_words))
        return NULL;
    if (index_open_check(self) < 0) return NULL;
    if (top < 0 || min_shared < 0 || max_cand < 0 || max_df < 0 || min_words < 1) {
        PyErr_SetString(PyExc_ValueError, "sizes must not be negative (min_words at least 1)");
        return NULL;
    }
    q.top = (size_t)top;
    q.min_containment = min_c;
    q.min_shared = (size_t)min_shared;
    q.max_candidates = (size_t)max_cand;
    q.max_df = (size_t)max_df;
    q.compare.min_words = (size_t)min_words;
    text_arg t;
    if (text_get(text, &t, "text") < 0) return NULL;
    int chars = t.is_str && !t.ascii;
    rp_error err;
    err_clear(&err);
    rp_status st;
    rp_doc *d = NULL;
    rp_index_matches *m = NULL;
    INDEX_CALL(self, st, err, {
        st = rp_doc_new("query", t.p, t.len, &self->to, &d, &err);
        if (st == RP_OK) st = rp_index_query(self->idx, d, &q, &m, &err);
    });
    text_release(&t);
    if (st != RP_OK) {
        rp_doc_free(d);
        return raise_rp(st, &err);
    }
    size_t n = rp_index_matches_count(m);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        const rp_result *r = rp_index_match_result(m, i);
        size_t np, id_len, meta_len;
        const char *id = rp_index_match_id(m, i, &id_len);
        const char *meta = rp_index_match_meta(m, i, &meta_len);
        uint64_t *off = passage_offsets(r, rp_index_match_doc(m, i), chars, d, chars, &np);
        PyObject *t2 = off != NULL ? PyStructSequence_New(&MatchType) : PyErr_NoMemory();
        if (t2 == NULL) {
            free(off);
            Py_CLEAR(list);
            break;
        }
        PyStructSequence_SET_ITEM(t2, 0,
                                  PyUnicode_DecodeUTF8(id, (Py_ssize_t)id_len, "surrogateescape"));
        PyStructSequence_SET_ITEM(t2, 1, PyLong_FromSize_t(rp_index_match_shared(m, i)));
        PyStructSequence_SET_ITEM(t2, 2, PyFloat_FromDouble(rp_result_containment_a(r)));
        PyStructSequence_SET_ITEM(t2, 3, PyFloat_FromDouble(rp_result_containment_b(r)));
        PyStructSequence_SET_ITEM(t2, 4, PyFloat_FromDouble(rp_result_jaccard(r)));
        PyStructSequence_SET_ITEM(t2, 5, PyFloat_FromDouble(rp_result_similarity(r)));
        PyStructSequence_SET_ITEM(t2, 6,
                                  PyUnicode_FromString(rp_verdict_name(rp_result_verdict(r))));
        PyStructSequence_SET_ITEM(t2, 7, passage_list(rp_result_passages(r, &np), np, off));
        if (meta != NULL) {
            PyStructSequence_SET_ITEM(
                t2, 8, PyUnicode_DecodeUTF8(meta, (Py_ssize_t)meta_len, "surrogateescape"));
        } else {
            Py_INCREF(Py_None);
            PyStructSequence_SET_ITEM(t2, 8, Py_None);
        }
        free(off);
        PyList_SET_ITEM(list, (Py_ssize_t)i, t2);
        if (PyErr_Occurred()) Py_CLEAR(list);
    }
    rp_index_matches_free(m);
    rp_doc_free(d);
    return list;
}

static PyObject *index_stats(IndexObject *self, PyObject *unused)
{
    (void)unused;
    if (index_open_check(self) < 0) return NULL;
    rp_index_info info;
    rp_error err;
    err_clear(&err);
    rp_status st;
    INDEX_CALL(self, st, err, st = rp_index_stats(self->idx, &info, &err));
    if (st != RP_OK) return raise_rp(st, &err);
    PyObject *d = PyDict_New();
    if (d == NULL) return NULL;
    DICT_SET(d, "documents", PyLong_FromUnsignedLongLong(info.documents));
    DICT_SET(d, "fingerprints", PyLong_FromUnsignedLongLong(info.fingerprints));
    DICT_SET(d, "band_keys", PyLong_FromUnsignedLongLong(info.band_keys));
    DICT_SET(d, "segments", PyLong_FromUnsignedLongLong(info.segments));
    DICT_SET(d, "tombstones", PyLong_FromUnsignedLongLong(info.tombstones));
    DICT_SET(d, "file_bytes", PyLong_FromUnsignedLongLong(info.file_bytes));
    DICT_SET(d, "free_bytes", PyLong_FromUnsignedLongLong(info.free_bytes));
    DICT_SET(d, "seed", PyLong_FromUnsignedLongLong(info.params.seed));
    DICT_SET(d, "ngram", PyLong_FromSize_t(info.params.ngram));
    DICT_SET(d, "window", PyLong_FromSize_t(info.params.window));
    DICT_SET(d, "sketch_ngram", PyLong_FromSize_t(info.params.sketch_ngram));
    DICT_SET(d, "sketch_hashes", PyLong_FromSize_t(info.params.sketch_hashes));
    DICT_SET(d, "lsh_bands", PyLong_FromSize_t(info.params.lsh_bands));
    DICT_SET(d, "lsh_rows", PyLong_FromSize_t(info.params.lsh_rows));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyMethodDef index_methods[] = {
    {"add", (PyCFunction)(void (*)(void))index_add, METH_VARARGS | METH_KEYWORDS,
     "add(id, text, meta=None, replace=False): add a document to the open batch"},
    {"remove", (PyCFunction)index_remove, METH_VARARGS,
     "remove(id) -> bool: remove a document in the open batch; False when absent"},
    {"commit", (PyCFunction)index_commit, METH_NOARGS, "commit(): make the open batch durable"},
    {"rollback", (PyCFunction)index_rollback, METH_NOARGS, "rollback(): discard the open batch"},
    {"close", (PyCFunction)index_close, METH_NOARGS,
     "close(): close the file (an uncommitted batch is rolled back)"},
    {"query", (PyCFunction)(void (*)(void))index_query, METH_VARARGS | METH_KEYWORDS,
     "query(text, *, top=10, ...) -> list of Match"},
    {"stats", (PyCFunction)index_stats, METH_NOARGS,
     "stats() -> dict: documents, postings, sizes and parameters"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef index_getset[] = {
    {"pending", (getter)index_pending, NULL, "documents added in the open batch", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject IndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint._reprint._Index",
    .tp_basicsize = sizeof(IndexObject),
    .tp_dealloc = (destructor)index_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Low-level index handle (use reprint.Index).",
    .tp_methods = index_methods,
    .tp_getset = index_getset,
    .tp_init = (initproc)index_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------
 * Signatures: a buffer of uint32 values, or a MinHash
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD uint32_t *bins; /* UINT32_MAX: empty */
    size_t k;
    uint64_t seed;
} MinHashObject;

static PyTypeObject MinHashType;

#define MH_EMPTY UINT32_MAX

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The signature of a MinHash: each empty bin takes the value of the first
 * non-empty bin on its own pseudo-random probe sequence (optimal
 * densification, Shrivastava 2017), so two sets agree at a position with
 * probability equal to their Jaccard similarity. */
static void mh_densify(const MinHashObject *m, uint32_t *out)
{
    size_t filled = 0;
    for (size_t i = 0; i < m->k; i++)
        filled += m->bins[i] != MH_EMPTY;
    for (size_t i = 0; i < m->k; i++) {
        out[i] = m->bins[i];
        if (out[i] != MH_EMPTY || filled == 0) continue;
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t h = mix64(m->seed ^ ((uint64_t)i << 32 | (attempt & 0xffffffffu)));
            size_t j = (size_t)(((h >> 32) * (uint64_t)m->k) >> 32);
            if (m->bins[j] != MH_EMPTY) {
                out[i] = m->bins[j];
                break;
            }
        }
    }
}

/* A signature argument: a MinHash (densified into tmp) or a buffer of
 * hashes uint32 values. *sig points at the values. */
typedef struct sig_arg {
    const uint32_t *sig;
    uint32_t *tmp;
    Py_buffer view;
    int has_view;
} sig_arg;

static int sig_get(PyObject *o, size_t hashes, sig_arg *s)
{
    memset(s, 0, sizeof *s);
    if (PyObject_TypeCheck(o, &MinHashType)) {
        MinHashObject *m = (MinHashObject *)o;
        if (m->k != hashes) {
            PyErr_Format(PyExc_ValueError, "a MinHash of %zu permutations, expected %zu", m->k,
                         hashes);
            return -1;
        }
        s->tmp = PyMem_Malloc(hashes * sizeof *s->tmp);
        if (s->tmp == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        mh_densify(m, s->tmp);
        s->sig = s->tmp;
        return 0;
    }
    if (PyObject_GetBuffer(o, &s->view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    s->has_view = 1;
    if ((size_t)s->view.len != hashes * sizeof(uint32_t)) {
        PyErr_Format(PyExc_ValueError, "a signature of %zu bytes, expected %zu uint32 values",
                     (size_t)s->view.len, hashes);
        PyBuffer_Release(&s->view);
        s->has_view = 0;
        return -1;
    }
    s->sig = s->view.buf;
    return 0;
}

static void sig_release(sig_arg *s)
{
    if (s->has_view) PyBuffer_Release(&s->view);
    PyMem_Free(s->tmp);
    s->has_view = 0;
    s->tmp = NULL;
}

/* ------------------------------------------------------------------------
 * _Sketcher
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD rp_sketcher *s;
    pthread_mutex_t mu;
    size_t hashes;
} SketcherObject;

static int sketcher_init(SketcherObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"num_perm", "ngram", "seed", "lossy", NULL};
    Py_ssize_t hashes = 128, ngram = 5;
    unsigned long long seed = RP_HASH_SEED_DEFAULT;
    int lossy = 0;
    if (self->s != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sketcher.__init__ called twice");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|nnKp", kwlist, &hashes, &ngram, &seed, &lossy))
        return -1;
    rp_sketch_opts o;
    rp_sketch_opts_init(&o);
    o.hashes = hashes < 0 ? 0 : (size_t)hashes;
    o.ngram = ngram < 0 ? 0 : (size_t)ngram;
    o.seed = seed;
    o.lossy = lossy;
    rp_error err;
    err_clear(&err);
    rp_status st = rp_sketcher_new(&o, &self->s, &err);
    if (st != RP_OK) {
        raise_rp(st, &err);
        return -1;
    }
    self->hashes = o.hashes;
    pthread_mutex_init(&self->mu, NULL);
    return 0;
}

static void sketcher_dealloc(SketcherObject *self)
{
    if (self->s != NULL) {
        rp_sketcher_free(self->s);
        pthread_mutex_destroy(&self->mu);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *sketcher_sketch(SketcherObject *self, PyObject *text)
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sketcher not initialized");
        return NULL;
    }
    text_arg t;
    if (text_get(text, &t, "text") < 0) return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(self->hashes * sizeof(uint32_t)));
    if (out == NULL) {
        text_release(&t);
        return NULL;
    }
    uint32_t *sig = (uint32_t *)(void *)PyBytes_AS_STRING(out);
    rp_error err;
    err_clear(&err);
    rp_status st;
    size_t n_sh = 0;
    if (t.len < 4096) { /* short texts: cheaper than giving up the GIL */
        pthread_mutex_lock(&self->mu);
        st = rp_sketcher_sketch(self->s, t.p, t.len, sig, &n_sh, &err);
        pthread_mutex_unlock(&self->mu);
    } else {
        LOCKED(self, st = rp_sketcher_sketch(self->s, t.p, t.len, sig, &n_sh, &err));
    }
    text_release(&t);
    if (st != RP_OK) {
        Py_DECREF(out);
        return raise_rp(st, &err);
    }
    return Py_BuildValue("(Nn)", out, (Py_ssize_t)n_sh);
}

static PyMethodDef sketcher_methods[] = {
    {"_sketch", (PyCFunction)sketcher_sketch, METH_O,
     "_sketch(text) -> (bytes, n_shingles): the signature as native uint32 values"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject SketcherType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint._reprint._Sketcher",
    .tp_basicsize = sizeof(SketcherObject),
    .tp_dealloc = (destructor)sketcher_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Low-level sketcher (use reprint.Sketcher).",
    .tp_methods = sketcher_methods,
    .tp_init = (initproc)sketcher_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------
 * _LSH
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD rp_lsh *lsh;
    size_t hashes, bands, rows;
} LSHObject;

static int lsh_init(LSHObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"hashes", "bands", "rows", NULL};
    Py_ssize_t hashes, bands, rows;
    if (self->lsh != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "LSH.__init__ called twice");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "nnn", kwlist, &hashes, &bands, &rows)) return -1;
    if (hashes < 1 || bands < 1 || rows < 1) {
        PyErr_SetString(PyExc_ValueError, "hashes, bands and rows must be at least 1");
        return -1;
    }
    rp_error err;
    err_clear(&err);
    rp_status st = rp_lsh_new((size_t)hashes, (size_t)bands, (size_t)rows, &self->lsh, &err);
    if (st != RP_OK) {
        raise_rp(st, &err);
        return -1;
    }
    self->hashes = (size_t)hashes;
    self->bands = (size_t)bands;
    self->rows = (size_t)rows;
    return 0;
}

static void lsh_dealloc(LSHObject *self)
{
    rp_lsh_free(self->lsh);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *lsh_add(LSHObject *self, PyObject *args)
{
    unsigned long long key;
    PyObject *o;
    if (!PyArg_ParseTuple(args, "KO", &key, &o)) return NULL;
    sig_arg s;
    if (sig_get(o, self->hashes, &s) < 0) return NULL;
    rp_error err;
    err_clear(&err);
    rp_status st = rp_lsh_add(self->lsh, key, s.sig, &err);
    sig_release(&s);
    if (st != RP_OK) return raise_rp(st, &err);
    Py_RETURN_NONE;
}

/* query(sig, min_similarity=0.0, with_similarity=False): the keys (or
 * (key, similarity) pairs), best first. */
static PyObject *lsh_query(LSHObject *self, PyObject *args)
{
    PyObject *o;
    double min_sim = 0;
    int with_sim = 0;
    if (!PyArg_ParseTuple(args, "O|dp", &o, &min_sim, &with_sim)) return NULL;
    sig_arg s;
    if (sig_get(o, self->hashes, &s) < 0) return NULL;
    rp_error err;
    err_clear(&err);
    rp_lsh_match *m = NULL;
    size_t n = 0;
    rp_status st = rp_lsh_query(self->lsh, s.sig, min_sim, &m, &n, &err);
    sig_release(&s);
    if (st != RP_OK) return raise_rp(st, &err);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *v = with_sim
                          ? Py_BuildValue("(Kd)", (unsigned long long)m[i].key, m[i].similarity)
                          : PyLong_FromUnsignedLongLong(m[i].key);
        if (v == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    rp_free(m);
    return list;
}

static Py_ssize_t lsh_len(LSHObject *self)
{
    return (Py_ssize_t)rp_lsh_size(self->lsh);
}

static PyMethodDef lsh_methods[] = {
    {"add", (PyCFunction)lsh_add, METH_VARARGS, "add(key: int, sig): add a signature under key"},
    {"query", (PyCFunction)lsh_query, METH_VARARGS,
     "query(sig, min_similarity=0.0, with_similarity=False) -> list"},
    {NULL, NULL, 0, NULL}};

static PySequenceMethods lsh_as_seq = {.sq_length = (lenfunc)lsh_len};

static PyTypeObject LSHType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint._reprint._LSH",
    .tp_basicsize = sizeof(LSHObject),
    .tp_dealloc = (destructor)lsh_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Low-level LSH index of signatures under integer keys (use reprint.LSH).",
    .tp_methods = lsh_methods,
    .tp_as_sequence = &lsh_as_seq,
    .tp_init = (initproc)lsh_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------
 * MinHash over caller-given elements (reprint.datasketch)
 * ------------------------------------------------------------------------ */

static int minhash_init(MinHashObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"num_perm", "seed", NULL};
    Py_ssize_t k = 128;
    unsigned long long seed = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|nK", kwlist, &k, &seed)) return -1;
    if (k < 1 || k > RP_SKETCH_MAX_HASHES) {
        PyErr_Format(PyExc_ValueError, "num_perm must be in 1..%d", RP_SKETCH_MAX_HASHES);
        return -1;
    }
    uint32_t *bins = PyMem_Realloc(self->bins, (size_t)k * sizeof *bins);
    if (bins == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < k; i++)
        bins[i] = MH_EMPTY;
    self->bins = bins;
    self->k = (size_t)k;
    self->seed = seed;
    return 0;
}

static void minhash_dealloc(MinHashObject *self)
{
    PyMem_Free(self->bins);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int minhash_ready(MinHashObject *self)
{
    if (self->bins != NULL) return 0;
    PyErr_SetString(PyExc_RuntimeError, "MinHash not initialized");
    return -1;
}

/* One element: its 64-bit hash picks a bin (high half) and a value (low). */
static void mh_add(MinHashObject *m, const void *p, size_t n)
{
    uint64_t h = XXH3_64bits_withSeed(p, n, m->seed);
    size_t bin = (size_t)(((h >> 32) * (uint64_t)m->k) >> 32);
    uint32_t v = (uint32_t)h;
    if (v == MH_EMPTY) v--;
    if (v < m->bins[bin]) m->bins[bin] = v;
}

static int mh_add_obj(MinHashObject *m, PyObject *o)
{
    if (PyBytes_Check(o)) {
        mh_add(m, PyBytes_AS_STRING(o), (size_t)PyBytes_GET_SIZE(o));
        return 0;
    }
    Py_buffer v;
    if (PyUnicode_Check(o) || PyObject_GetBuffer(o, &v, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "MinHash.update takes bytes (e.g. s.encode('utf8')), not %.100s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    mh_add(m, v.buf, (size_t)v.len);
    PyBuffer_Release(&v);
    return 0;
}

static PyObject *minhash_update(MinHashObject *self, PyObject *b)
{
    if (minhash_ready(self) < 0 || mh_add_obj(self, b) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *minhash_update_batch(MinHashObject *self, PyObject *items)
{
    if (minhash_ready(self) < 0) return NULL;
    PyObject *seq = PySequence_Fast(items, "update_batch takes an iterable of bytes");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **v = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (mh_add_obj(self, v[i]) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    Py_RETURN_NONE;
}

static PyObject *minhash_copy(MinHashObject *self, PyObject *unused)
{
    (void)unused;
    if (minhash_ready(self) < 0) return NULL;
    MinHashObject *c = (MinHashObject *)Py_TYPE(self)->tp_alloc(Py_TYPE(self), 0);
    if (c == NULL) return NULL;
    c->bins = PyMem_Malloc(self->k * sizeof *c->bins);
    if (c->bins == NULL) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    memcpy(c->bins, self->bins, self->k * sizeof *c->bins);
    c->k = self->k;
    c->seed = self->seed;
    return (PyObject *)c;
}

static int minhash_same_kind(MinHashObject *a, PyObject *o, const char *what)
{
    if (!PyObject_TypeCheck(o, &MinHashType)) {
        PyErr_Format(PyExc_TypeError, "%s needs a MinHash", what);
        return -1;
    }
    MinHashObject *b = (MinHashObject *)o;
    if (minhash_ready(a) < 0 || minhash_ready(b) < 0) return -1;
    if (a->k != b->k || a->seed != b->seed) {
        PyErr_Format(PyExc_ValueError,
                     "cannot %s MinHash with different numbers of permutations or seeds", what);
        return -1;
    }
    return 0;
}

static PyObject *minhash_jaccard(MinHashObject *self, PyObject *o)
{
    if (minhash_same_kind(self, o, "compare") < 0) return NULL;
    uint32_t *x = PyMem_Malloc(2 * self->k * sizeof *x);
    if (x == NULL) return PyErr_NoMemory();
    mh_densify(self, x);
    mh_densify((MinHashObject *)o, x + self->k);
    double j = rp_signature_similarity(x, x + self->k, self->k);
    PyMem_Free(x);
    return PyFloat_FromDouble(j);
}

static PyObject *minhash_merge(MinHashObject *self, PyObject *o)
{
    if (minhash_same_kind(self, o, "merge") < 0) return NULL;
    const MinHashObject *b = (const MinHashObject *)o;
    for (size_t i = 0; i < self->k; i++)
        if (b->bins[i] < self->bins[i]) self->bins[i] = b->bins[i];
    Py_RETURN_NONE;
}

static PyObject *minhash_signature(MinHashObject *self, PyObject *unused)
{
    (void)unused;
    if (minhash_ready(self) < 0) return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(self->k * sizeof(uint32_t)));
    if (out != NULL) mh_densify(self, (uint32_t *)(void *)PyBytes_AS_STRING(out));
    return out;
}

static PyObject *minhash_is_empty(MinHashObject *self, PyObject *unused)
{
    (void)unused;
    if (minhash_ready(self) < 0) return NULL;
    for (size_t i = 0; i < self->k; i++)
        if (self->bins[i] != MH_EMPTY) Py_RETURN_FALSE;
    Py_RETURN_TRUE;
}

static PyObject *minhash_clear(MinHashObject *self, PyObject *unused)
{
    (void)unused;
    if (minhash_ready(self) < 0) return NULL;
    for (size_t i = 0; i < self->k; i++)
        self->bins[i] = MH_EMPTY;
    Py_RETURN_NONE;
}

static Py_ssize_t minhash_len(MinHashObject *self)
{
    return (Py_ssize_t)self->k;
}

static PyObject *minhash_richcompare(MinHashObject *self, PyObject *o, int op)
{
    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(o, &MinHashType))
        Py_RETURN_NOTIMPLEMENTED;
    const MinHashObject *b = (const MinHashObject *)o;
    int eq = self->k == b->k && self->seed == b->seed && self->bins != NULL && b->bins != NULL &&
             memcmp(self->bins, b->bins, self->k * sizeof *self->bins) == 0;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *minhash_get_num_perm(MinHashObject *self, void *unused)
{
    (void)unused;
    return PyLong_FromSize_t(self->k);
}

static PyObject *minhash_get_seed(MinHashObject *self, void *unused)
{
    (void)unused;
    return PyLong_FromUnsignedLongLong(self->seed);
}

static PyMethodDef minhash_methods[] = {
    {"update", (PyCFunction)minhash_update, METH_O, "update(b: bytes): add one element to the set"},
    {"update_batch", (PyCFunction)minhash_update_batch, METH_O,
     "update_batch(b: iterable of bytes): add many elements"},
    {"copy", (PyCFunction)minhash_copy, METH_NOARGS, "copy() -> MinHash: an independent copy"},
    {"jaccard", (PyCFunction)minhash_jaccard, METH_O,
     "jaccard(other) -> float: the estimated Jaccard similarity of the two sets"},
    {"merge", (PyCFunction)minhash_merge, METH_O,
     "merge(other): become the MinHash of the union of both sets"},
    {"is_empty", (PyCFunction)minhash_is_empty, METH_NOARGS,
     "is_empty() -> bool: no element added"},
    {"clear", (PyCFunction)minhash_clear, METH_NOARGS, "clear(): forget every element"},
    {"signature", (PyCFunction)minhash_signature, METH_NOARGS,
     "signature() -> bytes: the densified values as native uint32 (what LSH stores)"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef minhash_getset[] = {
    {"num_perm", (getter)minhash_get_num_perm, NULL, "values in the signature", NULL},
    {"seed", (getter)minhash_get_seed, NULL, "hash seed", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods minhash_as_seq = {.sq_length = (lenfunc)minhash_len};

static PyTypeObject MinHashType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "reprint._reprint.MinHash",
    .tp_basicsize = sizeof(MinHashObject),
    .tp_dealloc = (destructor)minhash_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "MinHash of a set of byte strings: one-permutation hashing (XXH3, one hash per\n"
              "element) with optimal densification. jaccard() has standard error about\n"
              "sqrt(J(1-J)/num_perm) for sets much larger than num_perm.",
    .tp_methods = minhash_methods,
    .tp_getset = minhash_getset,
    .tp_as_sequence = &minhash_as_seq,
    .tp_richcompare = (richcmpfunc)minhash_richcompare,
    .tp_init = (initproc)minhash_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------
 * Small functions and the module
 * ------------------------------------------------------------------------ */

static PyObject *py_lsh_choose(PyObject *mod, PyObject *args)
{
    (void)mod;
    double t;
    Py_ssize_t hashes;
    if (!PyArg_ParseTuple(args, "dn", &t, &hashes)) return NULL;
    size_t b = 0, r = 0;
    rp_status st = rp_lsh_choose(t, hashes < 0 ? 0 : (size_t)hashes, &b, &r);
    if (st != RP_OK) {
        rp_error e;
        err_clear(&e);
        snprintf(e.msg, sizeof e.msg, "threshold must be in (0, 1] and num_perm at least 1");
        return raise_rp(st, &e);
    }
    return Py_BuildValue("(nn)", (Py_ssize_t)b, (Py_ssize_t)r);
}

static PyObject *py_lsh_probability(PyObject *mod, PyObject *args)
{
    (void)mod;
    double j;
    Py_ssize_t b, r;
    if (!PyArg_ParseTuple(args, "dnn", &j, &b, &r)) return NULL;
    return PyFloat_FromDouble(rp_lsh_probability(j, (size_t)b, (size_t)r));
}

static PyObject *py_similarity(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "OO", &a, &b)) return NULL;
    Py_buffer va, vb;
    if (PyObject_GetBuffer(a, &va, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    if (PyObject_GetBuffer(b, &vb, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&va);
        return NULL;
    }
    PyObject *r = NULL;
    if (va.len != vb.len || va.len % 4 != 0 || va.len == 0)
        PyErr_SetString(PyExc_ValueError, "signatures of different or invalid sizes");
    else
        r = PyFloat_FromDouble(
            rp_signature_similarity(va.buf, vb.buf, (size_t)va.len / sizeof(uint32_t)));
    PyBuffer_Release(&va);
    PyBuffer_Release(&vb);
    return r;
}

static PyMethodDef module_methods[] = {
    {"compare", (PyCFunction)(void (*)(void))py_compare, METH_VARARGS | METH_KEYWORDS,
     "compare(a, b, *, min_words=8, jaccard_ngram=5, lossy=False, seed=0, name_a='a', "
     "name_b='b') -> Result"},
    {"dedup", (PyCFunction)(void (*)(void))py_dedup, METH_VARARGS | METH_KEYWORDS,
     "dedup(texts, paths, **options) -> (stats, ids, representatives, pairs)"},
    {"lsh_choose", py_lsh_choose, METH_VARARGS,
     "lsh_choose(threshold, num_perm) -> (bands, rows): the banding of rp_lsh_choose()"},
    {"lsh_probability", py_lsh_probability, METH_VARARGS,
     "lsh_probability(j, bands, rows) -> float: the chance a pair of Jaccard j is a candidate"},
    {"similarity", py_similarity, METH_VARARGS,
     "similarity(sig_a, sig_b) -> float: share of equal positions of two signatures"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT,
                                        "reprint._reprint",
                                        "The C extension behind reprint (see reprint's docs).",
                                        -1,
                                        module_methods,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL};

static int add_type(PyObject *m, PyTypeObject *t, const char *name)
{
    if (PyType_Ready(t) < 0) return -1;
    Py_INCREF(t);
    if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

static int add_structseq(PyObject *m, PyTypeObject *t, PyStructSequence_Desc *d, const char *name)
{
    if (PyStructSequence_InitType2(t, d) < 0) return -1;
    Py_INCREF(t);
    if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__reprint(void); /* the one exported symbol */

PyMODINIT_FUNC PyInit__reprint(void)
{
    PyObject *errors = PyImport_ImportModule("reprint._errors");
    if (errors == NULL) return NULL;
    error_classes = PyObject_GetAttrString(errors, "BY_CODE");
    Py_DECREF(errors);
    if (error_classes == NULL || !PyTuple_Check(error_classes)) return NULL;
    json_module = PyImport_ImportModule("json");
    if (json_module == NULL) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) return NULL;
    if (add_type(m, &ResultType, "Result") < 0 || add_type(m, &ScanType, "_Scan") < 0 ||
        add_type(m, &IndexType, "_Index") < 0 || add_type(m, &SketcherType, "_Sketcher") < 0 ||
        add_type(m, &LSHType, "_LSH") < 0 || add_type(m, &MinHashType, "MinHash") < 0 ||
        add_structseq(m, &PassageType, &passage_desc, "Passage") < 0 ||
        add_structseq(m, &MatchType, &match_desc, "Match") < 0 ||
        add_structseq(m, &ScanPairType, &scanpair_desc, "ScanPair") < 0 ||
        PyModule_AddStringConstant(m, "version", rp_version()) < 0 ||
        PyModule_AddIntConstant(m, "SKETCH_MAX_HASHES", RP_SKETCH_MAX_HASHES) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
