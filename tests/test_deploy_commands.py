"""Every command of docs/deploy.md's ``sh`` blocks, run as written on this machine as root, in the
guide's order, as an administrator setting up a Debian 12 server would: the commands are read
from the guide when the test runs (tests/doc_blocks.py), so the guide and the test cannot drift,
and a block the guide gains fails the last test here until it is run too.

What "as written" means here:
- Each command is run word for word by ``sh -c`` as root, in /root, with Debian's root PATH and
  umask 022 and nothing of the test's environment (no audit key: the guide's commands must name
  it themselves). Exit codes are checked, and then what the command was for.
- Environment variables that leave the words unchanged point pip at a wheelhouse made from the
  running environment (tests/installed_wheels.py: the locked versions, nothing downloaded) with
  the machine's pip configuration ignored. The wheel and the lock are staged in /tmp, as the guide
  says (the wheel built by the README's command, as tests/test_packaging.py builds it).
- ``apt-get`` runs through a stand-in (tests/deploy_stand_ins.py) that gives the same words to the
  real apt-get with ``--simulate``: the names must resolve in Debian's archive, and nothing is
  installed or upgraded (a real run upgrades the machine's python3.11 wherever an update is
  pending, and needs the network). python3.11 and python3.11-venv must be installed (CI installs
  them); ``python3.11`` is then Debian's, from the root PATH.
- ``systemctl`` and ``journalctl`` run through stand-ins too (no systemd runs here): they record
  the call, and ``systemctl`` starts the unit file the guide gives, written where the guide says,
  as systemd would (its User, Environment, WorkingDirectory, UMask, ExecStart), so the health
  check, the upgrade and the journal meet a running dashboard. ``systemd-analyze verify`` checks
  the unit file's text.
- The dashboard's first page is opened as a browser opens it (Streamlit's WebSocket), since the
  guide says the first start builds the store from the default data.
- The cron line's command (after the five time fields and the user) runs as that user with cron's
  environment: ``runuser -u partnership -- sh -c COMMAND``.
- Two file names are placeholders and are replaced, nothing else: the restore's
  ``store-backup-20261128T021500Z.duckdb`` by the backup the cron line made, and the upgrade's
  ``partnership_funding-NEW.whl`` by the staged wheel's name.
- ``curl https://partnerships.council.example/...`` is not run: the public name has no address
  here (tests/test_deploy_nginx.py runs the nginx example in front of a stand-in upstream).
- The ``bat`` block is for Windows and is not run (tests/test_packaging.py checks its pip line
  takes the lock); the ``ini`` block is the unit file; the ``nginx`` block is
  tests/test_deploy_nginx.py's.

The server's paths (/opt/partnership, /etc/partnership, /var/lib/partnership,
/var/backups/partnership, the unit file, the staged files in /tmp, the user ``partnership``) are
made by the guide's commands and removed afterwards; where any of them exists already, or port
8501 is taken, the test refuses to run rather than touch them. It needs root (useradd, /etc,
switching users): without root it is skipped, saying so. CI runs it as root.
"""

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import deploy_stand_ins
import duckdb
import pytest
from doc_blocks import blocks, commands, section
from installed_wheels import wheelhouse
from packaging.utils import canonicalize_name
from test_packaging import build, wheel  # noqa: F401 - fixtures: the README's wheel build

from pipelines.base import config
from pipelines.store import audit_chain, audit_key

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        getattr(os, "geteuid", lambda: -1)() != 0,
        reason="the deployment guide's commands run as root (useradd, /etc, /opt, /var, sudo and runuser); "
        "this user is not root (CI runs the tests as root)",
    ),
]

ROOT = config.PROJECT_ROOT
DEPLOY = ROOT / "docs" / "deploy.md"
TESTS = Path(__file__).parent
USER = "partnership"
VENV = Path("/opt/partnership/venv")
STATE = Path("/var/lib/partnership")
STORE = STATE / "store.duckdb"
BACKUPS = Path("/var/backups/partnership")
ETC = Path("/etc/partnership")
KEY = ETC / "audit.key"
UNIT = Path("/etc/systemd/system/partnership-dashboard.service")
LOCK = Path("/tmp/requirements.lock")
ROSTER = Path("/tmp/roster_2026.csv")
STAGED_WHEELS = "partnership_funding-*.whl"  # in /tmp
SERVER_PATHS = (Path("/opt/partnership"), ETC, STATE, BACKUPS, UNIT, LOCK, ROSTER)
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # Debian's, for root
CRON_PATH = "/usr/bin:/bin"  # cron's
PORT = 8501
STAND_INS = ("apt-get", "systemctl", "journalctl")

INSTALL, LOAD = ("1. Install from the wheel", 0), ("1. Install from the wheel", 1)
MAKE_KEY, NIGHTLY, RESTORE = ("2. The store", 0), ("2. The store", 1), ("2. The store", 2)
SERVICE, HEALTH, LOGS, UPGRADE = ("3. systemd", 0), ("5. Health check", 0), ("6. Logs", 0), ("7. Upgrading", 0)
# Every sh block of the guide, by its heading and place under it: each is run by this module.
RUN_HERE = (INSTALL, LOAD, MAKE_KEY, NIGHTLY, RESTORE, SERVICE, HEALTH, LOGS, UPGRADE)
NOT_RUN = {
    "curl -fsS https://partnerships.council.example/_stcore/health": "the public name has no address on a test machine",
}


def _commands(block: tuple[str, int]) -> list[str]:
    heading, index = block
    return commands(blocks(section(DEPLOY, heading), "sh")[index])


def _one(block: tuple[str, int], pattern: str) -> str:
    [command] = [c for c in _commands(block) if re.search(pattern, c)]
    return command


# --- running the guide's commands ----------------------------------------------------------------


@dataclass
class Server:
    folder: Path
    wheelhouse: Path
    stand_ins: Path
    wheel: Path  # as staged in /tmp
    ran: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)

    def root_env(self, command: str) -> dict[str, str]:
        path = f"{self.stand_ins}:{ROOT_PATH}" if command.split()[0] in STAND_INS else ROOT_PATH
        return {
            "PATH": path,
            "HOME": "/root",
            "USER": "root",
            "LOGNAME": "root",
            "SHELL": "/bin/sh",
            "LANG": "C.UTF-8",
            # pip offline, from the running environment's libraries: the words stay the guide's.
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.wheelhouse),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }

    def run(self, command: str) -> subprocess.CompletedProcess:
        """One command of the guide, as root."""
        done = subprocess.run(
            ["sh", "-c", command],
            cwd="/root",
            env=self.root_env(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            umask=0o022,
        )
        self.ran[command] = done
        return done

    def ok(self, command: str) -> subprocess.CompletedProcess:
        done = self.run(command)
        assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def calls(self, name: str) -> list[list[str]]:
        """What the stand-in ``name`` was called with, in order."""
        path = self.stand_ins / "calls.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [call[1:] for call in map(json.loads, lines) if call[0] == name]


def _already_there() -> list[str]:
    found = [str(p) for p in SERVER_PATHS if p.exists() or p.is_symlink()]
    found += [str(p) for p in Path("/tmp").glob(STAGED_WHEELS)]
    for lookup, kind in ((pwd.getpwnam, "user"), (grp.getgrnam, "group")):
        try:
            lookup(USER)
            found.append(f"the {kind} {USER}")
        except KeyError:
            pass
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            found.append(f"a program listening on 127.0.0.1:{PORT}")
    return found


def _make_stand_ins(folder: Path) -> Path:
    folder.mkdir()
    for name in STAND_INS:
        script = folder / name
        script.write_text(
            f"#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(TESTS / 'deploy_stand_ins.py'))} "
            f'{name} {shlex.quote(str(folder))} "$@"\n',
            encoding="utf-8",
        )
        script.chmod(0o755)
    return folder


def _debians_python_is_installed() -> None:
    """The guide's apt-get line runs simulated (see above): the packages it names must be here."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}\n", "python3.11", "python3.11-venv"], capture_output=True, text=True
    )
    assert status.stdout.split("\n")[:2] == ["install ok installed"] * 2, (
        "Debian's python3.11 and python3.11-venv must be installed for the guide's venv line "
        f"(apt-get install python3.11 python3.11-venv; CI's apt-get line installs them): {status.stdout}{status.stderr}"
    )


def _health() -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/_stcore/health", timeout=5) as answer:
            return answer.read()
    except OSError:
        return None


def _wait_until_healthy(server: Server) -> None:
    """Streamlit takes a few seconds to listen after systemctl returns, as on a server."""
    deadline = time.monotonic() + 180
    while _health() != b"ok":
        journal = server.stand_ins / f"{UNIT.name}.journal"
        if deploy_stand_ins.running(server.stand_ins, UNIT.name) is None or time.monotonic() > deadline:
            raise AssertionError(f"the dashboard did not answer its health check:\n{journal.read_text(errors='replace')}")
        time.sleep(0.5)


def _open_first_page() -> tuple[str, list[str]]:
    """What a browser's first visit does: open Streamlit's WebSocket and ask for the first page.
    Returns how the page's script finished and the errors the page showed."""
    from streamlit.proto.Alert_pb2 import Alert
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    errors = []

    with connect(
        f"ws://127.0.0.1:{PORT}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{PORT}",
        open_timeout=60,
        max_size=None,
    ) as stream:
        first = BackMsg()
        first.rerun_script.query_string = ""
        first.rerun_script.page_script_hash = ""
        stream.send(first.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(stream.recv(timeout=600))
            element = message.delta.new_element
            if element.WhichOneof("type") == "exception":
                errors.append(element.exception.message)
            if element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                errors.append(element.alert.body)
            if message.WhichOneof("type") == "script_finished":
                return ForwardMsg.ScriptFinishedStatus.Name(message.script_finished), errors


def _remove_server(server: Server | None) -> None:
    if server is not None:
        deploy_stand_ins.stop(server.stand_ins, UNIT.name)
    for path in SERVER_PATHS:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    if server is not None:
        server.wheel.unlink(missing_ok=True)
    subprocess.run(["userdel", USER], capture_output=True)
    subprocess.run(["groupdel", USER], capture_output=True)  # where userdel left the group


@pytest.fixture(scope="module")
def server(wheel, tmp_path_factory):  # noqa: F811 - the fixture imported above
    """The server as sections 1 to 3 of the guide make it: installed, its key made, the unit
    file in place and started, and the first page opened (which builds the store)."""
    there = _already_there()
    if there:
        pytest.fail(
            "refusing to run the deployment guide here: it would write over what exists already: "
            + "; ".join(there)
            + " (the test makes and removes the guide's server, so it runs on a machine without one, as CI's)"
        )
    missing = [p for p in ("sudo", "runuser", "useradd", "curl") if shutil.which(p, path=ROOT_PATH) is None]
    assert not missing, f"the guide's commands need {missing}: install Debian's packages for them (apt-get install sudo curl)"
    folder = tmp_path_factory.mktemp("deploy")
    staged = Path("/tmp") / wheel.name
    server = None
    try:
        shutil.copyfile(wheel, staged)
        shutil.copyfile(ROOT / "requirements.lock", LOCK)
        server = Server(folder, wheelhouse(wheel, folder / "wheelhouse"), _make_stand_ins(folder / "stand-ins"), staged)
        for command in _commands(INSTALL) + _commands(MAKE_KEY):
            if command.startswith("python3.11 "):
                _debians_python_is_installed()
            server.ok(command)
        [unit] = blocks(section(DEPLOY, "3. systemd"), "ini")
        assert f"`{UNIT}`" in section(DEPLOY, "3. systemd")
        UNIT.write_text(unit + "\n", encoding="utf-8")
        for command in _commands(SERVICE):
            server.ok(command)
        _wait_until_healthy(server)
        finished, errors = _open_first_page()
        server.ran["first page"] = subprocess.CompletedProcess(["first page"], 0, finished, "\n".join(errors))
        yield server
    finally:
        _remove_server(server)


# --- reading what the commands did ---------------------------------------------------------------


def _read(store: Path, sql: str, tmp_path: Path) -> list[tuple]:
    """A query on a copy of a store (the live file is left to the commands)."""
    copy = tmp_path / f"read-{time.monotonic_ns()}.duckdb"
    shutil.copyfile(store, copy)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _server_key(monkeypatch) -> audit_key.Key:
    monkeypatch.delenv(audit_key.KEY_ENV, raising=False)
    monkeypatch.setenv(audit_key.KEY_FILE_ENV, str(KEY))
    key = audit_key.load_key()
    assert key is not None
    return key


def _verdict(store: Path, key: audit_key.Key, tmp_path: Path) -> audit_chain.Verdict:
    copy = tmp_path / f"verify-{time.monotonic_ns()}.duckdb"
    shutil.copyfile(store, copy)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return audit_chain.verify(con, key)
    finally:
        con.close()


def _owner(path: Path) -> tuple[str, str, str]:
    status = path.stat()
    return pwd.getpwuid(status.st_uid).pw_name, grp.getgrgid(status.st_gid).gr_name, oct(status.st_mode & 0o7777)


def _stage_roster(drop: int) -> list[str]:
    """/tmp/roster_2026.csv: the default roster with its last ``drop`` rows left out (so each load
    is a new file, not one already loaded); returns its data lines."""
    lines = (ROOT / "data" / "default" / "roster.csv").read_text(encoding="utf-8").splitlines()
    ROSTER.write_text("\n".join(lines[: len(lines) - drop]) + "\n", encoding="utf-8")
    ROSTER.chmod(0o644)
    return lines[1 : len(lines) - drop]


def _pins() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / "requirements.lock").read_text(encoding="utf-8"), re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


# --- the tests, in the guide's order ---------------------------------------------------------------


def test_the_install_lines_make_the_server_the_guide_describes(server):
    assert server.calls("apt-get") == [["install", "python3.11", "python3.11-venv"]]
    cfg = (VENV / "pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"^home = /usr/bin$", cfg, re.MULTILINE) and re.search(r"^version = 3\.11\.", cfg, re.MULTILINE), cfg
    listed = subprocess.run(
        [
            str(VENV / "bin" / "python"),
            "-c",
            "import json, importlib.metadata as m; print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {canonicalize_name(n): v for n, v in json.loads(listed.stdout).items()}
    pins = _pins()
    ours = {"partnership-funding", "pip", "setuptools"}
    assert {n: v for n, v in installed.items() if n not in ours and pins.get(n) != v} == {}  # every library at the lock's version
    assert (VENV / "bin" / "partnership").exists() and (VENV / "bin" / "partnership-dashboard").exists()
    user = pwd.getpwnam(USER)
    assert (user.pw_dir, user.pw_shell) == (str(STATE), "/usr/sbin/nologin") and user.pw_uid < 1000  # a system user
    assert _owner(STATE) == _owner(BACKUPS) == (USER, USER, "0o750")
    assert _owner(ETC) == ("root", USER, "0o750")


def test_the_key_is_made_once_for_the_service_and_seals_the_store_the_first_page_built(server, monkeypatch, tmp_path):
    assert _owner(KEY) == ("root", USER, "0o640")
    made = KEY.read_bytes()
    again = server.run(_one(MAKE_KEY, r"make-key"))
    assert again.returncode == 2 and "a key file is already there" in again.stderr, again.stderr  # never replaced
    assert KEY.read_bytes() == made
    first_page = server.ran["first page"]
    assert (first_page.stdout, first_page.stderr) == ("FINISHED_SUCCESSFULLY", "")
    assert _owner(STORE)[:2] == (USER, USER)
    key = _server_key(monkeypatch)
    entries = _read(STORE, "SELECT action, key_id FROM audit_log ORDER BY seq", tmp_path)
    assert entries and {key_id for _action, key_id in entries} == {key.key_id}, entries
    assert _verdict(STORE, key, tmp_path).intact
    assert not (STATE / ".config").exists()  # the service made no key of its own


def test_the_unit_file_passes_systemd_analyze_verify(server):
    analyze = shutil.which("systemd-analyze", path=ROOT_PATH)
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (Debian's systemd package), so the unit file's text is not checked")
    checked = subprocess.run([analyze, "verify", str(UNIT)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert [line for line in checked.stderr.splitlines() if UNIT.name in line] == []  # no warning about the unit
    assert server.calls("systemctl")[:2] == [["daemon-reload"], ["enable", "--now", "partnership-dashboard"]]


def test_the_health_check_says_ok_on_the_server(server):
    lines = _commands(HEALTH)
    assert set(NOT_RUN) <= set(lines)
    [local] = [c for c in lines if c not in NOT_RUN]
    assert server.ok(local).stdout == "ok"


def test_a_load_as_the_guide_writes_it_is_sealed_with_the_servers_key(server, monkeypatch, tmp_path):
    rows = _stage_roster(drop=1)
    before = _read(STORE, "SELECT max(seq) FROM audit_log", tmp_path)[0][0]
    loaded = server.ok(_one(LOAD, r"partnership load roster"))
    assert "loaded roster_2026.csv (roster)" in loaded.stderr, loaded.stderr
    key = _server_key(monkeypatch)
    entries = _read(STORE, f"SELECT action, actor, key_id FROM audit_log WHERE seq > {before} ORDER BY seq", tmp_path)
    assert [(action, key_id) for action, _actor, key_id in entries] == [("load", key.key_id)]
    assert entries[0][1].startswith(USER)  # the service user wrote it
    assert _read(STORE, "SELECT count(*) FROM memberships", tmp_path)[0][0] == len(rows)
    assert _owner(STORE)[:2] == (USER, USER)
    assert _verdict(STORE, key, tmp_path).intact


def test_the_same_load_without_the_key_file_is_refused_and_makes_no_key(server, tmp_path):
    """``sudo -u partnership`` alone drops an exported variable: the key is then looked for in the
    service user's own folder, where there is none, and the write is refused."""
    _stage_roster(drop=3)
    command = _one(LOAD, r"partnership load roster")
    words = shlex.split(command)
    [named] = [w for w in words if w.startswith(f"{audit_key.KEY_FILE_ENV}=")]
    without = shlex.join([w for w in words if w != named])
    own_key = STATE / ".config" / "partnership-funding" / "audit.key"
    store_before = (STORE.stat().st_ino, STORE.read_bytes())
    refused = server.run(without)
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert refused.returncode == 2 and len(errors) == 1, refused.stderr
    assert str(own_key) in errors[0] and audit_key.KEY_FILE_ENV in errors[0] and "nothing was changed" in errors[0]
    assert not own_key.exists() and not (STATE / ".config").exists()
    assert (STORE.stat().st_ino, STORE.read_bytes()) == store_before
    assert _owner(KEY) == ("root", USER, "0o640")


def _cron_line() -> tuple[str, str, list[str]]:
    """(the cron.d file's name, the user, the command) of the nightly backup block."""
    [comment] = [
        line
        for line in blocks(section(DEPLOY, "2. The store"), "sh")[NIGHTLY[1]].splitlines()
        if line.startswith("# /etc/cron.d/")
    ]
    [line] = _commands(NIGHTLY)
    fields = line.split(None, 6)
    return comment.split(":")[0].removeprefix("# /etc/cron.d/"), fields[5], fields


def _run_cron_line(server: Server) -> subprocess.CompletedProcess:
    _name, user, fields = _cron_line()
    entry = pwd.getpwnam(user)
    done = subprocess.run(
        [shutil.which("runuser", path=ROOT_PATH) or "runuser", "-u", user, "--", "sh", "-c", fields[6]],
        cwd=entry.pw_dir,
        env={"PATH": CRON_PATH, "HOME": entry.pw_dir, "SHELL": "/bin/sh", "LOGNAME": user},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        umask=0o022,
    )
    server.ran[fields[6]] = done
    assert done.returncode == 0, f"{fields[6]}\n{done.stderr}"
    return done


def test_the_nightly_backup_line_runs_as_cron_runs_it(server):
    name, user, fields = _cron_line()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", name), name  # cron ignores a cron.d file with another name
    assert user == USER and len(fields) == 7
    assert all(re.fullmatch(r"[0-9*,/-]+", f) for f in fields[:5]), fields[:5]
    before = set(BACKUPS.glob("store-backup-*.duckdb"))
    _run_cron_line(server)
    [made] = set(BACKUPS.glob("store-backup-*.duckdb")) - before
    checksum = made.with_name(made.name + ".sha256")
    assert checksum.read_text(encoding="utf-8").split()[0] == hashlib.sha256(made.read_bytes()).hexdigest()
    assert _owner(made)[:2] == _owner(checksum)[:2] == (USER, USER)


def test_the_restore_line_brings_back_the_nightly_backup(server, monkeypatch, tmp_path):
    before = set(BACKUPS.glob("store-backup-*.duckdb"))
    _run_cron_line(server)
    [backup] = set(BACKUPS.glob("store-backup-*.duckdb")) - before
    members = "SELECT * FROM memberships ORDER BY ALL"
    backed_up = _read(backup, members, tmp_path)
    _stage_roster(drop=2)
    server.ok(_one(LOAD, r"partnership load roster"))  # a change after the backup
    assert _read(STORE, members, tmp_path) != backed_up
    command = _one(RESTORE, r"partnership restore")
    placeholder = re.findall(r"store-backup-\d{8}T\d{6}Z\.duckdb", command)
    assert len(placeholder) == 1 and re.fullmatch(r"store-backup-\d{8}T\d{6}Z\.duckdb", backup.name)  # the name the tool gives
    kept = set(STATE.glob("store.before-restore-*.duckdb"))
    server.ok(command.replace(placeholder[0], backup.name))
    assert _read(STORE, members, tmp_path) == backed_up
    [replaced] = set(STATE.glob("store.before-restore-*.duckdb")) - kept
    assert _owner(replaced)[:2] == _owner(STORE)[:2] == (USER, USER)
    [(action, actor)] = _read(STORE, "SELECT action, actor FROM audit_log ORDER BY seq DESC LIMIT 1", tmp_path)
    assert (action, actor) == ("restore", "J. Smith")
    assert _verdict(STORE, _server_key(monkeypatch), tmp_path).intact


def test_the_upgrade_lines_stop_back_up_reinstall_start_and_audit(server, monkeypatch, tmp_path):
    lines = _commands(UPGRADE)
    placeholder = "partnership_funding-NEW.whl"
    assert sum(placeholder in c for c in lines) == 2
    calls = len(server.calls("systemctl"))
    for command in lines:
        done = server.ok(command.replace(placeholder, server.wheel.name))
        if command.startswith("systemctl stop"):
            assert _health() is None  # nobody is approving while the store is backed up and upgraded
        if command.startswith("systemctl start"):
            _wait_until_healthy(server)
    assert server.calls("systemctl")[calls:] == [["stop", "partnership-dashboard"], ["start", "partnership-dashboard"]]
    backup = BACKUPS / "before-upgrade-0.1.0.duckdb"
    assert _owner(backup)[:2] == (USER, USER) and backup.with_name(backup.name + ".sha256").exists()
    assert "intact" in done.stdout, done.stdout  # the last line: the audit, which exits 0 only on a verified log
    assert _verdict(STORE, _server_key(monkeypatch), tmp_path).intact
    assert _health() == b"ok"


def _refused_websocket() -> None:
    """A browser on another site trying the dashboard's WebSocket: Streamlit logs a WARNING."""
    from websockets.exceptions import InvalidStatus, WebSocketException
    from websockets.sync.client import connect

    try:
        with connect(
            f"ws://127.0.0.1:{PORT}/_stcore/stream",
            subprotocols=["streamlit"],
            origin="https://elsewhere.example",
            open_timeout=30,
        ) as stream:
            stream.recv(timeout=30)
    except (InvalidStatus, WebSocketException, TimeoutError):
        pass


def test_the_log_lines_read_the_dashboards_journal(server):
    _refused_websocket()
    journal = server.stand_ins / f"{UNIT.name}.journal"
    deadline = time.monotonic() + 60
    while "Rejecting WebSocket connection" not in journal.read_text(errors="replace"):
        assert time.monotonic() < deadline, journal.read_text(errors="replace")
        time.sleep(0.2)
    follow, refusals, approvals = _commands(LOGS)
    calls = len(server.calls("journalctl"))
    server.ok(follow)
    shown = server.ok(refusals).stdout
    assert "WARNING" in shown and "Rejecting WebSocket connection with disallowed Origin" in shown, shown
    assert "INFO" not in shown
    approved = server.run(approvals)  # grep's status: 1, no approval was made through this dashboard
    assert approved.returncode in (0, 1) and all("approved by" in line for line in approved.stdout.splitlines())
    assert [c[:2] for c in server.calls("journalctl")[calls:]] == [["-u", "partnership-dashboard"]] * 3


def test_every_sh_command_of_the_guide_is_run_here():
    """A block or command the guide gains must be run by this module before this passes."""
    every = blocks(DEPLOY.read_text(encoding="utf-8"), "sh")
    here = [blocks(section(DEPLOY, heading), "sh")[index] for heading, index in RUN_HERE]
    assert sorted(here) == sorted(every) and len(set(RUN_HERE)) == len(every)
    assert set(NOT_RUN) <= {c for b in every for c in commands(b)}
