"""Load a codings file: an analyst's codings of an uncoded transcript, written as YAML.

The file names the transcript and the coder and lists codes with a quote copied from the
transcript (a few words are enough; matching ignores case and spacing)::

    transcript: reengineering-leader-4.txt
    coder: example
    codings:
      - code: Loss-differential-testing
        quote: still not able to differential test our ANONYMIZED_MODELNAME loss
      - code: Match-missing-baseline
        quote: they don't have a baseline
        speaker: Leader 4        # optional: only turns of this speaker
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import CodingSet, QuoteCoding
from challenge_graph.loaders.text import read_lines

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in

__all__ = ["load", "parse", "dump", "SUFFIXES"]

FORMAT = "codings-yaml"
SUFFIXES = (".codings.yaml", ".codings.yml")
_TOP_KEYS = {"transcript", "coder", "codings"}
_ITEM_KEYS = {"code", "quote", "speaker"}


def load(path: Path) -> CodingSet:
    """Read one codings file."""
    return parse("\n".join(read_lines(path)), source=path)


def parse(text: str, source: Path | str = "<text>") -> CodingSet:
    """Parse the YAML text of a codings file.

    Raises
    ------
    LoaderError
        On invalid YAML, unknown keys or missing fields, with the line.

    Examples
    --------
    >>> cs = parse("transcript: t.txt\\ncoder: ex\\ncodings:\\n  - {code: A-b, quote: the loss}\\n")
    >>> cs.transcript, cs.coder, cs.codings[0].code, cs.codings[0].line
    ('t.txt', 'ex', 'A-b', 4)
    """
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise LoaderError(source, line, f"invalid YAML: {getattr(e, 'problem', e)}") from e
    if not isinstance(root, yaml.MappingNode):
        raise LoaderError(source, None, "expected a mapping with transcript, coder, codings")
    top = _mapping(root, source, _TOP_KEYS)
    for key in ("transcript", "coder", "codings"):
        if key not in top:
            raise LoaderError(source, root.start_mark.line + 1, f"missing key {key!r}")
    items = top["codings"]
    if not isinstance(items, yaml.SequenceNode):
        raise LoaderError(source, items.start_mark.line + 1, "'codings' must be a list")
    codings = []
    for item in items.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise LoaderError(source, line, "each coding must be a mapping with code and quote")
        fields = _mapping(item, source, _ITEM_KEYS)
        for key in ("code", "quote"):
            if key not in fields:
                raise LoaderError(source, line, f"coding is missing {key!r}")
        speaker = _scalar(fields["speaker"], source) if "speaker" in fields else None
        codings.append(QuoteCoding(_scalar(fields["code"], source), _scalar(fields["quote"], source), line, speaker))
    return CodingSet(
        transcript=_scalar(top["transcript"], source),
        coder=_scalar(top["coder"], source),
        source=Path(str(source)).name,
        codings=tuple(codings),
    )


def _mapping(node: yaml.MappingNode, source: Path | str, allowed: set[str]) -> dict[str, Any]:
    fields = {}
    for key, value in node.value:
        name = key.value
        if name not in allowed:
            raise LoaderError(
                source,
                key.start_mark.line + 1,
                f"unknown key {name!r} (expected one of {', '.join(sorted(allowed))})",
            )
        fields[name] = value
    return fields


def _scalar(node: yaml.Node, source: Path | str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise LoaderError(source, node.start_mark.line + 1, "expected a non-empty text value")
    return str(node.value).strip()


def dump(transcript: str, coder: str, codings: list[tuple[str, str, str]], comment: str = "") -> str:
    """The YAML text of a codings file: ``codings`` are ``(code, quote, speaker)`` triples.

    >>> print(dump("t.txt", "auto", [("Loss-x", "the loss", "P1")]), end="")
    transcript: t.txt
    coder: auto
    codings:
    - code: Loss-x
      quote: the loss
      speaker: P1
    """
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    body = {
        "transcript": transcript,
        "coder": coder,
        "codings": [{"code": c, "quote": q, "speaker": s} for c, q, s in codings],
    }
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
