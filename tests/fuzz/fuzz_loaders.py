"""Coverage-guided fuzzing (atheris) of the REFI-QDA and Delve PDF loaders. Not run in CI.

    pip install atheris
    python tests/fuzz/fuzz_loaders.py qdpx -max_total_time=120
    python tests/fuzz/fuzz_loaders.py pdf -max_total_time=120

Starts from the sample files in tests/fixtures/; any input that raises anything but a
LoaderError is a crash: atheris stops and writes it to crash-*; turn it into a regression test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from challenge_graph.graph.errors import LoaderError
    from challenge_graph.loaders.delve_pdf import parse_pdf
    from challenge_graph.loaders.refi_qda import parse_qdpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TARGETS = {"qdpx": (parse_qdpx, FIXTURES / "qdpx"), "pdf": (parse_pdf, FIXTURES / "delve-pdf")}


def main() -> None:
    name = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1] in TARGETS else "qdpx"
    parse, seeds = TARGETS[name]

    def one_input(data: bytes) -> None:
        try:
            parse(data, source=f"fuzz.{name}")
        except LoaderError:
            pass

    corpus = Path(f"fuzz-corpus-{name}")
    corpus.mkdir(exist_ok=True)
    for seed in seeds.iterdir():
        (corpus / seed.name).write_bytes(seed.read_bytes())
    atheris.Setup([sys.argv[0], str(corpus), *sys.argv[1:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
