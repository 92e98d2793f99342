"""Serving an app with gunicorn and loading it with wrk, the same way for the portal and the bare app.

Every process started here is bounded: gunicorn runs under ``timeout`` and is
ended by its process group when the measurement is done; wrk runs for a fixed
number of seconds against 127.0.0.1 only.
"""
import contextlib
import html.parser
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
CONNECTIONS = 4  # two requests in flight per worker: busy workers, short queues
ROW_LINK = re.compile(r"<td><a href=\"[^\"]*\">([^<]*)</a>")


def ensure_wrk(log=print) -> str | None:
    """The path of wrk, installed from Debian's packages if it is missing; None if it cannot be had."""
    path = shutil.which("wrk")
    if path or not shutil.which("apt-get") or os.geteuid() != 0:
        return path
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    for step in (install, ["apt-get", "update", "-qq"], install):
        log("installing wrk: " + " ".join(step))
        try:
            subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            return None
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


@dataclass(frozen=True)
class Load:
    """What one load run measured: throughput, latency percentiles, requests that timed out."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    timeouts: int = 0


TIMEOUT_SECONDS = 30


def wrk(url: str, *, seconds: float, cookie: str | None = None, connections=CONNECTIONS) -> Load:
    """Load ``url`` for ``seconds`` with wrk; fails if any answer was not 2xx or a connection failed.

    A request slower than TIMEOUT_SECONDS is counted, not fatal: a page that
    slow is a finding to report.
    """
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", f"{TIMEOUT_SECONDS}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True,
                         timeout=seconds + TIMEOUT_SECONDS + 60, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if "Non-2xx" in out or (errors and any(int(n) for n in errors.groups()[:3])):
        raise RuntimeError(f"wrk met errors on {url}:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        timeouts=int(errors.group(4)) if errors else 0,
    )


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """``gunicorn <app_args>`` with ``workers`` (2) sync workers on 127.0.0.1, for at most ``max_seconds``.

    Entering starts it without waiting, so several servers boot side by side;
    ``base`` waits until it answers. Leaving ends its whole process group.
    """

    def __init__(self, app_args: list[str], *, env: dict, max_seconds: int, log_path: Path, workers=WORKERS):
        self.app_args, self.env, self.max_seconds, self.log_path = app_args, env, max_seconds, log_path
        self.workers = workers
        self.port = free_port()
        self.process = None
        self.ready = False

    def __enter__(self):
        command = [
            "timeout", "--kill-after=5", str(self.max_seconds),
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "60", "--graceful-timeout", "3", "--log-level", "warning", *self.app_args,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, env={**os.environ, **self.env}, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def base(self) -> str:
        url = f"http://127.0.0.1:{self.port}"
        if not self.ready:
            _wait_until_serving(url, self.process, self.log_path)
            self.ready = True
        return url

    def __exit__(self, *exc):
        _stop(self.process)

    def worker_pids(self) -> list[int]:
        """The worker processes: the children of the gunicorn master, which is ``timeout``'s child."""
        return [worker for master in children(self.process.pid) for worker in children(master)]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc, as Linux has it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            # "pid (name) state ppid ...": the name may hold spaces and parentheses, so split after its last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    """The resident memory of ``pid`` now (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"process {pid} reports no VmRSS")


def _wait_until_serving(base: str, process, log_path: Path, limit=60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{tail}")
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {limit:.0f} s; see {log_path}")


def _stop(process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FormInputs(html.parser.HTMLParser):
    """The named inputs of the form with id ``form_id`` (the CSRF token among them)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def log_in(base: str, login: str, password: str) -> str:
    """Log in through the portal's form as a browser would; the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    inputs = _FormInputs("login")
    inputs.feed(opener.open(base + "/login", timeout=30).read().decode())
    fields = dict(inputs.fields, login=login, password=password, submit="submit")
    opener.open(base + "/login", data=urllib.parse.urlencode(fields).encode(), timeout=30).close()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "portal_session=" not in cookie:
        raise RuntimeError(f"could not log in as {login}")
    return cookie


def row_names(url: str, cookie: str | None = None) -> list[str]:
    """The first cell of each row of the page's table, after checking the page answers 200 itself."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url} answered {error.code}, not 200 (is the session logged in?)") from None
    with response:
        return ROW_LINK.findall(response.read().decode())
