"""A Neo4j 5.26 Community server for the tests, from Maven Central (no Docker needed).

    python tests/neo4j_server.py start    # build once (cached), start in the background, print env lines
    python tests/neo4j_server.py env      # print the running server's env lines again
    python tests/neo4j_server.py stop     # stop it (SIGTERM, clean shutdown)

``start`` prints ``NEO4J_URI=…``, ``NEO4J_USERNAME=…``, ``NEO4J_PASSWORD=…`` and
``NEO4J_DATABASE=…`` lines (env-file format): ``set -a; . <(python tests/neo4j_server.py start); set +a``.
The server (``tests/neo4j_server/``, one Java class) listens on 127.0.0.1 only, on a free port,
with a password generated at each start; it starts from an empty database every time.
Its build, database, log and state live in ``.neo4j-test/`` (or ``$NEO4J_TEST_DIR``), which
ignores itself in git. Needs a JDK 17+ and Maven; the first build downloads Neo4j from Maven
Central into ``~/.m2``, later builds run offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "neo4j_server"
SOURCES = [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]
CACHE = Path(os.environ.get("NEO4J_TEST_DIR") or HERE.parent / ".neo4j-test").resolve()
BUILD, HOME, STATE, LOG = CACHE / "build", CACHE / "home", CACHE / "server.json", CACHE / "server.log"
MAIN_CLASS = "challengegraph.TestServer"
HEAP = os.environ.get("NEO4J_TEST_HEAP", "2g")
# as Neo4j's own launcher sets them: direct buffers and Netty without reflection warnings
JVM_OPTIONS = [
    f"-Xms{HEAP}",
    f"-Xmx{HEAP}",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
]
START_TIMEOUT = 180  # seconds, the first start of a cold JVM included
STOP_TIMEOUT = 60


class ServerError(Exception):
    """The test server could not be built, started or stopped; the message says why."""


def _say(message: str) -> None:
    print(f"neo4j-test-server: {message}", file=sys.stderr, flush=True)


def _prepare_cache() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# the Neo4j test server's build, database and state (tests/neo4j_server.py)\n*\n")


def _build_key() -> str:
    digest = hashlib.sha256()
    for path in SOURCES:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def classpath() -> str:
    """Build the server once per source version (Maven offline when it can) and return its classpath."""
    _prepare_cache()
    key_file, deps = BUILD / "build.key", BUILD / "classpath.txt"
    key = _build_key()
    if key_file.exists() and key_file.read_text() == key and deps.exists():
        jars = deps.read_text().strip().split(os.pathsep)
        if all(Path(jar).exists() for jar in jars):
            return os.pathsep.join([str(BUILD / "classes"), *jars])
    if not shutil.which("mvn") or not shutil.which("java"):
        raise ServerError("needs a JDK 17+ and Maven on PATH (apt-get install openjdk-17-jdk-headless maven)")
    command = [
        "mvn",
        "-B",
        "-q",
        "-f",
        str(PROJECT / "pom.xml"),
        f"-DoutputRoot={BUILD}",
        "compile",
        "dependency:build-classpath",
        f"-Dmdep.outputFile={deps}",
    ]
    _say("building the server (the first build downloads Neo4j from Maven Central)")
    offline = subprocess.run([*command[:1], "-o", *command[1:]], capture_output=True, text=True)
    if offline.returncode != 0:
        online = subprocess.run(command, capture_output=True, text=True)
        if online.returncode != 0:
            raise ServerError("the Maven build failed:\n" + (online.stdout + online.stderr)[-4000:])
    key_file.write_text(key)
    return classpath()


def _alive(pid: int) -> bool:
    """True if ``pid`` is this server's JVM (not a recycled process id)."""
    try:
        return MAIN_CLASS in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def _state() -> dict | None:
    try:
        state = json.loads(STATE.read_text())
    except (OSError, ValueError):
        return None
    return state if _alive(state["pid"]) else None


def env_lines(state: dict) -> str:
    return "".join(
        f"{key}={state[key]}\n" for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")
    )


def _check_answers(state: dict) -> None:
    """Log in over Bolt with the generated password, as the tests will."""
    import neo4j

    with neo4j.GraphDatabase.driver(
        state["NEO4J_URI"], auth=(state["NEO4J_USERNAME"], state["NEO4J_PASSWORD"])
    ) as driver:
        driver.execute_query("RETURN 1", database_=state["NEO4J_DATABASE"])


def start() -> dict:
    """Start the server unless it runs already; return its state (pid and env variables)."""
    if (running := _state()) is not None:
        return running
    cp = classpath()
    shutil.rmtree(HOME, ignore_errors=True)
    ready = CACHE / "ready"
    ready.unlink(missing_ok=True)
    password = secrets.token_urlsafe(24)
    with open(LOG, "wb") as log:
        process = subprocess.Popen(
            ["java", *JVM_OPTIONS, "-cp", cp, MAIN_CLASS, str(HOME), str(ready)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "NEO4J_TEST_PASSWORD": password},
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerError("the server did not start; its log ends:\n" + LOG.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    state = {
        "pid": process.pid,
        "NEO4J_URI": f"bolt://127.0.0.1:{int(ready.read_text())}",
        "NEO4J_USERNAME": "neo4j",
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": "neo4j",
    }
    STATE.touch(mode=0o600)
    STATE.write_text(json.dumps(state))
    _check_answers(state)
    _say(f"Neo4j is up at {state['NEO4J_URI']} (pid {process.pid}, log {LOG})")
    return state


def stop() -> bool:
    """Stop the server if it runs (SIGTERM, then SIGKILL after a minute); True if one was running."""
    state = _state()
    STATE.unlink(missing_ok=True)
    if state is None:
        return False
    os.kill(state["pid"], signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(state["pid"]):
        _say("the server did not stop within a minute; killing it")
        os.kill(state["pid"], signal.SIGKILL)
    shutil.rmtree(HOME, ignore_errors=True)
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("start", "stop", "env"):
        print(__doc__.strip().splitlines()[0] + "\nusage: python tests/neo4j_server.py start|env|stop", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(env_lines(start()), end="")
        elif argv[0] == "env":
            if (state := _state()) is None:
                raise ServerError("no test server is running (python tests/neo4j_server.py start)")
            print(env_lines(state), end="")
        elif not stop():
            _say("no test server was running")
    except ServerError as e:
        _say(str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
