from __future__ import annotations

from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.privacy import scan
from tests.conftest import EXAMPLES


def test_scan_flags_each_kind():
    text = (
        "Write to j.doe@example.org or call +1 (514) 555-0199. Dr. Smith and Sarah Connor met at "
        "Google and the University of Toronto, then flew to Montreal."
    )
    found = {(f.kind, f.text) for f in scan([("t", text)])}
    assert found >= {
        ("email", "j.doe@example.org"),
        ("phone", "+1 (514) 555-0199"),
        ("person", "Dr. Smith"),
        ("person", "Sarah Connor"),
        ("organisation", "Google"),
        ("organisation", "University of Toronto"),
        ("place", "Montreal"),
    }


def test_pseudonymous_text_is_not_flagged():
    assert scan([("t", "Leader 4 said the loss in ANONYMIZED_DL_FRAMEWORK_1 of Company X was hard.")]) == []


def test_check_privacy_on_the_examples():
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES), "--privacy"])
    assert "privacy: interview-35-ilan.txt:249: person 'Margaret Michelle'" in result.stdout
    assert "privacy: reengineering-engineer-2.txt:31: organisation 'University of Delaware'" in result.stdout


def test_export_flags_identifiers_in_what_it_exports(tmp_path):
    """The quote exported with --with-quotes holds an e-mail address: the export flags it (and
    exports without quotes have nothing to flag)."""
    table = tmp_path / "codings.csv"
    table.write_text(
        "interview,speaker,text,code\nInterview 1,P1,Write to j.doe@example.org about the loss.,Loss-complexity\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "db")
    assert CliRunner().invoke(cli, ["load", str(table), "--db", db]).exit_code == 0
    out = tmp_path / "q.csv"
    result = CliRunner().invoke(
        cli, ["export", str(out), "--challenge", "Loss-complexity", "--with-quotes", "--db", db]
    )
    assert result.exit_code == 0
    assert (
        "privacy: Challenge 'Loss function is hard to implement and test': email 'j.doe@example.org'" in result.stderr
    )
    plain = CliRunner().invoke(cli, ["export", str(out), "--challenge", "Loss-complexity", "--db", db])
    assert plain.exit_code == 0 and "privacy:" not in plain.stderr


def test_no_credentials_in_error_messages(monkeypatch):
    secret = "s3cret-passw0rd-xyz"
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    for args in (["query", "top-challenges", "--neo4j"], ["load", str(EXAMPLES), "--neo4j"], ["dashboard", "--neo4j"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1 and secret not in result.output, args


def test_dashboard_binds_localhost_by_default():
    option = next(p for p in cli.commands["dashboard"].params if p.name == "host")
    assert option.default == "127.0.0.1"
