"""Form numbers (编号 QF-0001, QF-0002 ...): one counter row per form, advanced by a single
statement (``UPDATE ... RETURNING``), so that on its own the row stays locked for that statement
only. On PostgreSQL a record's number is therefore taken just before the record's transaction:
people submitting the same form at once do not queue behind each other's whole transaction, and
a number whose record then fails to be stored is given back unless a later one was taken
meanwhile. On SQLite, where writers take turns anyway, the number is taken inside the record's
transaction."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from ..model import Form
from .models import Counter, StoredRecord


def early() -> bool:
    """Whether numbers are taken before the record's transaction (not on SQLite)."""
    return bool(connection.vendor != "sqlite")


def take(form: Form, *, checked: bool = False) -> str:
    """The form's next number. An imported record moves the counter past its own number
    (``note_taken``), so the next number is free but for a race with an import, which the record's
    unique number refuses; ``checked`` then skips numbers a stored record carries (as records
    imported before imports moved the counter may)."""
    while True:
        number = f"{form.number_prefix}-{_advance(form.id):04d}"
        if not checked or not StoredRecord.objects.filter(form_id=form.id, number=number).exists():
            return number


def note_taken(form: Form, number: str) -> None:
    """An imported record carries ``number``: later numbers of the form come after it."""
    head, _, digits = number.rpartition("-")
    if head != form.number_prefix or not digits.isdigit():
        return
    n = int(digits)
    if not Counter.objects.filter(form_id=form.id).exists():
        try:
            with transaction.atomic():
                Counter.objects.create(form_id=form.id, last=n)
            return
        except IntegrityError:  # made by someone else a moment ago
            pass
    Counter.objects.filter(form_id=form.id, last__lt=n).update(last=n)


def give_back(form: Form, number: str) -> None:
    """Return a number taken early whose record was not stored, if it is still the last one taken."""
    n = int(number.rsplit("-", 1)[1])
    Counter.objects.filter(form_id=form.id, last=n).update(last=n - 1)


def _advance(form_id: str) -> int:
    quote = connection.ops.quote_name
    table, last, key = quote(Counter._meta.db_table), quote("last"), quote("form_id")
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {last} = {last} + 1 WHERE {key} = %s RETURNING {last}", [form_id])
        row = cur.fetchone()
    if row is not None:
        return int(row[0])
    try:
        with transaction.atomic():
            Counter.objects.create(form_id=form_id, last=1)
    except IntegrityError:  # made by someone else a moment ago
        return _advance(form_id)
    return 1
