# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real streaming servers for the tests, on free loopback ports, started and stopped by the
tests themselves: nginx with its RTMP module (Debian's libnginx-mod-rtmp) recording what it
receives, and an SRT listener (srt-live-transmit from Debian's srt-tools) saving what it
receives.  Nothing is assumed to be running; nothing outlives its fixture."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

NGINX = os.environ.get("NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
RTMP_MODULE = os.environ.get("NGINX_RTMP_MODULE", "/usr/lib/nginx/modules/ngx_rtmp_module.so")
SRT_LIVE_TRANSMIT = os.environ.get("SRT_LIVE_TRANSMIT",
                                   shutil.which("srt-live-transmit") or "srt-live-transmit")
READY_SECONDS = 10


def free_port(kind=socket.SOCK_STREAM):
    """A loopback port nobody listens on now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log(path):
    try:
        return path.read_text(errors="replace")[-4000:]
    except OSError:
        return ""


def _wait(ready, process, what, log):
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{_log(log)}")
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {READY_SECONDS} s:\n{_log(log)}")


def _tcp_listening(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _udp_bound(port):
    """A UDP socket is bound to the port: an SRT listener cannot be probed with connect()."""
    needle = f":{port:04X} "
    try:
        with open("/proc/net/udp") as table:
            return any(line.split()[1].endswith(needle.strip()) for line in list(table)[1:])
    except OSError:
        return False


def _stop(process, timeout=10):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RtmpServer:
    """A running nginx: `url_base` ("rtmp://127.0.0.1:PORT/live"), `recordings` (where
    live/KEY is recorded as KEY.flv), `kill()` to make it vanish mid-stream.  Unpacks as
    (url_base, recordings)."""

    def __init__(self, process, url_base, recordings, log):
        self.process, self.url_base, self.recordings, self.log = process, url_base, recordings, log

    def __iter__(self):
        return iter((self.url_base, self.recordings))

    def recording(self, key):
        return self.recordings / f"{key}.flv"

    def wait_recorded(self, key, timeout=10):
        """nginx closes the recording when the publisher's stream ends, which may come just
        after the client's last write: wait until the file stops growing."""
        path = self.recording(key)
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline:
            size = path.stat().st_size if path.exists() else -1
            if size > 0 and size == last:
                return path
            last = size
            time.sleep(0.3)
        return path

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def rtmp_server(tmp_path):
    """nginx with the RTMP module as the current user, everything under `tmp_path/nginx`:
    `application live` records every stream published to it."""
    if not os.path.exists(RTMP_MODULE):
        pytest.fail(f"{RTMP_MODULE} is missing: install libnginx-mod-rtmp (scripts/deps.sh)")
    prefix = tmp_path / "nginx"
    recordings = prefix / "recordings"
    recordings.mkdir(parents=True)
    port = free_port()
    log = prefix / "error.log"
    conf = prefix / "nginx.conf"
    # One process (no master, no workers): no user switching when run as root, nothing left
    # behind when it is killed, and the RTMP module wants a single worker anyway.
    conf.write_text(f"""
load_module {RTMP_MODULE};
daemon off;
master_process off;
error_log {log} info;
pid {prefix / "nginx.pid"};
events {{ worker_connections 64; }}
rtmp {{
  server {{
    listen 127.0.0.1:{port};
    application live {{
      live on;
      record all;
      record_path {recordings};
      record_unique off;
    }}
  }}
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(log)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=open(prefix / "stderr.log", "wb"))
    try:
        _wait(lambda: _tcp_listening(port), process, "nginx", log)
        yield RtmpServer(process, f"rtmp://127.0.0.1:{port}/live", recordings, log)
    finally:
        _stop(process)


class SrtListener:
    """A running SRT listener: `url` for a caller, `output` where what arrives is saved,
    `kill()` to make it vanish mid-stream.  Unpacks as (url, output)."""

    def __init__(self, process, url, output, log):
        self.process, self.url, self.output, self.log = process, url, output, log

    def __iter__(self):
        return iter((self.url, self.output))

    def wait_received(self, timeout=10):
        """The listener leaves when its caller has (-a no), having written all it received;
        stopped after `timeout` otherwise."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            _stop(self.process)
        return self.output

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def srt_listener(tmp_path):
    """srt-live-transmit listening on a loopback port, writing the stream it receives to
    `tmp_path/srt/received.ts`."""
    directory = tmp_path / "srt"
    directory.mkdir()
    port = free_port(socket.SOCK_DGRAM)
    output = directory / "received.ts"
    log = directory / "srt-live-transmit.log"
    # -a no: leave when the caller does, instead of listening for the next one.
    process = subprocess.Popen(
        [SRT_LIVE_TRANSMIT, "-q", "-a", "no", f"srt://127.0.0.1:{port}?mode=listener",
         "file://con"],
        stdin=subprocess.DEVNULL, stdout=open(output, "wb"), stderr=open(log, "wb"))
    try:
        _wait(lambda: _udp_bound(port), process, "srt-live-transmit", log)
        yield SrtListener(process, f"srt://127.0.0.1:{port}", output, log)
    finally:
        _stop(process)


@pytest.fixture
def rtmp(tmp_path):
    with rtmp_server(tmp_path) as server:
        yield server


@pytest.fixture
def srt(tmp_path):
    with srt_listener(tmp_path) as listener:
        yield listener
