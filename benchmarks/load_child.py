"""Load a corpus into a fresh store in this process and print seconds and peak RSS as JSON.

Run by the benchmark runner as a child process, so peak RSS is the load's own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore


def main(corpus: str, db: str) -> None:
    start = time.perf_counter()
    report = ingest(LadybugStore(Path(db)), [corpus])
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rejected": len(report.rejected),
                "counts": report.counts,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
