"""Load data: upload files, read the check report, then load them into the store."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.graph.model import SourceFile
from challenge_graph.loaders import LOADERS
from challenge_graph.pipeline.ingest import check_sources, ingest_sources, read_codebook

TITLE = "Load data"


def render() -> None:
    st.title(TITLE)
    store = data.store(data.db_path())
    st.caption(f"Into {store.describe()}. Files are added to what is loaded; the same file again replaces its copy.")
    suffixes = sorted({s.rsplit(".", 1)[-1] for s in LOADERS})
    uploads = st.file_uploader(
        "Transcripts, Delve exports, protocols, codings files",
        type=suffixes,
        accept_multiple_files=True,
        key="uploads",
    )
    if not uploads:
        st.info(f"Supported: {', '.join(sorted(LOADERS))}. Nothing is written until you press Load.")
        return
    sources = [SourceFile(u.name, u.getvalue()) for u in uploads]
    try:
        codebook_file, codebook = read_codebook(None, store if not store.is_empty() else None)
        report, _ = check_sources(sources, codebook)
    except ChallengeGraphError as e:
        data.show_error(e)
        return
    st.subheader("Check")
    st.write(f"{len(report.loaded)} file(s) read, {len(report.rejected)} rejected.")
    for error in report.rejected:
        st.error(data.plain(error))
    for note in report.notes:
        st.info(data.plain(note))
    if report.unknown_codes:
        st.warning(
            "Unknown codes (they load as challenges; add them to the codebook): " + ", ".join(report.unknown_codes)
        )
    if not report.loaded or not st.button("Load into the store", type="primary", key="load"):
        return
    bar = st.progress(0.0, text="Loading…")
    steps = max(1, len(sources) + len(store.sources()) + 20)
    done = [0]

    def progress(message: str) -> None:
        done[0] += 1
        bar.progress(min(done[0] / steps, 1.0), text=message)

    try:
        result = ingest_sources(store, sources, codebook_file, codebook, progress=progress)
    except ChallengeGraphError as e:
        data.show_error(e)
        return
    bar.progress(1.0, text="Done")
    st.success(
        f"Loaded {len(result.loaded)} file(s): the graph now holds "
        f"{result.counts.get('Interview', 0)} interviews and {result.counts.get('Challenge', 0)} challenges."
    )
