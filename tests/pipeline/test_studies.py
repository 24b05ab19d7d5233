"""Several studies in one graph: study folders, scoped ids, each study's codebook, crosswalks, and
questions across studies. Expected values are read from the example files with yaml, not from
the code under test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from challenge_graph.graph.codebook import load_codebook
from challenge_graph.pipeline.ingest import check, ingest
from challenge_graph.queries.runner import run_query
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES

STUDY_FOLDERS = sorted(p.parent for p in EXAMPLES.glob("*/study.yaml"))


def _study(folder: Path) -> dict:
    return yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))


def _write_study(folder: Path, study_id: str, **extra) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"id": study_id, "title": f"Study {study_id}", **extra}
    (folder / "study.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def test_the_examples_load_as_their_study_folders(studies_store):
    studies = {_study(f)["id"]: _study(f) for f in STUDY_FOLDERS}
    assert len(studies) == 2
    rows = run_query(studies_store, "studies").as_dicts()
    assert {r["study"]: (r["title"], r["year"]) for r in rows} == {
        sid: (s["title"], s["year"]) for sid, s in studies.items()
    }
    # every interview stands in the study of its folder: counted from the transcripts on disk
    on_disk = {
        _study(f)["id"]: len(list(f.glob("transcripts/*.txt")) + list(f.glob("delve/*.txt"))) for f in STUDY_FOLDERS
    }
    in_graph = studies_store.run(
        "MATCH (i:Interview)-[:IN_STUDY]->(s:Study) "
        "RETURN s.id, count(i), sum(CASE WHEN i.study = s.id THEN 1 ELSE 0 END)"
    ).rows
    assert {sid: (int(n), int(same)) for sid, n, same in in_graph} == {sid: (n, n) for sid, n in on_disk.items()}


def test_each_study_keeps_its_own_codebook(studies_store):
    for folder in STUDY_FOLDERS:
        study = _study(folder)
        stage_ids = {s["id"] for s in yaml.safe_load((folder / study["codebook"]).read_text())["workflow"]}
        stored = studies_store.run("MATCH (s:Stage) WHERE s.study = $study RETURN s.id", {"study": study["id"]}).rows
        assert {r[0] for r in stored} == {f"{study['id']}/{s}" for s in stage_ids}


def test_two_studies_interview_5_and_leader_4_stay_apart(tmp_path):
    for study, words in (("alpha", "the data was noisy"), ("beta", "the loss diverged")):
        _write_study(tmp_path / study, study)
        (tmp_path / study / "Interview 5.txt").write_text(
            f"Interviewer: What went wrong?\nLeader 4: In our project {words}.\n", encoding="utf-8"
        )
    store = LadybugStore(tmp_path / "db")
    report = ingest(store, [tmp_path])
    assert not report.rejected and not [n for n in report.notes if "already taken" in n]  # no collision note
    interviews = store.run("MATCH (i:Interview) RETURN i.id, i.title, i.study ORDER BY i.id").rows
    assert interviews == [
        ("alpha/interview-5", "Interview 5", "alpha"),
        ("beta/interview-5", "Interview 5", "beta"),
    ]
    people = store.run("MATCH (p:Participant)-[:INTERVIEWED_IN]->(i:Interview) RETURN p.id, i.id ORDER BY p.id").rows
    assert people == [("alpha/leader-4", "alpha/interview-5"), ("beta/leader-4", "beta/interview-5")]
    store.close()


def test_a_file_in_no_study_folder_keeps_its_id_and_the_store_codebook(tmp_path, one_study):
    store = LadybugStore(tmp_path / "db")
    ingest(store, [one_study / "cote-2024" / "delve"])
    assert store.run("MATCH (i:Interview) RETURN i.id, i.study ORDER BY i.id").rows == [
        ("interview-35", "default"),
        ("interview-38", "default"),
    ]
    assert store.run("MATCH (s:Study) RETURN s.id, s.codebook").rows == [("default", load_codebook().name)]
    store.close()


def test_model_training_answers_from_both_studies_and_says_which(studies_store):
    """Every row's stage maps onto model-training in its study's codebook (a sub-stage through
    its parent), read here from the codebooks' YAML."""
    mapped = {}
    for folder in STUDY_FOLDERS:
        study = _study(folder)
        workflow = yaml.safe_load((folder / study["codebook"]).read_text())["workflow"]
        by_id = {s["id"]: s for s in workflow}
        for stage in workflow:
            own = (stage.get("maps_to") or {}).get("model-training")
            parent = by_id.get(stage.get("parent", ""), {})
            if own or (not stage.get("maps_to") and "model-training" in (parent.get("maps_to") or {})):
                mapped[(study["id"], stage["name"])] = own or "broadMatch"
    rows = run_query(studies_store, "challenges-at-stage", {"stage": "model-training"}).as_dicts()
    assert {r["study"] for r in rows} == {_study(f)["id"] for f in STUDY_FOLDERS}
    assert all(mapped[(r["study"], r["stage"])] == r["mapping"] for r in rows)
    one = run_query(studies_store, "challenges-at-stage", {"stage": "model-training", "study": "jiang-2024"}).rows
    assert one and {r[-1] for r in one} == {"jiang-2024"}


def test_accepted_crosswalk_rows_become_matches_and_proposed_rows_never_count(studies_store):
    rows = yaml.safe_load((EXAMPLES / "crosswalk.yaml").read_text(encoding="utf-8"))["rows"]
    accepted = {(r["from"], r["to"], r["relation"]) for r in rows if r.get("status", "accepted") == "accepted"}
    assert len(accepted) < len(rows)  # the examples hold a proposed row
    stored = studies_store.run(
        "MATCH (a)-[m:MATCHES]->(b) RETURN a.study + '/' + a.code, b.study + '/' + b.code, m.relation"
    ).rows
    assert set(stored) == accepted and len(stored) == len(accepted)
    pairs = run_query(studies_store, "cross-study-challenges").as_dicts()
    assert {(f"{r['study']}/{r['code']}", f"{r['other_study']}/{r['other_code']}") for r in pairs} == {
        (a, b) for a, b, _ in accepted
    }


def test_a_crosswalk_row_naming_no_loaded_code_is_left_out_with_its_line(tmp_path):
    corpus = tmp_path / "examples"
    shutil.copytree(EXAMPLES, corpus)
    (corpus / "crosswalk.yaml").write_text(
        "rows:\n"
        "  - {from: cote-2024/QM-robustness, to: jiang-2024/Loss-complexity, relation: relatedMatch}\n"
        "  - {from: cote-2024/No-such-code, to: jiang-2024/Loss-complexity, relation: closeMatch}\n",
        encoding="utf-8",
    )
    report, graph = check([corpus], load_codebook())
    assert len(graph.rel_rows("MATCHES")) == 1
    assert any(
        n.endswith("crosswalk.yaml:3: crosswalk row left out: study 'cote-2024' has no code 'No-such-code'")
        for n in report.notes
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rows:\n  - {from: a/X, to: b/Y, relation: sameAs}\n", "crosswalk.yaml:2: relation must be one of"),
        (
            "rows:\n  - {from: X, to: b/Y, relation: closeMatch}\n",
            "crosswalk.yaml:2: from must name a study and a code",
        ),
        (
            "rows:\n  - {from: a/X, to: a/Y, relation: closeMatch}\n",
            "crosswalk.yaml:2: a crosswalk row relates codes of two",
        ),
    ],
)
def test_a_broken_crosswalk_names_its_line(tmp_path, text, message):
    (tmp_path / "crosswalk.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "t.txt").write_text("Interviewer: Why?\nP1: Because.\n", encoding="utf-8")
    report, _ = check([tmp_path], load_codebook())
    assert [str(e) for e in report.rejected if message in str(e)], [str(e) for e in report.rejected]
    assert "t.txt" in report.loaded  # the other files still load


def test_a_broken_study_yaml_names_its_line_and_keeps_its_files_out(tmp_path):
    _write_study(tmp_path / "good", "good")
    (tmp_path / "good" / "a.txt").write_text("Interviewer: Why?\nP1: Because.\n", encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "study.yaml").write_text("id: Not A Slug\ntitle: Bad\n", encoding="utf-8")
    (tmp_path / "bad" / "b.txt").write_text("Interviewer: Why?\nP1: Because.\n", encoding="utf-8")
    store = LadybugStore(tmp_path / "db")
    report = ingest(store, [tmp_path])
    errors = [str(e) for e in report.rejected]
    assert any("bad/study.yaml:1: id must be a slug" in e for e in errors), errors
    assert any(e.startswith(str(tmp_path / "bad" / "b.txt")) for e in errors), errors
    assert store.run("MATCH (i:Interview) RETURN i.id").rows == [("good/a",)]
    store.close()


def test_adding_a_study_gives_the_graph_a_full_load_gives(tmp_path):
    from tests.pipeline.test_incremental import _dump

    store = LadybugStore(tmp_path / "store")
    ingest(store, [EXAMPLES / "jiang-2024"])
    ingest(store, [EXAMPLES / "cote-2024", EXAMPLES / "crosswalk.yaml"])
    full = LadybugStore(tmp_path / "full")
    ingest(full, [EXAMPLES])
    assert _dump(store) == _dump(full)
    store.close()
    full.close()


def test_check_names_unmapped_stages_and_likely_matches_without_a_crosswalk_row(tmp_path):
    corpus = tmp_path / "examples"
    shutil.copytree(EXAMPLES, corpus)
    book = corpus / "jiang-2024" / "codebook.yaml"
    book.write_text(
        book.read_text(encoding="utf-8").replace(
            "  - {id: publishing, name: Publishing, track: re-engineering, aliases: [publication, release],\n"
            "     maps_to: {documentation-release: broadMatch}}",
            "  - {id: publishing, name: Publishing, track: re-engineering, aliases: [publication, release]}",
        ),
        encoding="utf-8",
    )
    report, _ = check([corpus], load_codebook())
    assert (
        "study 'jiang-2024': codebook: stage 'publishing' maps onto no stage of the reference taxonomy (add maps_to)"
        in report.notes
    )
    likely = [n for n in report.notes if n.startswith("crosswalk: ") and "no crosswalk row says so" in n]
    # the two 'low quality' challenges share their words; the crosswalk relates neither
    assert any("cote-2024/Data-low-quality and jiang-2024/Analysis-paper-low-quality" in n for n in likely), likely
    assert not any("Data-messy-real-world-data" in n for n in likely)  # related by an accepted row


def _coded_study(folder: Path, study_id: str, second_agrees: bool) -> None:
    """A study with one interview coded with the code Shared-code by two coders (codings files)."""
    _write_study(folder, study_id)
    (folder / "i1.txt").write_text(
        "Interviewer: What was hard?\nP1: The data was messy.\nInterviewer: And then?\nP1: The loss diverged.\n",
        encoding="utf-8",
    )
    for coder, quote in (
        ("ann", "The data was messy"),
        ("bob", "The data was messy" if second_agrees else "The loss diverged"),
    ):
        (folder / f"i1.{coder}.codings.yaml").write_text(
            yaml.safe_dump(
                {"transcript": "i1.txt", "coder": coder, "codings": [{"code": "Shared-code", "quote": quote}]}
            ),
            encoding="utf-8",
        )


def test_agreement_and_cooccurrence_never_pool_two_studies(tmp_path):
    from challenge_graph.queries.agreement import agreement
    from challenge_graph.queries.analysis import saturation

    _coded_study(tmp_path / "agree", "agree", second_agrees=True)
    _coded_study(tmp_path / "differ", "differ", second_agrees=False)
    store = LadybugStore(tmp_path / "db")
    assert not ingest(store, [tmp_path]).rejected
    table, _ = agreement(store)
    by_code = {row.code: row for row in table}
    # each study on its own: the coders agree on every turn in one study, not in the other
    assert set(by_code) == {"agree: Shared-code", "differ: Shared-code"}
    assert by_code["agree: Shared-code"].percent_agreement == 1.0
    assert by_code["differ: Shared-code"].percent_agreement < 1.0
    assert agreement(store, study="agree")[0][0].percent_agreement == 1.0
    rows = saturation(store)
    assert [r.interview for r in rows] == ["agree: i1", "differ: i1"]
    assert [r.codes for r in rows] == [1, 1]  # the same code name in two studies is two codes, never one
    store.close()


def test_a_stage_name_of_several_studies_asks_which(tmp_path, one_study):
    from challenge_graph.graph.errors import QueryError

    store = LadybugStore(tmp_path / "db")
    ingest(store, [EXAMPLES, one_study / "jiang-2024" / "transcripts"])  # Loss function: jiang-2024's and the default's
    with pytest.raises(QueryError, match="stage 'loss function' is a stage of several studies"):
        run_query(store, "challenges-at-stage", {"stage": "loss function"})
    rows = run_query(store, "challenges-at-stage", {"stage": "loss function", "study": "jiang-2024"}).as_dicts()
    assert rows and {r["study"] for r in rows} == {"jiang-2024"}
    store.close()


def test_a_code_of_several_studies_asks_which(tmp_path, one_study):
    from challenge_graph.graph.errors import QueryError

    store = LadybugStore(tmp_path / "db")
    ingest(store, [EXAMPLES / "cote-2024", one_study / "cote-2024" / "delve"])  # QM-robustness twice
    with pytest.raises(QueryError, match="challenge 'QM-robustness' is a challenge of several studies"):
        run_query(store, "challenge-quotes", {"challenge": "QM-robustness"})
    rows = run_query(store, "challenge-quotes", {"challenge": "cote-2024/qm-robustness"}).as_dicts()
    assert rows and {r["interview"] for r in rows} == {"Interview 35"}
    store.close()
