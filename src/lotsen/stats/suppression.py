"""Small-cell suppression for every statistic Lotsen shows or exports (KAA, programmes,
surveys, insights). Pure module: no Django.

The rule (documented for the coordinator on the dashboard and in the export's notes):

1. Primary: a count from 1 to 4 is shown as "<5". Zero is shown: it says nothing about
   any one person.
2. Secondary: a suppressed count must not be derivable from the counts beside it. Every
   table declares its sums ("these cells add up to that one": the gender columns add up
   to the row's total, the age columns too, and the rows of a breakdown add up to its
   total row). Whenever a sum has exactly one hidden cell, the smallest other non-zero
   cell of that sum (or the total itself, when no part is left) is hidden too and shown
   as "..". This repeats until no sum has exactly one hidden cell.

The totals are kept rather than adjusted: the same total appears in several tables (the
cohort by gender, by age, by status), so a total lowered in one table would give away the
hidden value against another. Two hidden cells in every sum leave one equation with two
unknowns, in every table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PRIMARY = "<5"
SECONDARY = ".."
THRESHOLD = 5
# How a primary-suppressed count reads on a page, in words rather than the files' "<5".
# The msgid of the English catalogue: pages show it through gettext (this module stays
# free of Django), e.g. ``gettext_lazy(suppression.PRIMARY_WORDS)``.
PRIMARY_WORDS = "färre än 5"

Cell = tuple[int, int]


@dataclass(frozen=True)
class Sum:
    """``total`` is the sum of ``parts`` (cells given as (row, column))."""

    total: Cell
    parts: tuple[Cell, ...]


def suppress(values: Sequence[Sequence[int]], sums: Sequence[Sum]) -> list[list[str]]:
    """The table as text with small cells hidden: numbers, "<5" or ".."."""
    primary = {
        (r, c)
        for r, row in enumerate(values)
        for c, value in enumerate(row)
        if 0 < value < THRESHOLD
    }
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for s in sums:
            cells = (s.total, *s.parts)
            if sum(1 for cell in cells if cell in hidden) != 1:
                continue
            candidates = sorted(
                (values[r][c], (r, c))
                for r, c in s.parts
                if (r, c) not in hidden and values[r][c] > 0
            )
            if candidates:
                hidden.add(candidates[0][1])
            elif s.total not in hidden and values[s.total[0]][s.total[1]] > 0:
                hidden.add(s.total)
            else:
                continue
            changed = True
    return [
        [
            PRIMARY if (r, c) in primary else SECONDARY if (r, c) in hidden else str(value)
            for c, value in enumerate(row)
        ]
        for r, row in enumerate(values)
    ]


def breakdown_sums(
    *, rows: int, total_column: int, column_groups: Sequence[Sequence[int]], total_row: int | None
) -> list[Sum]:
    """The sums of a breakdown table: in every row, each group of columns adds up to the
    total column; with a total row, every column's cells add up to it."""
    sums = [
        Sum((r, total_column), tuple((r, c) for c in group))
        for r in range(rows)
        for group in column_groups
    ]
    if total_row is not None:
        columns = [total_column, *(c for group in column_groups for c in group)]
        sums += [
            Sum((total_row, c), tuple((r, c) for r in range(rows) if r != total_row))
            for c in columns
        ]
    return sums
