"""A drop-in for the most used part of datasketch: ``MinHash`` and ``MinHashLSH``.

Change ``from datasketch import MinHash, MinHashLSH`` to
``from reprint.datasketch import MinHash, MinHashLSH`` and the usual dedup loop
(shingle in Python, ``update_batch``, ``query``, ``insert``) runs unchanged, with the
hashing and the LSH done in C.

What is the same: the calls and their meaning. ``MinHash(num_perm, seed)``,
``update(b)``, ``update_batch(bs)``, ``copy()``, ``merge()``, ``jaccard(other)``
(an estimate of the Jaccard similarity of the two sets of byte strings),
``digest()``, ``is_empty()``, ``clear()``, ``len()``, ``==``;
``MinHashLSH(threshold, num_perm, weights, params)``, ``insert(key, m,
check_duplication=True)``, ``query(m)`` (the keys sharing at least one band: candidates,
not filtered by similarity), ``remove(key)``, ``key in lsh``, ``is_empty()``,
``insertion_session()``.

What differs:

* Signatures are not datasketch's bit for bit. Each element is hashed once
  (XXH3-64 with the seed) into one of ``num_perm`` bins (one-permutation hashing) and
  empty bins are filled by optimal densification (Shrivastava, 2017), where datasketch
  applies ``num_perm`` permutations to a SHA-1 of each element. Both are unbiased
  estimators of the Jaccard similarity with standard error about
  ``sqrt(J(1-J)/num_perm)`` (0.035 at J = 0.8 with 128) for sets much larger than
  ``num_perm``; for sets of fewer elements than ``num_perm`` the densified estimate
  is somewhat noisier. Signatures are 32-bit; ``digest()`` returns them as uint64 for
  datasketch compatibility.
* ``MinHashLSH`` without ``weights`` chooses its banding for recall: a pair at the
  threshold becomes a candidate with probability at least 0.995 (datasketch minimizes
  the sum of false-positive and false-negative areas, which loses more true pairs).
  Give ``weights=(fp, fn)`` for datasketch's weighted criterion, or ``params=(b, r)``.
* Not supported, raising ``NotImplementedError`` that names the feature: custom
  ``hashfunc``, ``hashobj``, ``hashvalues`` and ``permutations`` arguments,
  ``MinHash.count()``, ``MinHash.bulk()``/``generator()``, storage backends
  (``storage_config`` other than in-memory), ``prepickle``, ``get_counts()``,
  ``get_subset_counts()``, ``add_to_query_buffer``/``collect_query_buffer``,
  pickling, and the other datasketch classes (LeanMinHash, MinHashLSHForest,
  MinHashLSHEnsemble, HyperLogLog, ...).
"""
from . import _reprint

__all__ = ["MinHash", "MinHashLSH", "__version__"]

#: reprint's version (this is not datasketch).
__version__ = _reprint.version


def _unsupported(feature):
    return NotImplementedError("reprint.datasketch does not support datasketch's %s" % feature)


class MinHash(_reprint.MinHash):
    """MinHash of a set of byte strings (see the module's notes on the estimator).

    ``MinHash(num_perm=128, seed=1)``. ``update(b)`` takes bytes, as datasketch's does.
    """

    def __init__(self, num_perm=128, seed=1, hashfunc=None, hashobj=None, hashvalues=None,
                 permutations=None):
        for name, value in (("hashfunc", hashfunc), ("hashobj", hashobj),
                            ("hashvalues", hashvalues), ("permutations", permutations)):
            if value is not None:
                raise _unsupported("MinHash(%s=...)" % name)
        super().__init__(num_perm, seed)

    def digest(self):
        """The signature values (densified), as a numpy uint64 array when numpy is available,
        else a list of ints."""
        sig = memoryview(self.signature()).cast("I")
        try:
            import numpy
        except ImportError:
            return list(sig)
        return numpy.frombuffer(sig, dtype=numpy.uint32).astype(numpy.uint64)

    @property
    def hashvalues(self):
        """The same as ``digest()``."""
        return self.digest()

    def count(self):
        raise _unsupported("MinHash.count() (cardinality estimate)")

    @classmethod
    def bulk(cls, *args, **kwargs):
        raise _unsupported("MinHash.bulk()")

    @classmethod
    def generator(cls, *args, **kwargs):
        raise _unsupported("MinHash.generator()")

    @classmethod
    def union(cls, *mhs):
        """A new MinHash of the union of the sets of ``mhs``."""
        if len(mhs) < 2:
            raise ValueError("union needs at least two MinHash")
        out = mhs[0].copy()
        for m in mhs[1:]:
            out.merge(m)
        return out

    def __reduce__(self):
        raise _unsupported("pickling of MinHash")


def _weighted_banding(threshold, num_perm, weights):
    """The (bands, rows) minimizing w_fp * (false-positive area below the threshold) +
    w_fn * (false-negative area above it), the areas integrated numerically."""
    w_fp, w_fn = weights

    def area(lo, hi, f, steps=200):
        h = (hi - lo) / steps
        return sum(f(lo + (i + 0.5) * h) for i in range(steps)) * h

    best = None
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = area(0.0, threshold, lambda j: _reprint.lsh_probability(j, b, r))
            fn = area(threshold, 1.0, lambda j: 1 - _reprint.lsh_probability(j, b, r))
            err = w_fp * fp + w_fn * fn
            if best is None or err < best[0]:
                best = (err, b, r)
    return best[1], best[2]


class MinHashLSH:
    """LSH index of MinHash under keys: ``MinHashLSH(threshold=0.9, num_perm=128,
    weights=None, params=None)``. See the module's notes on how the banding is chosen."""

    def __init__(self, threshold=0.9, num_perm=128, weights=None, params=None,
                 storage_config=None, prepickle=None, hashfunc=None):
        if storage_config is not None and storage_config.get("type", "dict") != "dict":
            raise _unsupported("MinHashLSH storage_config %r" % storage_config.get("type"))
        if prepickle:
            raise _unsupported("MinHashLSH(prepickle=True)")
        if hashfunc is not None:
            raise _unsupported("MinHashLSH(hashfunc=...)")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be in [0.0, 1.0]")
        if num_perm < 2:
            raise ValueError("Too few permutation functions")
        self.threshold = threshold
        self.h = num_perm
        if params is not None:
            self.b, self.r = params
            if self.b * self.r > num_perm:
                raise ValueError("The product of b and r in params is %d, larger than num_perm "
                                 "%d" % (self.b * self.r, num_perm))
        elif weights is not None:
            if abs(sum(weights) - 1.0) > 1e-6:
                raise ValueError("Weights must sum to 1.0")
            self.b, self.r = _weighted_banding(threshold, num_perm, weights)
        else:
            self.b, self.r = _reprint.lsh_choose(max(threshold, 1e-9), num_perm)
        self._lsh = _reprint._LSH(num_perm, self.b, self.r)
        self._keys = []   # internal number -> key
        self._sigs = []   # internal number -> signature (for rebuilding after removals)
        self._num = {}    # key -> internal number
        self._dead = set()

    def _add(self, key, sig):
        num = len(self._keys)
        self._lsh.add(num, sig)
        self._keys.append(key)
        self._sigs.append(sig)
        self._num[key] = num

    def insert(self, key, minhash, check_duplication=True):
        """Index ``minhash`` under ``key``. ValueError when ``key`` is already present and
        ``check_duplication`` (without it, the new MinHash replaces the old one)."""
        if len(minhash) != self.h:
            raise ValueError("Expecting minhash with length %d, got %d" % (self.h, len(minhash)))
        if key in self._num:
            if check_duplication:
                raise ValueError("The given key already exists")
            self.remove(key)
        self._add(key, minhash.signature())

    def query(self, minhash):
        """The keys of indexed MinHash sharing at least one band with ``minhash``."""
        if len(minhash) != self.h:
            raise ValueError("Expecting minhash with length %d, got %d" % (self.h, len(minhash)))
        keys = self._keys
        if not self._dead:
            return [keys[n] for n in self._lsh.query(minhash)]
        return [keys[n] for n in self._lsh.query(minhash) if n not in self._dead]

    def remove(self, key):
        """Remove ``key``; ValueError when it is absent."""
        if key not in self._num:
            raise ValueError("The given key does not exist")
        self._dead.add(self._num.pop(key))
        if len(self._dead) > 1024 and len(self._dead) > len(self._num):
            live = [(self._keys[n], self._sigs[n]) for n in sorted(self._num.values())]
            self._lsh = _reprint._LSH(self.h, self.b, self.r)
            self._keys, self._sigs, self._num, self._dead = [], [], {}, set()
            for k, s in live:
                self._add(k, s)

    def __contains__(self, key):
        return key in self._num

    def is_empty(self):
        """True when no key is indexed."""
        return not self._num

    def insertion_session(self, buffer_size=50000):
        """A context manager with ``insert(key, minhash, check_duplication=True)``, as
        datasketch's (here inserts are not buffered: they go straight in)."""
        return _InsertionSession(self)

    def get_counts(self):
        raise _unsupported("MinHashLSH.get_counts()")

    def get_subset_counts(self, *keys):
        raise _unsupported("MinHashLSH.get_subset_counts()")

    def add_to_query_buffer(self, minhash):
        raise _unsupported("MinHashLSH.add_to_query_buffer()")

    def collect_query_buffer(self):
        raise _unsupported("MinHashLSH.collect_query_buffer()")

    def __reduce__(self):
        raise _unsupported("pickling of MinHashLSH")


class _InsertionSession:
    def __init__(self, lsh):
        self.lsh = lsh

    def insert(self, key, minhash, check_duplication=True):
        self.lsh.insert(key, minhash, check_duplication=check_duplication)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported("%s (only MinHash and MinHashLSH are provided)" % name)
