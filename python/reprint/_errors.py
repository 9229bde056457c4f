"""The exceptions of reprint: one class per status code of the C library.

Every error the library reports is raised as a subclass of :class:`Error`,
which carries what the library said: ``message`` (one line of English),
``path`` (the file or document name, ``""`` when unknown), ``line`` (1-based,
0 when not about a line), ``offset`` (the byte offset of the problem, 0 when
unknown) and ``code`` (the numeric ``rp_status``). Each subclass also derives
from the closest built-in exception, so ``except ValueError`` and
``except OSError`` keep working.
"""


class Error(Exception):
    """Base class of every error reported by libreprint."""

    code = 0
    message = ""
    path = ""
    line = 0
    offset = 0


class NoMemoryError(Error, MemoryError):
    """An allocation failed (RP_ERR_NOMEM)."""


class FileError(Error, OSError):
    """Reading or writing a file failed (RP_ERR_IO); ``errno`` is set when known."""


class Utf8Error(Error, ValueError):
    """The input is not valid UTF-8 (RP_ERR_UTF8); ``offset`` is the first bad byte."""


class ParseError(Error, ValueError):
    """Well-formed text that is not the expected syntax, e.g. a bad JSONL line (RP_ERR_PARSE)."""


class ParamError(Error, ValueError):
    """An argument or option is out of range (RP_ERR_PARAM)."""


class FormatError(Error, ValueError):
    """The input is not of the expected kind: binary data, a NUL byte, a file that
    is not an index, corrupt compressed data (RP_ERR_FORMAT)."""


class MismatchError(Error, ValueError):
    """Two objects were built with different parameters (RP_ERR_MISMATCH)."""


class LimitError(Error, ValueError):
    """The input exceeds a documented size limit (RP_ERR_LIMIT)."""


# Indexed by rp_status; the C extension raises through this table.
BY_CODE = (Error, NoMemoryError, FileError, Utf8Error, ParseError, ParamError, FormatError,
           MismatchError, LimitError)

for _cls in BY_CODE:
    _cls.__module__ = "reprint"
del _cls
