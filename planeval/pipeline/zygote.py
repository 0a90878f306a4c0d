"""A kernel zygote: one process loads the notebooks' libraries once, and every warm kernel of a run is
forked from it, libraries loaded.

Why: a kernel spends about 3.5 of its 4 CPU-seconds of start-up importing pandas, statsmodels,
matplotlib and the library (``warm_up_code``). A cold run starts one kernel per core, so on two
cores the second import cost a whole core for 3.5 s; forked, the second kernel costs ~0.1 s.

How: :class:`Zygote` starts ``python -m planeval.pipeline.zygote``, which runs the warm-up code,
``gc.freeze()``\\ s what it loaded (so the kernels' collections skip it and the pages stay shared),
then reads kernel commands on its stdin, one JSON line each, and forks a kernel for each: the child
starts a new session (its own process group, which jupyter_client signals), takes the command's
working folder and environment, dies with the zygote (``PR_SET_PDEATHSIG``), and runs exactly what
``python -m ipykernel_launcher -f <connection file> ...`` runs. The zygote answers each command with
the child's pid on a pipe of its own; stdout and stderr stay the run's, as a spawned kernel's do.

:func:`provisioner_class` is the jupyter_client side: a ``LocalProvisioner`` whose launch sends the
command to the zygote instead of spawning it, and whose process is a :class:`ForkedKernel` (the
kernel is the zygote's child, not ours: it is watched through a pidfd and signalled by pid). Launching
does not wait for the zygote to finish importing: the pid is read when first needed, so a run checks
its inputs meanwhile, as it does while a spawned kernel imports.

Only a kernel command of this interpreter's ``-m ipykernel_launcher`` is forked; any other (another
kernelspec, another Python) is spawned as jupyter_client would. Linux only (fork, pidfd,
``PR_SET_PDEATHSIG``); elsewhere :func:`available` is False and kernels are spawned.

The zygote ends when the run closes its stdin, or when the run dies (the same pipe reaches end of
file): it stops the kernels still running and collects them (so their CPU time counts as the run's).
Killed, its kernels die with it. ``kill_children`` recognises it by :data:`MODULE` on its command line.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

MODULE = "planeval.pipeline.zygote"
_PR_SET_PDEATHSIG = 1


def available() -> bool:
    """Whether kernels can be forked here (Linux: fork and pidfd)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open")


def forkable(cmd: list[str]) -> bool:
    """Whether a kernel command is this interpreter's ``-m ipykernel_launcher`` (what the zygote runs)."""
    return len(cmd) >= 3 and cmd[0] == sys.executable and cmd[1:3] == ["-m", "ipykernel_launcher"]


class Zygote:
    """The run's side of the zygote process: start it, ask for kernels, stop it. Thread-safe."""

    def __init__(self, warm_up: str) -> None:
        self._replies, reply_end = os.pipe()
        try:
            self.process = subprocess.Popen([sys.executable, "-m", MODULE, str(reply_end)], stdin=subprocess.PIPE,
                                            pass_fds=(reply_end,))
        except BaseException:
            os.close(self._replies)
            raise
        finally:
            os.close(reply_end)
        self._lock = threading.Lock()
        self._asked = 0  # commands sent
        self._pids: list[int] = []  # answers read, in the order the commands were sent
        self._unread = b""  # the start of an answer not read whole yet
        self._send({"warm_up": warm_up})

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str | None) -> "ForkedKernel":
        """Ask for a kernel running ``cmd``; returns at once (the zygote may still be importing).
        OSError when the zygote has ended."""
        with self._lock:
            self._send({"cmd": cmd, "env": env, "cwd": cwd})
            self._asked += 1
            return ForkedKernel(self, self._asked - 1)

    def pid(self, number: int, wait: bool = True) -> int | None:
        """The pid of the ``number``-th kernel asked for: waits for the answer (or not); None when the
        zygote ended without forking it (or, not waiting, has not forked it yet)."""
        with self._lock:
            while len(self._pids) <= number:
                if self._replies < 0:  # closed
                    return None
                if not wait and not select.select([self._replies], [], [], 0)[0]:
                    return None
                chunk = os.read(self._replies, 4096)
                if not chunk:  # the zygote ended (failed to start, or was stopped)
                    return None
                *lines, self._unread = (self._unread + chunk).split(b"\n")
                self._pids += [int(line) for line in lines]
            return self._pids[number]

    def ended(self) -> bool:
        return self.process.poll() is not None

    def forking(self) -> bool:
        """Whether a kernel asked for is not forked yet (the zygote may still be importing)."""
        with self._lock:
            asked = self._asked
        return self.pid(asked - 1, wait=False) is None if asked else False

    def close(self) -> None:
        """Stop the zygote and its kernels; safe to call again. Normally by closing its stdin: it stops
        the kernels still running, collects them (their CPU time then counts as the run's) and ends; at
        once (SIGKILL; its kernels die with it) if it is still forking, or has not ended within seconds."""
        if self.process.poll() is None and self.forking():
            self.process.kill()
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self._lock:
            if self._replies >= 0:
                os.close(self._replies)
                self._replies = -1


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
                self.process = self.zygote.fork(cmd, kwargs.get("env") or dict(os.environ), kwargs.get("cwd"))
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


def _become_kernel(request: dict[str, Any], replies: int, parent: int) -> None:
    """In the forked child: become what ``python -m ipykernel_launcher <args>`` would have started as."""
    os.close(replies)
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
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the standard stream, kept for the process's life
    os.environ.clear()
    # The kernel's parent is the zygote: ipykernel ends the kernel should that change.
    os.environ.update({**request["env"], "JPY_PARENT_PID": str(parent)})
    if request.get("cwd"):
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


def _serve(replies: int) -> None:
    """The zygote's loop: warm up on the first line of stdin, then fork a kernel per line; at the end
    of stdin stop the kernels still running and collect them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the run kills us
    signal.signal(signal.SIGCHLD, _reap)
    first = sys.stdin.buffer.readline()
    if not first:
        return
    warm_up = json.loads(first).get("warm_up", "")
    import ipykernel.ipkernel  # noqa: F401  (loaded here once, for every kernel)
    import ipykernel.kernelapp  # noqa: F401

    _warm_up_as_in_a_kernel(warm_up)
    gc.collect()
    gc.freeze()
    parent = os.getpid()
    forked = []
    for line in sys.stdin.buffer:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, replies, parent)
        forked.append(pid)
        os.write(replies, f"{pid}\n".encode())
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in forked:  # (each leads its own process group: the kernel and whatever it started)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:  # ended and collected already
            pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


if __name__ == "__main__":
    # As ipykernel_launcher does: the folder the run was started in is not a place to import from.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    try:
        _serve(int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
