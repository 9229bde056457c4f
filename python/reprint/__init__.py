"""reprint: find reused text, from Python.

The C library libreprint, compiled into this package, does the work; every
long call releases the GIL, so threads run in parallel, and Ctrl-C stops a
long ``dedup``, ``scan`` or ``Index.add_many`` with KeyboardInterrupt.

Offsets: a text given as ``str`` gets offsets that index that ``str`` (code
points); a text given as ``bytes`` gets byte offsets, as the CLI reports.

    r = reprint.compare(wire_text, article_text)
    r.verdict, r.containment_a, r.jaccard, r.passages, r.to_dict(), r.html()
    result = reprint.dedup(docs, threshold=0.8)      # .pairs .clusters .keep
    for pair in reprint.scan(docs, min_words=8): ...
    with reprint.Index("news.db") as idx: idx.add("id", text); idx.query(text)
    sig = reprint.Sketcher(num_perm=128).sketch(text)
    lsh = reprint.LSH(threshold=0.8, num_perm=128); lsh.insert("a", sig); lsh.query(sig)

Errors are raised as subclasses of :class:`reprint.Error` (see
``reprint._errors``) carrying the library's message, path, line and offset.
"""
import itertools
import json
import os

from . import _reprint
from ._errors import (Error, FileError, FormatError, LimitError, MismatchError, NoMemoryError,
                      ParamError, ParseError, Utf8Error)
from ._reprint import Match, Passage, Result, ScanPair

__all__ = ["compare", "dedup", "scan", "Index", "Sketcher", "LSH", "similarity", "Result",
           "Passage", "Match", "ScanPair", "DedupResult", "Scan", "Error", "NoMemoryError",
           "FileError", "Utf8Error", "ParseError", "ParamError", "FormatError", "MismatchError",
           "LimitError", "__version__"]

#: The C library's version (``rp_version()``); the package has the same.
__version__ = _reprint.version


def compare(a, b, *, min_words=8, jaccard_ngram=5, lossy=False, seed=0, name_a="a", name_b="b"):
    """Find the passages of ``b`` reused from ``a`` (the search is symmetric) and score the pair.

    ``a``, ``b``: ``str`` (offsets are str indices) or bytes-like (UTF-8; byte offsets).
    ``min_words``: drop passages shorter than this many words on either side.
    ``jaccard_ngram``: n of the word n-grams behind ``jaccard`` and ``shingles_*``.
    ``lossy``: read invalid UTF-8 bytes and NUL as separators instead of raising.
    ``seed``: token hash seed. ``name_a``, ``name_b``: names in ``to_dict()`` and ``html()``.

    Returns a :class:`Result` with the numbers of ``reprint compare --format json``.
    Raises :class:`Utf8Error` (with ``offset``), :class:`FormatError` (NUL byte),
    :class:`LimitError`, :class:`ParamError`. Releases the GIL.
    """
    return _reprint.compare(a, b, min_words=min_words, jaccard_ngram=jaccard_ngram,
                            lossy=bool(lossy), seed=seed, name_a=name_a, name_b=name_b)


def similarity(sig_a, sig_b):
    """The share of positions where two signatures agree: their estimated Jaccard similarity."""
    return _reprint.similarity(sig_a, sig_b)


def _record(doc, number, text_field, id_field):
    """(id, text) of one document given as str/bytes, (id, text) or a mapping."""
    if isinstance(doc, (str, bytes, bytearray, memoryview)):
        return number, doc
    if isinstance(doc, tuple) and len(doc) == 2:
        return doc[0], doc[1]
    if hasattr(doc, "keys") and hasattr(doc, "__getitem__"):
        try:
            text = doc[text_field]
        except KeyError:
            raise ParamError("document %d has no %r member" % (number, text_field)) from None
        ident = doc.get(id_field) if hasattr(doc, "get") else None
        return (number if ident is None else ident), text
    if isinstance(doc, os.PathLike):
        raise TypeError("document %d is a path among texts: give only paths or only texts"
                        % number)
    raise TypeError("document %d must be str, bytes, (id, text) or a dict, not %s"
                    % (number, type(doc).__name__))


def _split_input(docs):
    """(paths, iterator): paths (as bytes) when docs is a path or paths, else None and the
    documents as an iterator that has not lost its first item."""
    if isinstance(docs, os.PathLike):
        return [os.fsencode(docs)], None
    if isinstance(docs, (str, bytes)):
        raise TypeError("docs must be an iterable of documents or of paths; for one file "
                        "give pathlib.Path(%r)" % (docs[:40],))
    it = iter(docs)
    end = object()
    first = next(it, end)
    if first is end:
        return None, iter(())
    it = itertools.chain([first], it)
    if isinstance(first, os.PathLike):
        paths = []
        for p in it:
            if not isinstance(p, os.PathLike):
                raise TypeError("give only paths or only texts, not both")
            paths.append(os.fsencode(p))
        return paths, None
    return None, it


class DedupResult:
    """The outcome of :func:`dedup`.

    ``pairs``: list of ``(id_a, id_b, similarity)``, every verified near-duplicate pair, in
    input order of the first then the second document (similarity exact unless
    ``verify='signature'``). ``clusters``: list of lists of ids, each cluster of two or more
    documents with its kept representative first. ``keep``: the ids of the documents kept
    (input order). ``removed``: the others. ``stats``: the counters of the run.
    ``representative(i)``: the kept document of input document number ``i``.

    An id is what the input gave: the position (int) for a plain str or bytes, the first item
    of an ``(id, text)`` tuple, the ``id_field`` member of a dict (else its position), or the
    id the library read from a file (str).
    """

    def __init__(self, stats, ids, reps, pairs):
        self.stats = stats
        self._ids = ids
        self._reps = reps
        self.pairs = [(ids[a], ids[b], s) for a, b, s in pairs]
        n = stats["docs"]
        self.keep = [ids[i] for i in range(n) if reps[i] == i]
        self.removed = [ids[i] for i in range(n) if reps[i] != i]
        groups = {}
        for i, r in enumerate(reps):
            if r != i or i >= n:
                groups.setdefault(r, [r]).append(i)
        self.clusters = [[ids[i] for i in sorted(set(g), key=lambda x: (x != r, x))]
                         for r, g in sorted(groups.items()) if len(set(g)) > 1]

    def representative(self, i):
        """The id of the document kept for input document number ``i``."""
        return self._ids[self._reps[i]]

    def __repr__(self):
        return "<reprint.DedupResult %d documents, %d pairs, %d clusters, %d removed>" % (
            self.stats["docs"], len(self.pairs), len(self.clusters), len(self.removed))


def dedup(docs, threshold=0.8, *, num_perm=128, ngram=5, seed=0, bands=None, rows=None,
          verify="auto", keep="first", strict=False, threads=0, mem_limit=0, tmpdir=None,
          text_field="text", id_field="id", skip_bad=False, lossy=False, against=None,
          output=None):
    """Near-duplicate clusters of a corpus, as ``reprint dedup``.

    ``docs``: an iterable of ``str``/bytes, of ``(id, text)`` tuples or of dicts (the text in
    ``text_field``, the id in ``id_field``); or a path (``os.PathLike``) or an iterable of
    paths (JSONL, text files, directories, .gz/.zst; read by the library, so ``text_field``,
    ``id_field`` and ``skip_bad`` apply). Documents from Python are streamed to a temporary
    JSONL file in ``tmpdir``, not held in memory.

    ``threshold``: Jaccard similarity of word ``ngram``-gram sets. ``num_perm``: MinHash values
    per document. ``bands``/``rows``: LSH banding (default: chosen for the threshold).
    ``verify``: ``'auto'`` (exact similarities), ``'exact'`` or ``'signature'`` (estimates).
    ``keep``: ``'first'`` or ``'longest'``. ``strict``: split chained clusters.
    ``threads``: 0 for all cores. ``mem_limit``: bytes (0: a quarter of RAM).
    ``against``: an :class:`Index` (or its path) whose committed documents count as kept.
    ``output``: also write the input without its duplicates to this path (JSONL; .gz and
    .zst compressed): the records of files as their original lines, documents given from
    Python as ``{"id": str(id), "text": ...}`` lines.

    Returns a :class:`DedupResult`. The run happens in a child process so that Ctrl-C
    (KeyboardInterrupt) stops it at once; ``output`` is then removed.
    """
    paths, it = _split_input(docs)
    ids = []
    texts = None
    if paths is None:
        def texts_of():
            for number, doc in enumerate(it):
                ident, text = _record(doc, number, text_field, id_field)
                ids.append(ident)
                yield str(ident), text
        texts = texts_of()
    if isinstance(against, Index):
        against = against.path
    stats, lib_ids, reps, pairs = _reprint.dedup(
        texts, paths, threshold=float(threshold), ngram=ngram, num_perm=num_perm, seed=seed,
        bands=bands or 0, rows=rows or 0, verify=verify, keep=keep, strict=bool(strict),
        threads=threads, mem_limit=mem_limit,
        tmpdir=None if tmpdir is None else os.fsdecode(tmpdir), text_field=text_field,
        id_field=id_field, skip_bad=bool(skip_bad), lossy=bool(lossy),
        against=None if against is None else os.fsdecode(against),
        output=None if output is None else os.fsdecode(output))
    if paths is None:
        lib_ids[:len(ids)] = ids
    return DedupResult(stats, lib_ids, reps, pairs)


class Scan:
    """The pairs of a corpus that share reused passages, as an iterator of :class:`ScanPair`
    (see :func:`scan`). Pairs stream from a worker thread as they are aligned, in
    increasing ``(a, b)``. ``close()`` (or leaving a ``with`` block) stops the scan."""

    def __init__(self, scanner, ids):
        self._s = scanner
        self._ids = ids

    def __iter__(self):
        return self

    def __next__(self):
        p = next(self._s)
        a_id = self._ids[p.a]
        b_id = self._ids[p.b]
        if a_id is None and b_id is None:
            return p
        return ScanPair((p.a, p.b, p.a_id if a_id is None else a_id,
                         p.b_id if b_id is None else b_id) + tuple(p)[4:])

    def close(self):
        """Stop the scan and release its temporary files."""
        self._s.close()

    def stats(self):
        """The scan's counters: documents, bytes, tokens, fingerprints, candidates, pairs..."""
        return self._s.stats()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _scan_add(s, docs, set_, ids, text_field, id_field, date_field, skip_bad, lossy):
    paths, it = _split_input(docs)
    if paths is not None:
        n = s.add_paths(paths, set_, text_field, id_field, bool(skip_bad), bool(lossy))
        ids.extend([None] * n)
        return
    for doc in it:
        number = len(ids)
        ident, text = _record(doc, number, text_field, id_field)
        date = None
        if date_field is not None and hasattr(doc, "get") and doc.get(date_field) is not None:
            date = str(doc.get(date_field)).encode()
        s.add(str(ident).encode("utf-8", "surrogateescape"), text, date, set_)
        ids.append(ident)


def scan(docs, *, against=None, min_words=8, min_containment=0.0, ngram=5, window=4,
         max_df=100, min_shared=4, threads=1, mem_limit=256 << 20, tmpdir=None, lossy=False,
         seed=0, text_field="text", id_field="id", date_field=None, skip_bad=False):
    """Every pair of documents sharing reused passages, aligned as :func:`compare` does
    (``reprint scan``). Returns a :class:`Scan`: iterate it for :class:`ScanPair` items.

    ``docs``: as for :func:`dedup` (texts, ``(id, text)``, dicts, or paths). ``against``:
    other documents; then only pairs of a document of ``docs`` with one of ``against``.
    ``min_words``: shortest passage. ``min_containment``: report a pair only when this
    share of one of its documents lies in passages. ``max_df``: text in more documents is
    boilerplate. ``min_shared``: fingerprints a pair must share to be aligned.
    ``threads``: worker threads. Offsets are str indices for documents given as str.

    The documents are read when ``scan`` is called (bad input raises here); the pairs are
    found while you iterate. Ctrl-C during iteration raises KeyboardInterrupt.
    """
    s = _reprint._Scan(ngram=ngram, window=window, max_df=max_df, min_shared=min_shared,
                       min_words=min_words, min_containment=float(min_containment),
                       against=against is not None, threads=threads, mem_limit=mem_limit,
                       tmpdir=None if tmpdir is None else os.fsdecode(tmpdir),
                       lossy=bool(lossy), seed=seed)
    ids = []
    try:
        _scan_add(s, docs, 0, ids, text_field, id_field, date_field, skip_bad, lossy)
        if against is not None:
            _scan_add(s, against, 1, ids, text_field, id_field, date_field, skip_bad, lossy)
        s.start()
    except BaseException:
        s.close()
        raise
    return Scan(s, ids)


def _meta_value(meta):
    if meta is None:
        return None
    try:
        return json.loads(meta)
    except ValueError:
        return meta


class Index(_reprint._Index):
    """The persistent reuse index of ``reprint index`` (one SQLite file).

    ``Index(path, create=True, readonly=False, ngram=None, window=None, seed=None)`` opens
    the index, creating it when absent (unless ``create=False``); parameters given must equal
    those stored. Changes go into a batch made durable by :meth:`commit`; as a context
    manager the batch is committed on success and rolled back on an exception, then the file
    is closed. A handle may be shared between threads (calls are serialized); for parallel
    queries open one handle per thread. Many processes may open one index.
    """

    def __init__(self, path, *, create=True, readonly=False, ngram=None, window=None,
                 seed=None, busy_ms=60000, lossy=False):
        super().__init__(os.fspath(path), create=create, readonly=readonly, ngram=ngram or 0,
                         window=window or 0, seed=seed, busy_ms=busy_ms, lossy=lossy)
        self.path = os.fspath(path)

    def add(self, id, text, meta=None, replace=False):
        """Add a document (``str`` or bytes) under ``id`` to the open batch. ``meta``: a dict
        (stored as JSON and returned with matches) or a str. A duplicate id raises
        :class:`ParamError` unless ``replace``."""
        if meta is not None and not isinstance(meta, (str, bytes)):
            meta = json.dumps(meta, ensure_ascii=False)
        super().add(str(id), text, meta, bool(replace))

    def add_many(self, docs, *, replace=False, text_field="text", id_field="id",
                 commit=True):
        """Add documents given as ``(id, text)``, ``(id, text, meta)`` or dicts (the members
        other than the text and id are kept as meta), then commit (unless ``commit=False``).
        On any exception, KeyboardInterrupt included, the whole batch is rolled back.
        Returns the number added."""
        n = 0
        try:
            for doc in docs:
                if isinstance(doc, tuple):
                    self.add(*doc, replace=replace)
                else:
                    meta = {k: v for k, v in doc.items() if k not in (text_field, id_field)}
                    self.add(doc[id_field], doc[text_field], meta or None, replace)
                n += 1
            if commit:
                self.commit()
        except BaseException:
            self.rollback()
            raise
        return n

    def query(self, text, top=10, *, min_containment=0.0, min_shared=2, max_candidates=20,
              max_df=1000, min_words=8):
        """The indexed documents sharing passages with ``text``, best first, as a list of
        :class:`Match` (``id``, ``containment_a``, ``containment_b``, ``passages``, ``meta``...).
        Passages: A is the indexed document, B the query; offsets are str indices when
        ``text`` is a str (into the indexed text decoded as str, and into ``text``)."""
        out = super().query(text, top=top, min_containment=float(min_containment),
                            min_shared=min_shared, max_candidates=max_candidates,
                            max_df=max_df, min_words=min_words)
        return [Match(tuple(m)[:8] + (_meta_value(m.meta),)) for m in out]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()


class Sketcher(_reprint._Sketcher):
    """MinHash signatures of texts: ``Sketcher(num_perm=128, ngram=5, seed=0, lossy=False)``.

    Tokens and word n-gram shingles are those of :func:`compare` (its ``jaccard`` is the
    exact value the signatures estimate). One-permutation hashing with optimal
    densification; standard error about ``sqrt(J(1-J)/num_perm)``.
    """

    def sketch(self, text):
        """The signature of ``text``: a read-only ``memoryview`` of ``num_perm`` uint32 values
        (format ``'I'``), usable with ``numpy.frombuffer(sig, numpy.uint32)``."""
        return memoryview(self._sketch(text)[0]).cast("I")

    def sketch_with_count(self, text):
        """``(signature, n_shingles)``; a text without words has 0 shingles."""
        sig, n = self._sketch(text)
        return memoryview(sig).cast("I"), n


class LSH:
    """An in-memory LSH index of signatures under any hashable keys.

    ``LSH(threshold=0.8, num_perm=128, bands=None, rows=None)``: the banding is chosen so that
    a pair at the threshold becomes a candidate with probability at least 0.995. Signatures
    come from :class:`Sketcher` (or any buffer of ``num_perm`` uint32 values).
    """

    def __init__(self, threshold=0.8, num_perm=128, *, bands=None, rows=None):
        if bands is None or rows is None:
            bands, rows = _reprint.lsh_choose(float(threshold), num_perm)
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = bands, rows
        self._reset()

    def _reset(self):
        self._lsh = _reprint._LSH(self.num_perm, self.bands, self.rows)
        self._keys = []    # internal number -> key
        self._sigs = []    # internal number -> signature bytes (for rebuilding)
        self._nums = {}    # key -> its internal numbers
        self._dead = set()

    def insert(self, key, sig):
        """Add ``sig`` under ``key`` (a key may be inserted more than once)."""
        sig = bytes(sig)
        num = len(self._keys)
        self._lsh.add(num, sig)
        self._keys.append(key)
        self._sigs.append(sig)
        self._nums.setdefault(key, []).append(num)

    def query(self, sig, min_similarity=0.0):
        """The keys whose signature shares an LSH band with ``sig`` and agrees with it on at
        least ``min_similarity`` of its values, best first, each key once."""
        seen = set()
        out = []
        for num in self._lsh.query(sig, float(min_similarity)):
            if num in self._dead:
                continue
            key = self._keys[num]
            if key not in seen:
                seen.add(key)
                out.append(key)
        return out

    def remove(self, key):
        """Remove every signature inserted under ``key``; KeyError when there is none."""
        nums = self._nums.pop(key)
        self._dead.update(nums)
        if len(self._dead) > 1024 and len(self._dead) > len(self._nums):
            live = [(self._keys[n], self._sigs[n]) for n in range(len(self._keys))
                    if n not in self._dead]
            self._reset()
            for k, s in live:
                self.insert(k, s)

    def __contains__(self, key):
        return key in self._nums

    def __len__(self):
        return len(self._keys) - len(self._dead)
