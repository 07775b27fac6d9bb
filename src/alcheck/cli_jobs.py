"""`alcheck check --jobs N`: check inputs in N worker processes that also render the report.

Inputs are dealt out to the workers in turn; an input of `SPLIT_BYTES` or more is read by
every worker, each checking every N-th batch of it (a batch is about 4,096 goods items),
so one large file is split too. A worker renders each declaration it checks (the report
writer's `body`): what crosses a pipe is report text, not findings, and the command line
only writes the parts, in input order. A worker sends on a pipe, which holds little: one
that is ahead waits, so memory stays flat however large the input, and what a worker
sent before it died is never lost.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .checking import Part, check_input
from .gateway import Screening
from .report import CheckedFile
from .report.run import Body, Rendered, render

# An input this large (three batches or more of WCO XML) is split over the workers; a
# smaller one is checked by one, as splitting costs each worker a reading of the whole.
SPLIT_BYTES = 16 << 20
EXIT_INTERRUPTED = 130

Emit = Callable[[Rendered], None]
# A worker's message: a batch's rendered declarations with its index (None: the rest of
# a batch whose checking failed), or how its task ended.
_Batch = tuple[int | None, list[Rendered]]


def _serve(
    tasks: Any, out: Any, screening: Screening, input_format: str | None, body: Body, parent: int
) -> None:
    """Run a worker: check each task's part of its input, sending each batch rendered."""
    # The parent alone answers Ctrl-C (one line, no traceback from every worker), and a
    # worker whose parent is gone, however it died, ends instead of waiting on its pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is for the parent
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    for name, share, shares in iter(tasks.get, None):
        rendered: list[Rendered] = []

        def done(index: int, rendered: list[Rendered] = rendered) -> None:
            out.send(("batch", (index, rendered[:])))
            rendered.clear()

        def emit(decl: Any, name: str = name, rendered: list[Rendered] = rendered) -> None:
            rendered.append(render(body, decl, name))

        end = check_input(name, screening, input_format, emit, Part(share, shares, done))
        if rendered:  # a batch cut short by an error: what it gave, then the error
            out.send(("batch", (None, rendered)))
        out.send(("end", end))


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(EXIT_INTERRUPTED)


def _size(name: str) -> int:
    try:
        return os.path.getsize(name)
    except OSError:
        return 0  # the worker that reads it says why it cannot


class _Died(Exception):
    """A worker process ended while the command line waited on it."""


class Workers:
    """N worker processes checking inputs in order (`run`); end them with `close`."""

    def __init__(
        self, jobs: int, screening: Screening, input_format: str | None, body: Body
    ) -> None:
        ctx = multiprocessing.get_context()
        # Tasks are all given at once: a queue's thread sends them as workers take them.
        self.tasks = [ctx.Queue() for _ in range(jobs)]
        pipes = [ctx.Pipe(duplex=False) for _ in range(jobs)]
        self.outs = [receive for receive, _ in pipes]
        parent = os.getpid()
        self.procs = [
            ctx.Process(
                target=_serve,
                daemon=True,
                args=(self.tasks[w], pipes[w][1], screening, input_format, body, parent),
            )  # fmt: skip
            for w in range(jobs)
        ]
        for proc, (_, send) in zip(self.procs, pipes, strict=True):
            proc.start()
            send.close()  # the worker's end alone: its death ends the pipe (EOFError)
        self.screening, self.input_format, self.body = screening, input_format, body
        self.broken = False

    def deal(self, names: Sequence[str]) -> list[tuple[int, ...]]:
        """Give every worker its tasks; return the workers of each input, in input order."""
        jobs, turn = len(self.procs), 0
        plan: list[tuple[int, ...]] = []
        for name in names:
            if jobs > 1 and _size(name) >= SPLIT_BYTES:
                workers = tuple(range(jobs))
            else:
                workers, turn = (turn % jobs,), turn + 1
            for share, w in enumerate(workers):
                self.tasks[w].put((name, share, len(workers)))
            plan.append(workers)
        for tasks in self.tasks:
            tasks.put(None)
        return plan

    def run(self, name: str, workers: tuple[int, ...], emit: Emit) -> CheckedFile:
        """Give each rendered declaration of input `name` to `emit`, in order; return how
        the input ended. After a worker died, inputs are checked here instead."""
        if self.broken:
            return check_input(
                name, self.screening, self.input_format,
                lambda decl: emit(render(self.body, decl, name)),
            )  # fmt: skip
        try:
            return self._gather(workers, emit)
        except _Died as exc:
            self.broken = True
            self.close()
            return CheckedFile(
                name,
                error=f"not read to the end: a --jobs worker process stopped ({exc}); "
                "please report this with the file",
            )

    def _gather(self, workers: tuple[int, ...], emit: Emit) -> CheckedFile:
        """Take the batches of one input from its workers in order: batch i from worker
        i modulo their number; the first end met is the input's end."""
        seq = 0
        while True:
            w = workers[seq % len(workers)]
            kind, got = self._take(w)
            if kind == "end":
                end: CheckedFile = got
                break
            index, rendered = got
            for done in rendered:
                emit(done)
            if index is not None:
                seq += 1
        # The others stop where this one did (a batch that failed in one worker is read
        # past by the others): what they checked after it is not part of the input's run.
        for v in workers:
            if v != w:
                while self._take(v)[0] != "end":
                    pass
        return end

    def _take(self, w: int) -> tuple[str, Any]:
        """Return worker w's next message; raise `_Died` if it ended instead."""
        try:
            message: tuple[str, Any] = self.outs[w].recv()
            return message
        except EOFError:
            proc = self.procs[w]
            proc.join(5)
            raise _Died(f"exit code {proc.exitcode}") from None

    def close(self) -> None:
        """End the workers (those still checking are stopped)."""
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join()
        for out in self.outs:
            out.close()
        for tasks in self.tasks:
            tasks.cancel_join_thread()  # tasks a stopped worker never took
            tasks.close()
