"""The build's scheduler: every target rendered once, where it should be, failures reported as
the first one in target order, whatever process it happened in."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from regkit.errors import InputError, Problem, RenderError
from regkit.render.build import Target
from regkit.render.workers import render_all

PARENT = os.getpid()


def _pid() -> bytes:
    return str(os.getpid()).encode()


def _slow_pid() -> bytes:
    time.sleep(0.05)
    return _pid()


def _targets(n_heavy: int, n_light: int, warm: Callable[[], None] | None, light_cost: float = 0.05) -> list[Target]:
    heavy = [Target(Path(f"h{i}.pdf"), (), _slow_pid, warm=warm, cost=0.3) for i in range(n_heavy)]
    light = [Target(Path(f"l{i}.docx"), (), _pid, cost=light_cost) for i in range(n_light)]
    return [*heavy, *light]


def test_one_warm_up_here_while_a_helper_renders_the_light_targets() -> None:
    warmed: list[int] = []

    def warm() -> None:
        warmed.append(os.getpid())

    targets = _targets(6, 20, warm)  # a second of light work: enough to fill the warm-up
    ticks: list[Path] = []
    out = render_all(targets, 2, lambda t: ticks.append(t.path))
    assert sorted(ticks) == sorted(t.path for t in targets)
    assert set(out) == {t.path for t in targets}
    assert warmed == [PARENT]  # once, in this process, before the workers were forked
    light = {int(out[t.path]) for t in targets if t.warm is None}
    assert PARENT not in light  # the helper renders them while this process warms up


def test_with_little_light_work_every_worker_warms_up_itself(tmp_path: Path) -> None:
    def warm() -> None:
        with (tmp_path / "warmed").open("a") as fh:
            fh.write(f"{os.getpid()}\n")

    targets = _targets(6, 2, warm, light_cost=0.01)
    out = render_all(targets, 2, lambda t: None)
    warmed = (tmp_path / "warmed").read_text().split()
    assert len(warmed) == len(set(warmed)) == 2 and str(PARENT) not in warmed
    assert {int(out[t.path]) for t in targets if t.warm is not None} <= {int(p) for p in warmed}


def test_light_targets_only_use_every_worker() -> None:
    targets = _targets(0, 30, None)
    out = render_all(targets, 2, lambda t: None)
    assert len(out) == 30 and PARENT not in {int(b) for b in out.values()}


def test_one_job_renders_here() -> None:
    out = render_all(_targets(2, 3, lambda: None), 1, lambda t: None)
    assert {int(b) for b in out.values()} == {PARENT}


def _input_error() -> bytes:
    raise InputError([Problem("x.yaml", 3, 5, "bad value")])


def _render_error() -> bytes:
    raise RenderError("font lacks 樌")


def _bug() -> bytes:
    raise ValueError("a bug")


def _die() -> bytes:
    os._exit(7)


@pytest.mark.parametrize("warm", [None, lambda: None], ids=["light", "heavy"])
def test_the_first_failure_in_target_order_is_raised(warm: Callable[[], None] | None) -> None:
    targets = [Target(Path("ok.pdf"), (), _pid, warm=warm),
               Target(Path("a.pdf"), (), _input_error, warm=warm),
               Target(Path("b.pdf"), (), _render_error, warm=warm),
               *_targets(0, 5, None)]
    with pytest.raises(InputError) as info:
        render_all(targets, 2, lambda t: None)
    assert [str(p) for p in info.value.problems] == ["x.yaml:3:5: bad value"]
    with pytest.raises(RenderError, match="樌"):
        render_all(targets[2:], 2, lambda t: None)


def test_a_bug_in_a_worker_is_raised_as_it_is() -> None:
    targets = [Target(Path("bug.pdf"), (), _bug, warm=lambda: None), *_targets(0, 3, None)]
    with pytest.raises(ValueError, match="a bug"):
        render_all(targets, 2, lambda t: None)
    with pytest.raises(ValueError, match="a bug"):
        render_all([Target(Path("bug.docx"), (), _bug), *_targets(0, 3, None)], 2, lambda t: None)


def test_a_worker_that_dies_fails_the_build() -> None:
    # enough light work for a helper (which dies)
    with pytest.raises(RenderError, match="worker died"):
        render_all([Target(Path("x.docx"), (), _die, cost=1.0), *_targets(2, 0, lambda: None)], 2, lambda t: None)
    # no light targets: no helper, so this process does not render heavy ones itself
    with pytest.raises(Exception, match="terminated abruptly"):
        render_all([Target(Path("x.pdf"), (), _die, warm=lambda: None), *_targets(2, 0, lambda: None)], 2,
                   lambda t: None)
