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
