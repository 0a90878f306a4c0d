"""A kernel zygote: one process loads the notebooks' libraries once, and every warm kernel of a run is
forked from it, libraries loaded.

Why: a kernel spends about 3.5 of its 4 CPU-seconds of start-up importing pandas, statsmodels,
matplotlib and the library (``warm_up_code``). A cold run starts one kernel per core, so on two
cores the second import cost a whole core for 3.5 s; forked, the second kernel costs ~0.1 s.

How: :class:`Zygote` starts ``python -m planeval.pipeline.zygote``, connected to the run by a socket
pair. The run sends the warm-up code; the zygote runs it, ``gc.freeze()``\\ s what it loaded (so the
kernels' collections skip it and the pages stay shared), then reads kernel commands, one JSON line
each with the run's stdout and stderr attached (``SCM_RIGHTS``), and forks a kernel for each: the
child starts a new session (its own process group, which jupyter_client signals), takes the
command's working folder and environment and the run's output, dies with the zygote
(``PR_SET_PDEATHSIG``), and runs exactly what ``python -m ipykernel_launcher -f <connection file>
...`` runs. The zygote answers each command with the child's pid.

:func:`provisioner_class` is the jupyter_client side: a ``LocalProvisioner`` whose launch sends the
command to the zygote instead of spawning it, and whose process is a :class:`ForkedKernel` (the
kernel is the zygote's child, not ours: it is watched through a pidfd and signalled by pid). Launching
does not wait for the zygote to finish importing: the pid is read when first needed, so a run checks
its inputs meanwhile, as it does while a spawned kernel imports.

Kept warm between runs (``keep_warm``; run_all.py keeps it 10 minutes by default): the zygote also
listens on a socket in a private folder of the user's, named by everything its loaded modules depend
on (:func:`server_socket`: interpreter, installed packages, every file of the library, the warm-up,
the environment). The next run with the same name connects and has its first kernel forked at once,
not after seconds of imports; a run with another name (the library was edited, say) starts a server of
its own and asks this library's other servers to stop. A server ends ``keep_warm`` seconds after its
last run left; ``python -m planeval.pipeline.zygote --stop`` stops them now.

Only a kernel command of this interpreter's ``-m ipykernel_launcher`` is forked; any other (another
kernelspec, another Python) is spawned as jupyter_client would. Linux only (fork, pidfd,
``PR_SET_PDEATHSIG``); elsewhere :func:`available` is False and kernels are spawned.

A run's kernels end with its connection: when the run lets go, or dies, the zygote stops the kernels
it forked for that run. A zygote that is not a server then ends too, and collects them first (so
their CPU time counts as the run's). Killed, a zygote's kernels die with it. ``kill_children``
recognises it by :data:`MODULE` on its command line.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import gc
import hashlib
import json
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

MODULE = "planeval.pipeline.zygote"
_PR_SET_PDEATHSIG = 1


def available() -> bool:
    """Whether kernels can be forked here (Linux: fork and pidfd)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open")


def forkable(cmd: list[str]) -> bool:
    """Whether a kernel command is this interpreter's ``-m ipykernel_launcher`` (what the zygote runs)."""
    return len(cmd) >= 3 and cmd[0] == sys.executable and cmd[1:3] == ["-m", "ipykernel_launcher"]


# How long a kernel server waits for the next run after the last one left, in minutes (0: none is
# kept; each run starts a zygote of its own that ends with it). run_all.py's --keep-warm sets it.
KEEP_WARM_ENV = "PLANEVAL_KEEP_WARM"
KEEP_WARM_MINUTES = 10.0
# Where this user's kernel servers listen (default: $XDG_RUNTIME_DIR or the temporary folder, planeval-<uid>).
RUNTIME_ENV = "PLANEVAL_RUNTIME_DIR"
# Variables a shell changes between two commands that cannot change what an import does (the working
# folder can, matplotlib reads a matplotlibrc there: it is part of the name as the folder itself).
_VOLATILE = frozenset({"PWD", "OLDPWD", "SHLVL", "_", "COLUMNS", "LINES"})


def minutes(text: str) -> float:
    """A keep-warm time as given (``--keep-warm``, ``$PLANEVAL_KEEP_WARM``); ValueError saying what it must be."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):  # a server's idle timeout cannot hold an infinite or NaN one
        raise ValueError(f"a number of minutes, 0 or more (0: keep no kernel server), got {text!r}")
    return value


def keep_warm_minutes(default: float = KEEP_WARM_MINUTES) -> float:
    """Minutes a kernel server outlives its last run: ``$PLANEVAL_KEEP_WARM`` if set, else ``default``."""
    text = os.environ.get(KEEP_WARM_ENV, "").strip()
    if not text:
        return default
    try:
        return minutes(text)
    except ValueError as exc:
        raise ValueError(f"{KEEP_WARM_ENV} must be {exc}") from None


def runtime_dir() -> Path | None:
    """This user's private folder for kernel servers (made 0700 if missing); None if it is not private
    (anyone who can connect to a server can run code as its user)."""
    base = os.environ.get(RUNTIME_ENV) or os.path.join(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir(),
                                                       f"planeval-{os.getuid()}")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        found = os.lstat(base)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return Path(base)


def _family() -> str:
    """The servers of this interpreter and this checkout's library share this prefix."""
    from planeval.inputs.paths import PACKAGE

    return hashlib.sha256(f"{sys.executable}\n{PACKAGE}".encode()).hexdigest()[:12]


def _installed() -> list[str]:
    """What is installed beside this interpreter (site-packages' entries: a dist-info folder's name holds the version)."""
    folders = [p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)]
    return sorted(f"{folder}/{name}" for folder in folders for name in os.listdir(folder))


def server_socket(warm_up: str) -> Path | None:
    """Where the kernel server for ``warm_up`` listens: named by everything its loaded modules depend on
    (interpreter, installed packages, the library's files, the warm-up, the environment and working
    folder), so a server
    is only ever reused for exactly what a fresh zygote would load; None without a private folder, or
    where the folder's path is too long for a socket's."""
    from planeval.pipeline.digests import files_digest, library_files, sha256_json

    folder = runtime_dir()
    if folder is None:
        return None
    env = {k: v for k, v in os.environ.items() if k not in _VOLATILE and not k.startswith("JPY_")}
    key = sha256_json({"python": [sys.executable, sys.version], "packages": _installed(), "code": files_digest(library_files()),
                       "warm_up": warm_up, "env": env, "cwd": os.getcwd()})
    path = folder / f"{_family()}-{key[:16]}.sock"
    return path if len(os.fsencode(path)) < _SOCKET_PATH_MAX else None


_SOCKET_PATH_MAX = 104  # bytes of a Unix socket's path, with its final NUL: 108 on Linux, 104 on macOS


def _connect(path: Path) -> socket.socket | None:
    """A connection to the server listening at ``path``; None if there is none (or it is going)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def _send(sock: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode() + b"\n"
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    sock.sendall(data)


def stop_servers(folder: Path | None = None, family: str | None = None) -> int:
    """Ask every kernel server in ``folder`` (default: this user's), or those of ``family`` only, to
    stop: each stops listening at once and ends when its runs have ended. Returns how many were asked."""
    folder = folder or runtime_dir()
    if folder is None:
        return 0
    asked = 0
    for path in sorted(folder.glob(f"{family or ''}*.sock")):
        sock = _connect(path)
        if sock is None:
            continue
        with sock:
            try:
                _send(sock, {"quit": True})
                asked += 1
            except OSError:
                pass
    return asked


class Zygote:
    """The run's side of a zygote: start one, or connect to a kernel server; ask for kernels; let go.
    Thread-safe.

    ``keep_warm`` (seconds; 0: none): connect to the kernel server of the same libraries that an
    earlier run left (a kernel is then forked at once, without seconds of imports), or start that
    server: a zygote that also listens on a socket of this user's, and ends ``keep_warm`` seconds
    after its last run. Without it, the zygote is the run's child and ends with it.
    """

    def __init__(self, warm_up: str, keep_warm: float = 0.0) -> None:
        self.process: subprocess.Popen[bytes] | None = None  # a zygote this run started (None: a server's)
        self.keeps_warm = False  # whether the zygote outlives the run (a server)
        path = server_socket(warm_up) if keep_warm > 0 else None
        sock = _connect(path) if path is not None else None
        if sock is None:
            sock = self._start(warm_up, path, keep_warm)
        self._sock = sock
        self._lock = threading.Lock()
        self._asked = 0  # commands sent
        self._pids: list[int] = []  # answers read, in the order the commands were sent
        self._unread = b""  # the start of an answer not read whole yet
        self._ended = False

    def _start(self, warm_up: str, path: Path | None, keep_warm: float) -> socket.socket:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        args = [sys.executable, "-m", MODULE, str(theirs.fileno())]
        log = None
        if path is not None:
            args += ["--listen", str(path), "--idle", str(keep_warm)]
            stop_servers(path.parent, family=_family())  # this library's servers of other code or packages
            log = open(path.with_suffix(".log"), "wb")  # noqa: SIM115 - handed to the server, closed below
        try:
            # A server is not in the run's session: a Ctrl-C in the terminal is for the run alone.
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
                                            start_new_session=path is not None,
                                            stdout=log, stderr=log)
            self.keeps_warm = path is not None
            _send(ours, {"warm_up": warm_up})
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
            if log is not None:
                log.close()
        return ours

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str | None) -> "ForkedKernel":
        """Ask for a kernel running ``cmd`` (its output goes to this process's stdout and stderr);
        returns at once (the zygote may still be importing). OSError when the zygote has ended."""
        with self._lock:
            _send(self._sock, {"cmd": cmd, "env": env, "cwd": cwd}, fds=(1, 2))
            self._asked += 1
            return ForkedKernel(self, self._asked - 1)

    def pid(self, number: int, wait: bool = True) -> int | None:
        """The pid of the ``number``-th kernel asked for: waits for the answer (or not); None when the
        zygote ended without forking it (or, not waiting, has not forked it yet)."""
        with self._lock:
            while len(self._pids) <= number:
                if self._ended:
                    return None
                if not wait and not select.select([self._sock], [], [], 0)[0]:
                    return None
                try:
                    chunk = self._sock.recv(4096)
                except OSError:
                    chunk = b""
                if not chunk:  # the zygote ended (failed to start, or was stopped)
                    self._ended = True
                    return None
                *lines, self._unread = (self._unread + chunk).split(b"\n")
                self._pids += [int(line) for line in lines]
            return self._pids[number]

    def ended(self) -> bool:
        """Whether the zygote has ended (it can fork no more kernels)."""
        with self._lock:
            if not self._ended and select.select([self._sock], [], [], 0)[0]:
                try:
                    self._ended = self._sock.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    self._ended = True
            return self._ended

    def forking(self) -> bool:
        """Whether a kernel asked for is not forked yet (the zygote may still be importing)."""
        with self._lock:
            asked = self._asked
        return self.pid(asked - 1, wait=False) is None if asked else False

    def close(self) -> None:
        """Let go of the zygote; its kernels this run still has are stopped. Safe to call again.

        The run's own zygote ends: when the connection closes, it stops the kernels still running,
        collects them (their CPU time then counts as the run's) and ends; at once (SIGKILL; its kernels
        die with it) if it is still forking, or has not ended within seconds. A server stops this run's
        kernels and waits for the next run."""
        own = self.process if self.process is not None and not self.keeps_warm else None
        if own is not None and own.poll() is None and self.forking():
            own.kill()
        with self._lock:
            self._ended = True
            try:
                self._sock.close()
            except OSError:
                pass
        if own is not None:
            try:
                own.wait(timeout=10)
            except subprocess.TimeoutExpired:
                own.kill()
                own.wait()


class ForkedKernel:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a kernel forked by the zygote.
    Its exit status is not ours to collect (the zygote reaps it): an ended kernel reports -9."""

    stdin = stdout = stderr = None
    ENDED = -signal.SIGKILL

    def __init__(self, zygote: Zygote, number: int) -> None:
        self.zygote = zygote
        self.number = number
        self.returncode: int | None = None
        self._pidfd: int | None = None

    @property
    def pid(self) -> int | None:
        """The kernel's pid, once forked (waits for the zygote); None if it never was."""
        return self.zygote.pid(self.number)

    def _watch(self, wait: bool) -> int | None:
        """A pidfd for the kernel, opened once it is forked (None while it is not, or never will be)."""
        if self._pidfd is None:
            pid = self.zygote.pid(self.number, wait=wait)
            if pid is None:
                if wait or self.zygote.ended():
                    self.returncode = self.ENDED
                return None
            try:
                self._pidfd = os.pidfd_open(pid)
            except ProcessLookupError:
                self.returncode = self.ENDED
        return self._pidfd

    def poll(self) -> int | None:
        if self.returncode is None:
            fd = self._watch(wait=False)
            if fd is not None and select.select([fd], [], [], 0)[0]:
                self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            fd = self._watch(wait=True)
            if fd is not None:
                if not select.select([fd], [], [], timeout)[0]:
                    raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
                self._ended()
        assert self.returncode is not None
        return self.returncode

    def _ended(self) -> None:
        self.returncode = self.ENDED
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            fd = self._watch(wait=True)
            if fd is not None:
                signal.pidfd_send_signal(fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def provisioner(km: Any, zygote: Zygote) -> Any:
    """A provisioner for ``km`` (a ``KernelManager`` not yet started) that forks its kernel from ``zygote``."""
    import uuid

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    found = provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    found.zygote = zygote
    return found


def _forked_or_set(name: str) -> property:
    """A provisioner's ``pid`` or ``pgid``: a forked kernel's pid, else what ``LocalProvisioner`` set."""
    def get(self: Any) -> int | None:
        return self.process.pid if isinstance(self.process, ForkedKernel) else self.__dict__.get(name)

    def put(self: Any, value: int | None) -> None:
        self.__dict__[name] = value

    return property(get, put)


@functools.cache
def provisioner_class() -> type:
    """jupyter_client's ``LocalProvisioner``, but a kernel command the zygote can run is forked by it
    (made on first use: jupyter_client is not imported by this module)."""
    from jupyter_client.provisioning import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):  # type: ignore[misc]
        zygote: Zygote | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            if self.zygote is None or self.zygote.ended() or not forkable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            try:
                self.process = self.zygote.fork(cmd, kwargs.get("env") or dict(os.environ), kwargs.get("cwd") or os.getcwd())
            except OSError:  # the zygote ended meanwhile: spawned after all
                return await super().launch_kernel(cmd, **kwargs)
            self.cwd = kwargs.get("cwd") or os.getcwd()
            return self.connection_info

        # A forked kernel's pid is known once the zygote forked it (read then); it leads its own
        # session and process group (see _become_kernel), which jupyter_client signals.
        pid = _forked_or_set("pid")
        pgid = _forked_or_set("pgid")

    return ZygoteProvisioner


# --------------------------------------------------------------------------------------------
# The zygote process
# --------------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """SIGKILL this process when its parent (the zygote) ends (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _become_kernel(request: dict[str, Any], output: tuple[int, int], inherited: list[Callable[[], None]],
                   parent: int) -> None:
    """In the forked child: become what ``python -m ipykernel_launcher <args>`` would have started as,
    writing to the asking run's stdout and stderr (``output``); ``inherited``: closes the zygote's
    sockets and files."""
    for close in inherited:
        close()
    os.setsid()
    # Python's own start-up dispositions (SIGPIPE stays ignored, as Python sets it), not the zygote's.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _die_with_parent()
    if os.getppid() != parent:  # the zygote died before the line above took effect
        os._exit(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for target, fd in zip((1, 2), output):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the standard stream, kept for the process's life
    os.environ.clear()
    # The kernel's parent is the zygote: ipykernel ends the kernel should that change.
    os.environ.update({**request["env"], "JPY_PARENT_PID": str(parent)})
    os.chdir(request["cwd"])
    import importlib.util

    spec = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *request["cmd"][3:]]
    code = 0
    try:
        from ipykernel import kernelapp

        # The parent's pid is read from the environment when ipykernel is imported (by the zygote,
        # before there was one to read): given again here. Without it the kernel prints the banner of
        # a kernel started by hand and does not watch its parent.
        kernelapp.launch_new_instance(argv=[*request["cmd"][3:], f"--IPKernelApp.parent_handle={parent}"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - printed, as an uncaught exception would be
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


class _KernelShell:
    """What a library sees of IPython inside a Jupyter kernel when it is imported: a shell with a kernel."""

    kernel = True


def _warm_up_as_in_a_kernel(warm_up: str) -> None:
    """Run the warm-up as a spawned kernel runs it, inside IPython in a kernel: some libraries settle
    their defaults on import by asking where they run (pandas: a kernel shows 20 columns of a table,
    a terminal as many as fit its width). So ``get_ipython()`` answers as a kernel's does, and
    ``MPLBACKEND`` is set as ipykernel sets it; both go again before the first kernel is forked."""
    import builtins

    backend = os.environ.get("MPLBACKEND")
    if not backend:
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    builtins.get_ipython = _KernelShell  # type: ignore[attr-defined]
    builtins.__IPYTHON__ = True  # type: ignore[attr-defined]
    try:
        exec(compile(warm_up, "<warm-up>", "exec"), {"__name__": "__warm_up__"})  # noqa: S102 - our own warm-up code
    finally:
        del builtins.get_ipython, builtins.__IPYTHON__  # type: ignore[attr-defined]
        if not backend:
            del os.environ["MPLBACKEND"]


_REAPED: set[int] = set()  # kernels that ended and were collected (their pids may be used again)


def _reap(*_: Any) -> None:
    """Collect the kernels that ended (SIGCHLD): no zombies, and their CPU time counts as the zygote's,
    and so as the run's (``RUSAGE_CHILDREN``; children the system reaps itself would vanish from it)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _REAPED.add(pid)


class _Run:
    """A run connected to the zygote: what it sent that is not read yet, and the kernels forked for it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.unread = b""
        self.fds: list[int] = []  # received with its requests: each kernel's stdout and stderr, in order
        self.kernels: list[int] = []

    def receive(self) -> bool:
        """Read what the run sent, with the descriptors attached; False at its end (it has gone)."""
        try:
            chunk, fds, _flags, _address = socket.recv_fds(self.sock, 1 << 16, 64)
        except OSError:
            chunk, fds = b"", []
        self.fds += fds
        self.unread += chunk
        return bool(chunk)

    def requests(self) -> list[dict[str, Any]]:
        """The requests received whole, in order."""
        *lines, self.unread = self.unread.split(b"\n")
        return [json.loads(line) for line in lines]

    def end(self) -> None:
        """The run has gone: stop its kernels and forget it. Each kernel leads its own process group
        (the kernel and whatever it started), but one forked a moment ago may not have made it yet."""
        for pid in self.kernels:
            if pid in _REAPED:
                _REAPED.discard(pid)
                continue
            for kill in (os.kill, os.killpg):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        self.close()

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        self.sock.close()


class _Listener:
    """A server's socket, held under a lock file: one server per socket name, the others serve only the run that started them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.lock)
            raise
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            path.unlink(missing_ok=True)  # left by a server that was killed
            self.sock.bind(str(path))
            self.sock.listen(16)
        except OSError:
            self.close()
            raise

    def leave(self) -> list[socket.socket]:
        """Stop listening and remove the name; the runs that connected meanwhile (to be served still)."""
        self.path.unlink(missing_ok=True)  # first: no run connects any more
        self.path.with_suffix(".lock").unlink(missing_ok=True)  # while locked: no other server holds it
        log = self.path.with_suffix(".log")
        if log.is_file() and log.stat().st_size == 0:  # kept if the server said something
            log.unlink()
        self.sock.setblocking(False)
        waiting = []
        while True:
            try:
                waiting.append(self.sock.accept()[0])
            except OSError:
                break
        self.close()
        for sock in waiting:
            sock.setblocking(True)
        return waiting

    def close(self) -> None:
        self.sock.close()
        os.close(self.lock)


def _serve(first: socket.socket, listen: Path | None, idle: float) -> None:
    """The zygote's loop. Its first run (``first``) sends the warm-up; then it forks a kernel for every
    request of any run connected, and stops a run's kernels when that run's connection closes. Without
    ``listen`` it ends with its first run; with it (a server) it also accepts runs there, and ends
    ``idle`` seconds after its last run left, or once asked to quit and its runs have left."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the run kills us
    signal.signal(signal.SIGCHLD, _reap)
    listener = None
    if listen is not None:
        try:
            listener = _Listener(listen)
        except OSError:  # another server has the name (started at the same moment): serve our run only
            listener = None
    starter = _Run(first)
    while b"\n" not in starter.unread:
        if not starter.receive():  # the run that started us has gone already
            for sock in listener.leave() if listener is not None else []:
                sock.close()
            return
    line, starter.unread = starter.unread.split(b"\n", 1)
    warm_up = json.loads(line).get("warm_up", "")
    import ipykernel.ipkernel  # noqa: F401  (loaded here once, for every kernel)
    import ipykernel.kernelapp  # noqa: F401

    _warm_up_as_in_a_kernel(warm_up)
    gc.collect()
    gc.freeze()
    parent = os.getpid()
    runs = {first: starter}

    def stop_listening() -> None:
        """No run connects any more; those that connected meanwhile are served still."""
        nonlocal listener
        if listener is not None:
            runs.update((sock, _Run(sock)) for sock in listener.leave())
            listener = None

    def answer(run: _Run) -> None:
        """Fork a kernel for each request of ``run`` received whole; a request to quit stops the listening."""
        for request in run.requests():
            if request.get("quit"):
                stop_listening()
            if "cmd" not in request:
                continue
            output = (run.fds.pop(0), run.fds.pop(0))
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                inherited = [other.close for other in runs.values()] + ([listener.close] if listener else [])
                _become_kernel(request, output, inherited, parent)
            for fd in output:
                os.close(fd)
            _REAPED.discard(pid)  # a pid used again
            run.kernels.append(pid)
            try:
                run.sock.sendall(f"{pid}\n".encode())
            except OSError:
                pass  # gone: its end of file comes next

    answer(starter)  # what it asked for while we imported
    while runs or listener is not None:
        waiting = [*runs, *([listener.sock] if listener is not None else [])]
        ready = select.select(waiting, [], [], None if runs else idle)[0]
        if not ready:  # idle long enough
            stop_listening()
            continue
        for sock in ready:
            if listener is not None and sock is listener.sock:
                try:
                    accepted = listener.sock.accept()[0]
                except OSError:
                    continue
                runs[accepted] = _Run(accepted)
            elif sock in runs:
                run = runs[sock]
                if run.receive():
                    answer(run)
                else:
                    runs.pop(sock).end()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def main(argv: list[str]) -> None:
    """``python -m planeval.pipeline.zygote FD [--listen SOCKET --idle SECONDS]``: a zygote (see :func:`_serve`);
    ``python -m planeval.pipeline.zygote --stop``: ask this user's kernel servers to stop."""
    if argv[:1] == ["--stop"]:
        print(f"asked {stop_servers()} kernel server(s) to stop")
        return
    # As ipykernel_launcher does: the folder the run was started in is not a place to import from.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    options = dict(zip(argv[1::2], argv[2::2]))
    listen = options.get("--listen")
    try:
        _serve(socket.socket(fileno=int(argv[0])), Path(listen) if listen else None, float(options.get("--idle", 0)))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
