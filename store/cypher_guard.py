"""The analyst console's allow-list: only read clauses reach an engine, on either store.

The query is tokenized as Cypher's grammar reads it (``//`` and ``/* */`` comments, quoted
strings with backslash escapes, `backticked names`, parameters), never matched as raw text, so
a comment or a string cannot hide or split a keyword. Then every statement must start with a
read clause, and every word standing where a clause keyword can stand (not a property after
``.``, a label after ``:``, an alias after ``AS``, or a map key before ``:``) is checked:

- read clauses pass: MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP,
  LIMIT, UNION, and ``CALL`` of a short list of catalogue functions (:data:`CATALOGUE_CALLS`);
- every other clause keyword is refused by name: writes, LOAD / LOAD CSV, COPY, EXPORT,
  IMPORT, INSTALL, ATTACH, USE, CHECKPOINT, transactions, ``CALL … IN TRANSACTIONS``, DDL;
- settings (``CALL threads=1``), table functions (``CALL read_csv_serial(…)``), ``CALL {…}``
  subqueries and namespaced procedures/functions outside the list (``apoc.*``, ``dbms.*``,
  ``db.*``) are refused before they reach the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from challenge_graph.graph.errors import ReadOnlyError

__all__ = [
    "Token",
    "tokenize",
    "check_analyst_cypher",
    "read_unicode_escapes",
    "CATALOGUE_CALLS",
    "READ_CLAUSES",
    "MAX_NESTING",
]

READ_CLAUSES = frozenset(
    {"MATCH", "OPTIONAL", "WHERE", "WITH", "UNWIND", "RETURN", "ORDER", "SKIP", "LIMIT", "UNION", "CALL"}
)
STATEMENT_STARTS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"})
# harmless catalogue calls: LadybugDB's, then Neo4j's (names compared in lower case)
CATALOGUE_CALLS = frozenset(
    {
        "show_tables",
        "table_info",
        "show_connection",
        "show_functions",
        "show_indexes",
        "db_version",
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "dbms.components",
    }
)
# clause keywords of LadybugDB and Neo4j that are not reads (and words that only start them)
REFUSED_CLAUSES = {
    **dict.fromkeys(("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "FOREACH", "INSERT", "UPDATE"), "a write"),
    **dict.fromkeys(("DROP", "ALTER", "MACRO"), "a schema change"),
    "LOAD": "reads files",
    "COPY": "reads or writes files",
    "EXPORT": "writes files",
    "IMPORT": "reads files",
    "INSTALL": "an extension",
    "UNINSTALL": "an extension",
    "EXTENSION": "an extension",
    "ATTACH": "opens another database",
    "USE": "switches database",
    "CHECKPOINT": "an administrative command",
    "TERMINATE": "an administrative command",
    "GRANT": "an administrative command",
    "DENY": "an administrative command",
    "REVOKE": "an administrative command",
    **dict.fromkeys(("BEGIN", "COMMIT", "ROLLBACK", "TRANSACTION", "TRANSACTIONS", "PERIODIC"), "a transaction"),
    "PROFILE": "not a read clause",
    "EXPLAIN": "not a read clause",
    "USING": "not a read clause",
}
# commands that only ever start a statement, and common variable names elsewhere (`start.name`)
STATEMENT_COMMANDS = {
    "COMMENT": "a schema change",
    "SHOW": "an administrative command",
    "START": "an administrative command",
    "STOP": "an administrative command",
    "ENABLE": "an administrative command",
    "DISABLE": "an administrative command",
    "RENAME": "a schema change",
}
# namespaced functions that may stand in an expression (anything else namespaced is refused)
_SAFE_NAMESPACES = (
    "apoc.text.",
    "apoc.coll.",
    "apoc.map.",
    "apoc.math.",
    "apoc.number.",
    "apoc.date.",
    "apoc.temporal.",
    "point.",
    "date.",
    "datetime.",
    "localdatetime.",
    "localtime.",
    "time.",
    "duration.",
    "vector.",
)
_GUARDED_NAMESPACES = ("apoc", "dbms", "db", "gds", "tx", "genai", "cdc")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_OPERATORS = ("<>", "<=", ">=", "=~", "->", "<-", "..", "+=", "::", "!=")
_UNICODE_ESCAPE = re.compile(r"\\u+([0-9A-Fa-f]{4})")  # Java's form: \u, \uu… then four hex digits
MAX_NESTING = 64  # brackets (or CASE … END) inside brackets
MAX_TOKENS = 5_000  # terms of a query: the named queries use a few hundred
MAX_QUERY_CHARS = 100_000
_HINT = "the console runs read queries only (MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION)"


@dataclass(frozen=True)
class Token:
    """One lexical unit: kind is ``word``, ``name`` (backticked), ``string``, ``number``,
    ``param`` or ``op``; ``at`` is the offset in the query."""

    kind: str
    text: str
    at: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _refuse(message: str) -> ReadOnlyError:
    return ReadOnlyError(f"read-only: {message}")


def tokenize(cypher: str) -> list[Token]:
    """Tokens of ``cypher`` without comments and whitespace.

    Raises
    ------
    ReadOnlyError
        For an unterminated string, name or comment, or a character outside literals that
        Cypher has no use for (control or non-ASCII characters).
    """
    tokens: list[Token] = []
    i, n = 0, len(cypher)
    while i < n:
        ch = cypher[i]
        if ch in " \t\r\n":
            i += 1
        elif cypher.startswith("//", i):  # ends at the first line break any engine knows
            end = next((j for j in range(i + 2, n) if cypher[j] in _LINE_BREAKS), n)
            i = end
        elif cypher.startswith("/*", i):
            end = cypher.find("*/", i + 2)
            if end < 0:
                raise _refuse(f"unterminated /* comment at offset {i}")
            i = end + 2
        elif ch in "'\"":
            j = i + 1
            while j < n and cypher[j] != ch:
                j += 2 if cypher[j] == "\\" else 1
            if j >= n:
                raise _refuse(f"unterminated string at offset {i}")
            tokens.append(Token("string", cypher[i : j + 1], i))
            i = j + 1
        elif ch == "`":
            j = i
            while j < n and cypher[j] == "`":  # `a``b` is one name
                end = cypher.find("`", j + 1)
                if end < 0:
                    raise _refuse(f"unterminated `name` at offset {i}")
                j = end + 1
            tokens.append(Token("name", cypher[i:j], i))
            i = j
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i + 1
            while j < n and cypher[j].isascii() and (cypher[j].isalnum() or cypher[j] in "_$"):
                j += 1
            tokens.append(Token("word", cypher[i:j], i))
            i = j
        elif ch.isascii() and ch.isdigit():  # never longer than the engine's: `1LOAD` is 1, LOAD
            number = _NUMBER.match(cypher, i).group(0)
            tokens.append(Token("number", number, i))
            i += len(number)
        elif ch == "$":
            j = i + 1
            while j < n and cypher[j].isascii() and (cypher[j].isalnum() or cypher[j] == "_"):
                j += 1
            tokens.append(Token("param", cypher[i:j], i))
            i = j
        elif ch.isascii() and ch.isprintable():
            op = next((o for o in _OPERATORS if cypher.startswith(o, i)), ch)
            tokens.append(Token("op", op, i))
            i += len(op)
        else:
            raise _refuse(f"unexpected character {ch!r} (U+{ord(ch):04X}) at offset {i} outside strings and `names`")
    return tokens


def check_analyst_cypher(cypher: str) -> None:
    """Raise :class:`ReadOnlyError`, naming the clause, unless ``cypher`` is one read query
    made of allowed clauses. Store-agnostic: LadybugDB and Neo4j run the same check.

    >>> check_analyst_cypher("MATCH (c:Challenge) RETURN c.name AS set")
    >>> check_analyst_cypher("LOAD/**/FROM '/etc/passwd' RETURN *")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    challenge_graph.graph.errors.ReadOnlyError: read-only: LOAD FROM is not allowed here (reads files); ...
    """
    if len(cypher) > MAX_QUERY_CHARS:
        raise _refuse(f"the query is {len(cypher):,} characters long; the console takes {MAX_QUERY_CHARS:,} at most")
    decoded = read_unicode_escapes(cypher)
    if decoded != cypher:  # Neo4j reads the escapes before anything else: check what it will read too
        _check_tokens(tokenize(decoded))
    _check_tokens(tokenize(cypher))


def read_unicode_escapes(cypher: str) -> str:
    r"""``cypher`` as Neo4j reads it: every ``\uXXXX`` escape decoded before the query is split
    into words, in comments and strings too. An escape that stands for anything but a letter,
    a digit or a space can be read two ways (an engine that decodes it, one that does not) and
    is refused.

    >>> read_unicode_escapes(r"RETURN '\u00e9t\u00e9' AS summer")
    "RETURN 'été' AS summer"
    >>> read_unicode_escapes(r"WITH 1 AS x // \u000a LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    challenge_graph.graph.errors.ReadOnlyError: read-only: the escape \u000a at offset 15 stands for '\n', ...
    """

    def decode(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if not (char.isalnum() or char == " "):
            raise _refuse(
                f"the escape {match.group(0)} at offset {match.start()} stands for {char!r}, which an engine may "
                "read as Cypher: write the character itself"
            )
        return char

    return _UNICODE_ESCAPE.sub(decode, cypher)


def _check_tokens(tokens: list[Token]) -> None:
    _check_nesting(tokens)
    while tokens and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        raise _refuse("empty query")
    if any(t.kind == "op" and t.text == ";" for t in tokens):
        raise _refuse("one statement at a time (remove the ';')")
    _check_start(tokens, 0)
    for index, token in enumerate(tokens):
        if token.kind in ("word", "name") and not (index and tokens[index - 1].text in (".", ":")):
            _check_namespaced(tokens, index)
        if token.kind != "word" or not _in_keyword_position(tokens, index):
            continue
        word = token.upper
        if word in REFUSED_CLAUSES:
            raise _refuse(f"{_clause_name(tokens, index)} is not allowed here ({REFUSED_CLAUSES[word]}); {_HINT}")
        if word == "CALL":
            _check_call(tokens, index)
        elif word == "UNION":
            start = index + 2 if index + 1 < len(tokens) and tokens[index + 1].upper == "ALL" else index + 1
            if start >= len(tokens):
                raise _refuse("UNION must be followed by a query")
            _check_start(tokens, start)


def _check_nesting(tokens: list[Token]) -> None:
    """Refuse brackets (and ``CASE … END``) nested deeper than :data:`MAX_NESTING`, and queries of
    more than :data:`MAX_TOKENS` terms: engines parse them slowly or crash on them (Neo4j keeps
    parsing on the server after its client is gone), and no question about a graph needs them."""
    depth = deepest = 0
    for index, token in enumerate(tokens):
        keyword = token.upper in ("CASE", "END") and _in_keyword_position(tokens, index)  # not n.end
        opens = token.kind == "op" and token.text in "([{" or keyword and token.upper == "CASE"
        closes = token.kind == "op" and token.text in ")]}" or keyword and token.upper == "END"
        if opens:
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                raise _refuse(
                    f"brackets or CASE nested more than {MAX_NESTING} deep (at offset {token.at}); "
                    "write the query with WITH steps instead"
                )
        elif closes:
            depth -= 1
    if len(tokens) > MAX_TOKENS:
        raise _refuse(f"the query has {len(tokens):,} terms; the console takes {MAX_TOKENS:,} at most")


def _check_start(tokens: list[Token], index: int) -> None:
    token = tokens[index]
    if token.upper not in STATEMENT_STARTS:
        word = _clause_name(tokens, index) if token.kind == "word" else token.text
        reason = REFUSED_CLAUSES.get(token.upper) or STATEMENT_COMMANDS.get(token.upper, "not a read clause")
        raise _refuse(f"{word} is not allowed here ({reason}); {_HINT}")


def _in_keyword_position(tokens: list[Token], index: int) -> bool:
    """False for a property (``n.set``), a label (``:Set``), an alias (``AS set``), a map
    key (``{set: 1}``) or a variable whose property is read (``start.name``): the engine reads
    those words as names, never as clauses."""
    before = tokens[index - 1] if index else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if before is not None and (before.text in (".", ":") or before.upper == "AS"):
        return False
    return not (after is not None and after.text in (":", "."))


def _clause_name(tokens: list[Token], index: int) -> str:
    word = tokens[index].upper
    following = tokens[index + 1].upper if index + 1 < len(tokens) else ""
    if word == "LOAD" and following in ("CSV", "FROM", "EXTENSION"):
        return f"LOAD {following}"
    if word == "DETACH" and following == "DELETE":
        return "DETACH DELETE"
    if word == "TRANSACTIONS":
        return "CALL … IN TRANSACTIONS"
    return word


def _qualified_name(tokens: list[Token], index: int) -> tuple[str, int]:
    """The dotted name starting at ``index`` (``db.schema.visualization``) and the index after it."""
    parts = [_plain(tokens[index])]
    index += 1
    while index + 1 < len(tokens) and tokens[index].text == "." and tokens[index + 1].kind in ("word", "name"):
        parts.append(_plain(tokens[index + 1]))
        index += 2
    return ".".join(parts), index


def _plain(token: Token) -> str:
    """A word, or a backticked name without its quotes (```a``b``` is ``a`b``)."""
    return token.text[1:-1].replace("``", "`") if token.kind == "name" else token.text


def _check_call(tokens: list[Token], index: int) -> None:
    if index + 1 >= len(tokens):
        raise _refuse("CALL needs a function name")
    target = tokens[index + 1]
    if target.text == "{":
        raise _refuse(f"CALL {{…}} subqueries are not allowed here; {_HINT}")
    if target.kind not in ("word", "name"):
        raise _refuse(f"CALL {target.text} is not allowed here")
    name, after = _qualified_name(tokens, index + 1)
    if after < len(tokens) and tokens[after].text in ("=", "+="):
        raise _refuse(f"CALL {name}=… is not allowed here (a setting)")
    if name.lower() not in CATALOGUE_CALLS:
        raise _refuse(
            f"CALL {name} is not allowed here; the console calls only catalogue functions "
            f"({', '.join(sorted(CATALOGUE_CALLS))})"
        )


def _check_namespaced(tokens: list[Token], index: int) -> None:
    """Refuse ``apoc.export.csv.all(…)`` and the like outside CALL: functions of the guarded
    namespaces run only from the safe list."""
    name, after = _qualified_name(tokens, index)
    lowered = name.lower()
    if "." not in lowered or lowered.split(".")[0] not in _GUARDED_NAMESPACES:
        return
    if after < len(tokens) and tokens[after].text == "(":
        if not (lowered + ".").startswith(_SAFE_NAMESPACES) and lowered not in CATALOGUE_CALLS:
            raise _refuse(f"{name}() is not allowed here (a procedure or function that may write or touch files)")
