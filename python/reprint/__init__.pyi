# Type stub of the reprint package (the code and docstrings are in __init__.py).
import os
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union)

from ._errors import (Error as Error, FileError as FileError, FormatError as FormatError,
                      LimitError as LimitError, MismatchError as MismatchError,
                      NoMemoryError as NoMemoryError, ParamError as ParamError,
                      ParseError as ParseError, Utf8Error as Utf8Error)
from ._reprint import (Match as Match, Passage as Passage, Result as Result,
                       ScanPair as ScanPair, _Index, _Sketcher)

__version__: str

Text = Union[str, bytes, bytearray, memoryview]
Document = Union[Text, Tuple[Any, Text], Mapping[str, Any]]
Documents = Union[Iterable[Document], "os.PathLike[str]", Iterable["os.PathLike[str]"]]

def compare(a: Text, b: Text, *, min_words: int = ..., jaccard_ngram: int = ...,
            lossy: bool = ..., seed: int = ..., name_a: str = ..., name_b: str = ...) -> Result: ...

def similarity(sig_a: Any, sig_b: Any) -> float: ...

class DedupResult:
    stats: Dict[str, Any]
    pairs: List[Tuple[Any, Any, float]]
    clusters: List[List[Any]]
    keep: List[Any]
    removed: List[Any]
    def representative(self, i: int) -> Any: ...

def dedup(docs: Documents, threshold: float = ..., *, num_perm: int = ..., ngram: int = ...,
          seed: int = ..., bands: Optional[int] = ..., rows: Optional[int] = ...,
          verify: str = ..., keep: str = ..., strict: bool = ..., threads: int = ...,
          mem_limit: int = ..., tmpdir: Optional[Union[str, "os.PathLike[str]"]] = ...,
          text_field: str = ..., id_field: str = ..., skip_bad: bool = ..., lossy: bool = ...,
          against: Optional[Union["Index", str, "os.PathLike[str]"]] = ...,
          output: Optional[Union[str, "os.PathLike[str]"]] = ...) -> DedupResult: ...

class Scan(Iterator[ScanPair]):
    def __next__(self) -> ScanPair: ...
    def close(self) -> None: ...
    def stats(self) -> Dict[str, int]: ...
    def __enter__(self) -> "Scan": ...
    def __exit__(self, *exc: Any) -> None: ...

def scan(docs: Documents, *, against: Optional[Documents] = ..., min_words: int = ...,
         min_containment: float = ..., ngram: int = ..., window: int = ..., max_df: int = ...,
         min_shared: int = ..., threads: int = ..., mem_limit: int = ...,
         tmpdir: Optional[Union[str, "os.PathLike[str]"]] = ..., lossy: bool = ...,
         seed: int = ..., text_field: str = ..., id_field: str = ...,
         date_field: Optional[str] = ..., skip_bad: bool = ...) -> Scan: ...

class Index(_Index):
    path: str
    def __init__(self, path: Union[str, "os.PathLike[str]"], *, create: bool = ...,
                 readonly: bool = ..., ngram: Optional[int] = ..., window: Optional[int] = ...,
                 seed: Optional[int] = ..., busy_ms: int = ..., lossy: bool = ...) -> None: ...
    def add(self, id: Any, text: Text, meta: Any = ..., replace: bool = ...) -> None: ...
    def add_many(self, docs: Iterable[Union[Tuple[Any, ...], Mapping[str, Any]]], *,
                 replace: bool = ..., text_field: str = ..., id_field: str = ...,
                 commit: bool = ...) -> int: ...
    def query(self, text: Text, top: int = ..., *, min_containment: float = ...,
              min_shared: int = ..., max_candidates: int = ..., max_df: int = ...,
              min_words: int = ...) -> List[Match]: ...
    def __enter__(self) -> "Index": ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...

class Sketcher(_Sketcher):
    def sketch(self, text: Text) -> memoryview: ...
    def sketch_with_count(self, text: Text) -> Tuple[memoryview, int]: ...

class LSH:
    threshold: float
    num_perm: int
    bands: int
    rows: int
    def __init__(self, threshold: float = ..., num_perm: int = ..., *,
                 bands: Optional[int] = ..., rows: Optional[int] = ...) -> None: ...
    def insert(self, key: Any, sig: Any) -> None: ...
    def query(self, sig: Any, min_similarity: float = ...) -> List[Any]: ...
    def remove(self, key: Any) -> None: ...
    def __contains__(self, key: Any) -> bool: ...
    def __len__(self) -> int: ...
