"""The command line imports a command's module only when that command runs: every module's
commands are registered, and a query does not import the load pipeline or the dashboard."""

from __future__ import annotations

import importlib
import subprocess
import sys

from challenge_graph.cli.main import COMMAND_MODULES, cli


def test_every_command_of_every_module_is_registered_under_its_name():
    modules = set(COMMAND_MODULES.values())
    found = {
        command.name: module
        for module in modules
        for command in importlib.import_module(f"challenge_graph.cli.{module}").COMMANDS
    }
    assert found == COMMAND_MODULES
    assert sorted(cli.list_commands(None)) == sorted(found)


def test_a_query_imports_neither_the_load_pipeline_nor_the_dashboard(sample_store):
    script = (
        "import sys\n"
        "from challenge_graph.cli.main import cli\n"
        f"try:\n    cli(['query', 'studies', '--db', {str(sample_store.path)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('challenge_graph.pipeline', "
        "'challenge_graph.semantic', 'challenge_graph.dashboard', 'streamlit'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "(1 row" in done.stdout or "rows)" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_adding_a_file_to_a_loaded_store_imports_neither_numpy_nor_pyarrow(tmp_path, one_study):
    """Writing a few changed interviews needs no Arrow tables, and a store that keeps no
    vectors needs no NumPy: adding one file starts without either (about 0.1 s each)."""
    db = tmp_path / "db"
    first, added = sorted((one_study / "cote-2024" / "delve").glob("*.txt"))[:2]
    load = (
        "import sys\n"
        "from pathlib import Path\n"
        "from challenge_graph.pipeline.ingest import ingest\n"
        "from challenge_graph.store.ladybug_store import LadybugStore\n"
        "store = LadybugStore(Path(sys.argv[1]))\n"
        "assert not ingest(store, [Path(sys.argv[2])]).rejected\n"
        "print(store.last_write, sorted(m for m in ('numpy', 'pyarrow') if m in sys.modules))\n"
        "store.close()\n"
    )
    outputs = []
    for path in (first, added):
        done = subprocess.run(
            [sys.executable, "-c", load, str(db), str(path)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip().splitlines()[-1])
    assert outputs[0].startswith("full ") and "pyarrow" in outputs[0]  # the first load writes every table
    assert outputs[1] == "changes []"
