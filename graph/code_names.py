"""Names of codes: human labels from raw tags, the keys that match a fix to its challenge and a
name to a stage, and codes whose names say they are likely the same."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

__all__ = ["code_label", "lower_first", "normalise_name", "tolerant_key", "likely_duplicates", "kept_spelling"]


def normalise_name(text: str) -> str:
    """Fold case, hyphens, underscores and spacing so names compare as people read them.

    >>> normalise_name("Loss-function"), normalise_name(" loss  FUNCTION")
    ('loss function', 'loss function')
    """
    return " ".join(re.split(r"[\s_\-–]+", text.casefold())).strip()


def tolerant_key(code: str) -> str:
    """A key under which ``Data-missing-value`` and ``Data-missing-values`` (and ``-issue(s)``) meet.

    >>> tolerant_key("Data-missing-values") == tolerant_key("data-missing-value")
    True
    >>> tolerant_key("QM-data-privacy-issue") == tolerant_key("QM-data-privacy")
    True
    """
    words = [w for w in re.split(r"[\s_\-]+", code.casefold()) if w]
    while len(words) > 1 and words[-1] in ("issue", "issues", "problem", "problems"):
        words.pop()
    return "-".join(_singular(w) for w in words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def code_label(code: str, prefix: str = "", category: str = "", fix_suffix: str = "") -> str:
    """A human label: the code without its prefix and fix suffix, as words; where what is left
    says little alone (``Issues``, ``API``), the prefix's category comes first.

    >>> rule = ("ME", "Model evaluation")
    >>> code_label("ME-metrics-meaningless", *rule), code_label("ME-issues", *rule), code_label("ME-API", *rule)
    ('Metrics meaningless', 'Model evaluation: issues', 'Model evaluation: API')
    >>> code_label("ME-robustness", *rule)
    'Robustness'

    >>> code_label("ME-issues-fix", *rule, "-fix"), code_label("ML-drift-fix", fix_suffix="-fix")
    ('Fix: model evaluation: issues', 'Fix: ML drift')
    """
    core = code[: -len(fix_suffix)] if fix_suffix else code
    stripped = bool(prefix) and core.casefold().startswith(prefix.casefold() + "-")
    if stripped:
        core = core[len(prefix) + 1 :]
    words = " ".join(w for w in re.split(r"[-_]+", core) if w)
    if stripped and category and _bare(words):
        words = f"{category}: {lower_first(words)}"
    words = words[:1].upper() + words[1:]
    return f"Fix: {lower_first(words)}" if fix_suffix else words


def _bare(words: str) -> bool:
    """True for a name that says little without its prefix: one generic word or an acronym."""
    return len(words.split()) == 1 and (words.casefold() in _GENERIC or len(words) <= 3)


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless its first word is an acronym (API, ML)."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


_GENERIC = frozenset(
    "issue issues problem problems difficult difficulty difficulties challenge challenges hard hardness "
    "lack of the a an with in to".split()
)


def kept_spelling(uses: Mapping[str, int]) -> str:
    """The spelling a code is shown with when its coders spelt it several ways that merge into one
    code (``ME-Metrics-Meaningless`` and ``ME-metrics-meaningless``): the most used (``uses``:
    spelling -> turns tagged with it); on a tie, the first in code-point order, so capitals win.
    It never depends on the order of the files.

    >>> kept_spelling({"ME-metrics-meaningless": 3, "ME-Metrics-Meaningless": 5})
    'ME-Metrics-Meaningless'
    >>> kept_spelling({"data-drift": 2, "Data-drift": 2, "Data-Drift": 1})
    'Data-drift'
    """
    return min(uses, key=lambda spelling: (-uses[spelling], spelling))


def likely_duplicates(codes: Iterable[tuple[str, str, str]], cutoff: float = 0.92) -> list[tuple[str, str, str]]:
    """Pairs of codes of the same kind that are likely the same: ``(code, other, why)`` for codes
    whose tolerant keys are equal (``Missing-value``/``Missing-values``), whose names differ only
    by generic words (``Integration issues``/``Integration difficult``), or whose names are the
    same but for a typo. ``codes``: ``(code, name, kind)`` triples.

    >>> likely_duplicates([("Data-missing-value", "Missing value", "Challenge"),
    ...                    ("Data-missing-values", "Missing values", "Challenge"),
    ...                    ("Data-low-quality", "Low quality", "Challenge"),
    ...                    ("Data-low-quantity", "Low quantity", "Challenge"),
    ...                    ("MLP-integration-issues", "Integration issues", "Challenge"),
    ...                    ("MLP-integration-difficult", "Integration difficult", "Challenge")])
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Data-missing-value', 'Data-missing-values', 'the same words but for a plural or a suffix'),
     ('MLP-integration-difficult', 'MLP-integration-issues', "the same words but for 'difficult', 'issues'")]
    """
    items = sorted(set(codes))
    found = []
    for i, (code, name, kind) in enumerate(items):
        for other, other_name, other_kind in items[i + 1 :]:
            if kind != other_kind or code.casefold() == other.casefold():
                continue
            if tolerant_key(code) == tolerant_key(other):
                found.append((code, other, "the same words but for a plural or a suffix"))
            elif _core(name) and _core(name) == _core(other_name):
                extra = sorted(set(_words(name)) ^ set(_words(other_name)))
                found.append((code, other, "the same words but for " + ", ".join(repr(w) for w in extra)))
            elif difflib.SequenceMatcher(None, name.casefold(), other_name.casefold()).ratio() >= cutoff:
                found.append((code, other, f"names nearly the same ({name!r}, {other_name!r})"))
    return found


def _words(name: str) -> list[str]:
    return re.findall(r"\w+", name.casefold())


def _core(name: str) -> tuple[str, ...]:
    """The name's words without generic ones, singular."""
    return tuple(_singular(w) for w in _words(name) if w not in _GENERIC)
