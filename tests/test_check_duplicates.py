"""Records sharing an id: copies holding the same values are one record; copies that differ are
all set aside and reported, so the order of rows or files never decides which one is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from check_support import notice, run, slip, stats, write_yaml


def test_differing_copies_are_all_reported_whatever_their_order(tmp_path: Path) -> None:
    one = slip(id="QF-7", approved_by="李娜")  # breaks slip-approved
    two = slip(id="QF-7")  # clean
    results = []
    for order in ([one, two], [two, one]):
        path = write_yaml(tmp_path / "r.yaml", [*order, notice(), stats()])
        report = run(path)
        results.append((sorted((u.line, u.error) for u in report.unreadable), report.checked,
                        [(f.rule, f.record) for f in report.findings if f.record == "QF-7"]))
    assert results[0][0] == results[1][0]
    assert [e for _, e in results[0][0]] == ["duplicate id 'QF-7' of form slip: 2 records with this id differ, none "
                                             "is audited (give each record its own id)"] * 2
    assert results[0][1:] == results[1][1:] == (2, [])


def test_identical_copies_are_one_record(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", [slip(id="QF-7"), slip(id="QF-7"), notice(), stats()])
    report = run(path)
    assert [(u.line, u.error) for u in report.unreadable] == [
        (19, "duplicate id 'QF-7' of form slip (another record has it)")]
    assert report.checked == 3


@pytest.mark.parametrize("ids", [["QF-1", "QF-2", "QF-2", "QF-3"], ["QF-3", "QF-1", "QF-2", "QF-1"]])
def test_a_copy_in_rising_or_unordered_ids_is_found(tmp_path: Path, ids: list[str]) -> None:
    """Rising ids are known to differ in one pass; any copy breaks the rise and is found."""
    from test_records_csv import cells, write_csv

    rows = [cells(slip(id=rid, customer=f"客户{i}")) for i, rid in enumerate(ids)]
    report = run(write_csv(tmp_path / "slip.csv", rows))
    assert len(report.unreadable) == 2 and all("duplicate id" in u.error for u in report.unreadable)
    assert report.checked == len(ids) - 2
