"""Stand-ins for the three programs docs/deploy.md calls that a test machine cannot run for real,
used by tests/test_deploy_commands.py: ``systemctl`` and ``journalctl`` (no systemd is running
here) and ``apt-get`` (a real run changes the machine's packages and needs the network).

Each records the words it was given (one JSON list a line in ``calls.jsonl``) and then does the
part of the real program's job the guide relies on, so the commands after it meet the state they
would meet on a server:

- ``systemctl daemon-reload | enable --now UNIT | start UNIT | stop UNIT`` reads the unit file the
  guide installs (/etc/systemd/system/UNIT.service) and starts its ExecStart as systemd would for
  a ``Type=simple`` service: as its User and Group with no supplementary groups, in its
  WorkingDirectory, with its Environment lines, its UMask, systemd's PATH and the user's HOME;
  stdout and stderr go to the unit's journal file. ``stop`` ends the service's process group.
- ``journalctl -u UNIT [-p LEVEL] ...`` first hands its options to the real journalctl (so a
  misspelt option or level fails as it would), then prints the unit's journal as journald stores
  it: a line a service writes to stdout or stderr has the unit's SyslogLevel (info unless the
  unit says otherwise) unless it starts with a ``<N>`` prefix (systemd.exec, SyslogLevelPrefix=),
  and ``-p`` keeps lines of that priority or more urgent. ``-f`` prints what there is and returns
  (a test cannot follow for ever); ``--since`` is checked, not applied (every line is this run's).
- ``apt-get ARGS`` runs the real apt-get with ``--simulate`` before the same words: the package
  names must resolve in the machine's Debian archive and nothing is installed or upgraded.

Run as ``python deploy_stand_ins.py NAME FOLDER ARGS...``; the test puts a small shell script per
name in FOLDER, which it puts first on PATH for the lines that call them.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

UNITS = Path("/etc/systemd/system")
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"  # systemd's PATH for services
REAL_JOURNALCTL = Path("/usr/bin/journalctl")
REAL_APT_GET = Path("/usr/bin/apt-get")
PRIORITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_PREFIX = re.compile(r"^<([0-7])>")


def unit_settings(text: str) -> dict[str, list[str]]:
    """The [Service] settings of a unit file: continued lines joined, comments left out; a key
    given more than once (Environment=) keeps every value, in order."""
    joined = re.sub(r"\\\n", " ", text)
    settings: dict[str, list[str]] = {}
    section = None
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def _unit_name(word: str) -> str:
    return word if word.endswith(".service") else f"{word}.service"


def running(folder: Path, unit: str) -> int | None:
    """The service's process, while it runs (a zombie left for a parent that does not reap it has ended)."""
    pid_file = folder / f"{unit}.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return None
    return None if state in ("Z", "X") else pid


def _start(folder: Path, unit: str) -> int:
    if running(folder, unit) is not None:
        return 0
    settings = unit_settings((UNITS / unit).read_text(encoding="utf-8"))
    user = pwd.getpwnam(settings["User"][-1])
    group = grp.getgrnam(settings["Group"][-1]) if "Group" in settings else grp.getgrgid(user.pw_gid)
    env = {"PATH": SYSTEMD_PATH, "HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name, "SHELL": user.pw_shell}
    env["LANG"] = "C.UTF-8"
    for value in settings.get("Environment", []):
        for assignment in shlex.split(value):
            name, _, setting = assignment.partition("=")
            env[name] = setting
    journal = (folder / f"{unit}.journal").open("ab")
    service = subprocess.Popen(
        shlex.split(settings["ExecStart"][-1]),
        cwd=settings.get("WorkingDirectory", ["/"])[-1],
        env=env,
        user=user.pw_uid,
        group=group.gr_gid,
        extra_groups=[],
        umask=int(settings.get("UMask", ["0022"])[-1], 8),
        stdin=subprocess.DEVNULL,
        stdout=journal,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (folder / f"{unit}.pid").write_text(str(service.pid))
    return 0


def stop(folder: Path, unit: str) -> int:
    """End the service's process group (SIGTERM, as systemd's default KillMode does), and wait for it."""
    pid = running(folder, unit)
    if pid is not None:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 90  # systemd's default TimeoutStopSec
        while running(folder, unit) is not None:
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
            time.sleep(0.2)
    (folder / f"{unit}.pid").unlink(missing_ok=True)
    return 0


def systemctl(folder: Path, args: list[str]) -> int:
    words = [a for a in args if a != "--now"]
    if words == ["daemon-reload"]:
        return 0
    if len(words) == 2 and words[0] in ("enable", "start", "stop"):
        unit = _unit_name(words[1])
        if not (UNITS / unit).exists():
            print(f"Failed to {words[0]} {unit}: Unit file {unit} does not exist.", file=sys.stderr)
            return 5
        if words[0] == "stop":
            return stop(folder, unit)
        if words[0] == "enable" and "--now" not in args:
            return 0
        return _start(folder, unit)
    print(f"systemctl stand-in: {' '.join(args)} is not one the guide uses", file=sys.stderr)
    return 1


def _priority(word: str) -> int:
    return int(word) if word.isdigit() else PRIORITIES.index(word)


def journalctl(folder: Path, args: list[str]) -> int:
    if REAL_JOURNALCTL.exists():  # systemd's journalctl is installed, though no journal is kept here
        real = [a for a in args if a not in ("-f", "--follow")]
        checked = subprocess.run([str(REAL_JOURNALCTL), "--no-pager", *real], capture_output=True, text=True)
        if checked.returncode != 0:
            sys.stderr.write(checked.stderr)
            return checked.returncode
    unit = _unit_name(args[args.index("-u") + 1])
    most = _priority(args[args.index("-p") + 1]) if "-p" in args else len(PRIORITIES) - 1
    settings = unit_settings((UNITS / unit).read_text(encoding="utf-8"))
    default = _priority(settings.get("SyslogLevel", ["info"])[-1])
    journal = folder / f"{unit}.journal"
    lines = journal.read_text(encoding="utf-8", errors="replace").splitlines() if journal.exists() else []
    for line in lines:
        prefix = _PREFIX.match(line)
        priority = int(prefix[1]) if prefix else default
        if priority <= most:
            print(f"{unit.removesuffix('.service')}: {_PREFIX.sub('', line)}")
    return 0


def apt_get(_folder: Path, args: list[str]) -> int:
    return subprocess.run([str(REAL_APT_GET), "--simulate", *args], stdin=subprocess.DEVNULL).returncode


def main(argv: list[str]) -> int:
    name, folder, args = argv[0], Path(argv[1]), argv[2:]
    with (folder / "calls.jsonl").open("a", encoding="utf-8") as calls:
        calls.write(json.dumps([name, *args]) + "\n")
    return {"systemctl": systemctl, "journalctl": journalctl, "apt-get": apt_get}[name](folder, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
