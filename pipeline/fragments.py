"""Built interviews kept beside a store, so that a load rebuilds only the interviews it touches.

A fragment holds the rows one interview contributes to the graph (its excerpts, speakers,
coders, codings, tool mentions) and what the build noticed on the way. It is keyed by
everything those rows depend on: the records that make up the interview (their files' names
and contents), the codebook, the build's own code, and the options of the load. The rest of
the graph (codes' evidence counts, fixes, participants' attributes) is computed after the
fragments are put together, so an incremental load and a full rebuild give the same rows.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any

from challenge_graph.graph.build import InterviewJob
from challenge_graph.graph.codebook import Codebook
from challenge_graph.graph.figures import Figures
from challenge_graph.graph.interview_build import Fragment, build_interview
from challenge_graph.graph.kept_values import register
from challenge_graph.pipeline.kept_store import KeptStore
from challenge_graph.pipeline.workers import in_worker_process, map_in_processes

__all__ = ["FragmentCache", "KeptBuilds", "build_version"]

MEMO = "memo"  # values remember() keeps between loads
register(Fragment)  # kept files may hold built interviews, with their figures
register(Figures)

# the modules whose code decides what an interview's rows are
_BUILD_MODULES = (
    "build.py",
    "interview_build.py",
    "graph_data.py",
    "aggregates.py",
    "figures.py",
    "align.py",
    "autocode.py",
    "codebook.py",
    "gazetteer.py",
    "model.py",
    "speakers.py",
    "taxonomy.py",
    "code_names.py",
)


@cache
def build_version() -> str:
    """A digest of the code that turns records into rows: any change to it makes every kept
    fragment stale."""
    folder = resources.files("challenge_graph.graph")
    digest = hashlib.sha256()
    for name in _BUILD_MODULES:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:16]


class FragmentCache:
    """Fragments, kept in ``kept`` as entries of kind ``fragment``; a missing or damaged entry is
    rebuilt. ``salt`` names what else the records depend on (the loaders' version)."""

    KIND = "fragment"

    def __init__(self, kept: KeptStore, salt: str = "") -> None:
        self.kept = kept
        self.salt = salt
        self.used: set[str] = set()  # keys read or written since this cache was opened
        self._memo: dict[Any, Any] | None = None  # values worth keeping between loads, see remember()
        self._memo_used: set[Any] = set()

    def __getstate__(self) -> dict[str, Any]:  # a worker process only writes fragments: the rest stays here
        return {**self.__dict__, "used": set(), "_memo": None, "_memo_used": set()}

    def key(self, *parts: Any) -> str:
        """A digest of ``parts`` (strings, numbers, booleans, tuples or lists of them), the
        salt and the build's version.

        >>> cache = FragmentCache(KeptStore("unused"))
        >>> cache.key("a", ("b", 1)) == cache.key("a", ("b", 1)) != cache.key("a", ("b", 2))
        True
        """
        digest = hashlib.sha256(f"{build_version()}\0{self.salt}\0".encode())
        digest.update(repr(parts).encode("utf-8"))
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        return self.kept.get(self.KIND, key, Fragment)

    def kept_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` a fragment is kept under (one query; some may still turn out damaged)."""
        wanted = set(keys)
        self.used |= wanted
        return wanted & self.kept.keys(self.KIND)

    def get_many(self, keys: Sequence[str]) -> Iterator[Any | None]:
        """What :meth:`get` gives for each of ``keys``, in their order, read a few hundred at a time."""
        self.used.update(keys)
        return self.kept.get_many(self.KIND, keys, Fragment)

    def put(self, key: str, fragment: Any) -> bytes:
        """Keep ``fragment``; returns the kept bytes (see :meth:`sent`)."""
        self.used.add(key)
        return self.kept.put(self.KIND, key, fragment)

    def sent(self, key: str, data: bytes) -> Fragment:
        """The fragment of the bytes a worker process kept under ``key`` and sent back (:meth:`put`):
        its held rows are read from the kept file when used (:meth:`KeptStore.sent`)."""
        return self.kept.sent(self.KIND, key, data, Fragment)

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, or the value it gave for ``key`` (and this build version) in an earlier
        load: for figures the build needs about unchanged files, such as the likeness of two
        coders' files of one interview."""
        if self._memo is None:
            self._memo = self.kept.get(MEMO, MEMO, dict) or {}
        full = (build_version(), self.salt, key)
        self._memo_used.add(full)
        if full not in self._memo:
            self._memo[full] = compute()
        return self._memo[full]

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove every entry but ``keys`` (interviews no longer loaded leave the disk), and keep
        what :meth:`remember` was asked for in this load."""
        self.kept.keep_only(self.KIND, keys)
        if self._memo is not None:
            self.kept.put(MEMO, MEMO, {k: v for k, v in self._memo.items() if k in self._memo_used})


class KeptBuilds:
    """Interviews for :func:`graph.build.build_graph`: taken from ``fragments`` where kept, the
    rest built over worker processes (:func:`map_in_processes`) and kept there. When a build makes
    at most ``FIRST_MAX`` interviews, they are made first and handed to ``built`` (interview id ->
    (key, fragment)) before the kept ones are read: a store may start writing them."""

    FIRST_MAX = 8

    def __init__(
        self, fragments: FragmentCache | None, built: Callable[[dict[str, tuple[str, Fragment]]], None] | None = None
    ) -> None:
        self.cache = fragments
        self.built = built

    def similarity(self, key: Any, compute: Callable[[], float]) -> float:
        return self.cache.remember(key, compute) if self.cache else compute()

    def fragments(
        self, jobs: Sequence[InterviewJob], codebook: Codebook, autocode: bool
    ) -> Iterator[tuple[Fragment, str]]:
        cache = self.cache
        keys = [
            cache.key(codebook.digest, autocode, labels, iid, group.inputs) if cache else ""
            for iid, group, labels in jobs
        ]
        known = cache.kept_keys(keys) if cache else set()
        kept = [key in known for key in keys]
        to_build = [(group, labels, key) for (_, group, labels), key, has in zip(jobs, keys, kept) if not has]
        shared = (codebook, autocode, cache)
        stored = cache.get_many([key for key, has in zip(keys, kept) if has]) if cache else iter(())
        # in the interviews' order, as they come; closed at once if anything fails (work not begun is dropped)
        with contextlib.closing(map_in_processes(_build_and_keep, shared, to_build)) as made:
            built: Iterator[Fragment | bytes] = made
            if self.built is not None and 0 < len(to_build) <= self.FIRST_MAX:
                first = [_received(cache, key, fragment) for (_, _, key), fragment in zip(to_build, made)]
                new = [(iid, key) for (iid, _, _), key, has in zip(jobs, keys, kept) if not has]
                self.built({iid: (key, fragment) for (iid, key), fragment in zip(new, first)})
                built = iter(first)
            for (_, group, labels), key, has in zip(jobs, keys, kept):
                # decoded one at a time (a fragment is released once absorbed); a damaged one is built again here
                fragment = _received(cache, key, next(stored) if has else next(built))
                yield fragment or _build_and_keep(shared, (group, labels, key)), key


def _received(cache: FragmentCache | None, key: str, fragment: Fragment | bytes | None) -> Fragment | None:
    """A fragment as read or made: one a worker process kept and sent as bytes is decoded."""
    return cache.sent(key, fragment) if isinstance(fragment, bytes) and cache else fragment  # type: ignore[return-value]


def _build_and_keep(
    shared: tuple[Codebook, bool, FragmentCache | None], job: tuple[Any, tuple[str, ...], str]
) -> Fragment | bytes:
    """An interview's fragment, kept under its key (in a worker process, see :func:`map_in_processes`;
    a worker returns the kept bytes instead, see :meth:`FragmentCache.sent`)."""
    (codebook, autocode, fragments), (group, interviewers, key) = shared, job
    fragment = build_interview(group, codebook, autocode, interviewers)
    if fragments:
        kept = fragments.put(key, fragment)
        if in_worker_process():
            return kept
    return fragment
