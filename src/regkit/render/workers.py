"""Rendering build targets on every core.

Workers are forked, so they inherit the loaded project and the targets: a task is an index into
``_TARGETS`` and only the output bytes cross a process boundary (pickling a target's project
costs more than rendering a small form). Targets that need an engine (``Target.warm``: WeasyPrint,
~1 s to import and load the fonts) are rendered by workers forked after this process has warmed
the engine up once, so that no worker pays for it again. Meanwhile a helper forked before the
warm-up renders the light targets (DOCX, XLSX); if it is still busy when the warm-up is done,
this process renders heavy targets itself until it is not. With too little light work for that
(documents only), the workers are forked at once and each warms up itself.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkProcess
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ..errors import InputError, Problem, RegkitError, RenderError

if TYPE_CHECKING:
    from .build import Target

# Roughly what warming the PDF engine up takes, in the unit of Target.cost (seconds): the least
# light work the helper takes on meanwhile.
WARM_SECONDS = 1.2
# Light targets go to a worker in chunks of about this cost, so that sending them costs nothing.
CHUNK_SECONDS = 0.15

# The targets of the running build, read by forked workers (set only while render_all runs).
_TARGETS: list[Target] = []


@dataclass(frozen=True)
class _Failure:
    """A RegkitError crossing the process boundary (InputError does not survive pickling)."""

    kind: str
    message: str
    problems: tuple[Problem, ...] = ()


# What a worker sends back for a target: its bytes, a RegkitError, or any other exception (a bug,
# reported as such).
Result = bytes | _Failure | Exception


def render_all(targets: Sequence[Target], jobs: int | None, tick: Callable[[Target], None]) -> dict[Path, bytes]:
    """Run every target's render function, in worker processes when there is more than one core
    and more than one target (the first failure in target order is raised after the others
    finish), else here (the first failure stops the build)."""
    workers = min(jobs or os.cpu_count() or 1, len(targets))
    context = _fork_context()
    if workers <= 1 or context is None:
        done: dict[Path, bytes] = {}
        for t in targets:
            done[t.path] = t.render()
            tick(t)
        return done
    results: dict[int, Result] = {}
    global _TARGETS
    _TARGETS = list(targets)
    try:
        _parallel(context, workers, results, tick)
    finally:
        _TARGETS = []
    out = {}
    for i, t in enumerate(targets):
        result = results[i]
        if not isinstance(result, bytes):
            _raise_failure(result)
        out[t.path] = result
    return out


def _parallel(context: ForkContext, workers: int, results: dict[int, Result], tick: Callable[[Target], None]) -> None:
    targets = _TARGETS
    # biggest first, so that the small ones fill the gaps at the end
    order = sorted(range(len(targets)), key=lambda i: -targets[i].cost)
    heavy = [i for i in order if targets[i].warm is not None]
    light = [i for i in order if targets[i].warm is None]
    # Warm up here (once) only if the helper has enough light work to keep a core busy meanwhile;
    # otherwise every worker warms up itself, at the same time.
    warm_here = bool(heavy) and sum(targets[i].cost for i in light) >= WARM_SECONDS / 2
    early: list[int] = []
    if warm_here:
        # the helper's share: the cheapest light targets, about the warm-up's time or its share
        share, spent = max(WARM_SECONDS, sum(t.cost for t in targets) / workers), 0.0
        while light and spent < share:
            early.append(light.pop())
            spent += targets[early[-1]].cost
    helper: ForkProcess | None = None
    pipe: Connection | None = None
    pool: ProcessPoolExecutor | None = None
    try:
        if early:
            with _frozen():
                helper, pipe = _start_helper(context, early)
        if warm_here:
            _warm_up(heavy)
            # While the helper is still busy, render here, the smallest first: a core idles from
            # when the helper is done until this render ends. The workers forked next inherit what
            # these renders warmed up too.
            while heavy and pipe is not None and not pipe.poll():
                i = heavy.pop()
                results[i] = _run(targets[i].render)
                tick(targets[i])
        tasks = [[i] for i in heavy] + _chunks(light, targets, CHUNK_SECONDS)
        futures: dict[Future[list[Result]], list[int]] = {}
        if tasks:
            pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                                       initializer=_start_worker, initargs=([] if warm_here else heavy,))
            with _frozen():  # the executor forks its workers on the first submit
                futures = {pool.submit(_run_indices, task): task for task in tasks}
        if pipe is not None and helper is not None:
            _collect(early, _receive(pipe, helper), results, tick)
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                _collect(task, fut.result(), results, tick)
            except Exception as exc:  # a worker died: every target of the task fails with it
                _collect(task, [exc] * len(task), results, tick)
    except BaseException:
        # don't make the user wait for the other targets to report an interrupt
        if helper is not None:
            helper.terminate()
        if pool is not None:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown()


@contextmanager
def _frozen() -> Iterator[None]:
    """Fork with the garbage collector's objects frozen: a collection in a worker would otherwise
    touch, and so copy, every page of memory it shares with this process."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _start_worker(warm: list[int]) -> None:
    _ignore_interrupts()
    _warm_up(warm)


def _warm_up(indices: list[int]) -> None:
    """Run each distinct warm-up function of the targets ``indices`` once, in this process."""
    done: set[int] = set()
    for i in indices:
        warm = _TARGETS[i].warm
        if warm is not None and id(warm) not in done:
            done.add(id(warm))
            try:
                warm()
            except Exception:  # only an optimisation: the render reports the cause in context
                pass


def _collect(task: list[int], outputs: list[Result], results: dict[int, Result],
             tick: Callable[[Target], None]) -> None:
    for i, out in zip(task, outputs, strict=True):
        results[i] = out
        tick(_TARGETS[i])


def _chunks(indices: list[int], targets: Sequence[Target], size: float) -> list[list[int]]:
    chunks: list[list[int]] = []
    cost = size
    for i in indices:
        if cost >= size:
            chunks.append([])
            cost = 0.0
        chunks[-1].append(i)
        cost += targets[i].cost
    return chunks


def _start_helper(context: ForkContext, indices: list[int]) -> tuple[ForkProcess, Connection]:
    """A process rendering ``indices`` and sending back the list of results (one message at the
    end: the parent is busy warming up and does not read before)."""
    receive, send = context.Pipe(duplex=False)
    proc = context.Process(target=_helper, args=(indices, send), daemon=True)
    proc.start()
    send.close()
    return proc, receive


def _helper(indices: list[int], conn: Connection) -> None:
    _ignore_interrupts()
    conn.send(_run_indices(indices))
    conn.close()


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal: the parent stops the workers, which should
    # not each print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _receive(conn: Connection, proc: ForkProcess) -> list[Result]:
    try:
        outputs: list[Result] = conn.recv()
    except (EOFError, OSError):
        proc.join()
        raise RenderError(f"a build worker died (exit code {proc.exitcode})") from None
    finally:
        conn.close()
    proc.join()
    return outputs


def _fork_context() -> ForkContext | None:
    try:
        return get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork render in one process
        return None


def _run_indices(indices: list[int]) -> list[Result]:
    return [_run(_TARGETS[i].render) for i in indices]


def _run(render: Callable[[], bytes]) -> Result:
    try:
        return render()
    except InputError as exc:
        return _Failure("InputError", str(exc), tuple(exc.problems))
    except RegkitError as exc:
        return _Failure(type(exc).__name__, str(exc))
    except Exception as exc:  # a bug: sent back and re-raised as it is, not lost with the worker
        return exc


def _raise_failure(result: _Failure | Exception) -> NoReturn:
    if isinstance(result, Exception):
        raise result
    if result.kind == "InputError":
        raise InputError(list(result.problems))
    from .. import errors

    cls = getattr(errors, result.kind, errors.RenderError)
    raise cls(result.message)


__all__ = ["render_all"]
