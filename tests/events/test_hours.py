"""The pure training-hours sums."""

from lotsen.events.hours import UNKNOWN, Attendance, HoursRow, hours_by, normalise_label, total


def test_roles_group_case_blind_and_keep_the_first_spelling():
    rows = [
        Attendance("Kommunen", "Kurator", 3.5),
        Attendance("Kommunen", "  kurator ", 3.5),
        Attendance("Skolan", "Mentor", 2.0),
    ]
    by_role = hours_by(rows, lambda a: a.role)
    assert by_role == [HoursRow("Kurator", 2, 7.0), HoursRow("Mentor", 1, 2.0)]


def test_organisations_sort_by_hours_then_name_and_empty_labels_are_unknown():
    rows = [
        Attendance("Skolan", "", 1.0),
        Attendance("", "", 3.0),
        Attendance("Arbetsförmedlingen", "", 1.0),
    ]
    by_org = hours_by(rows, lambda a: a.organisation)
    assert [r.label for r in by_org] == [UNKNOWN, "Arbetsförmedlingen", "Skolan"]
    assert total(by_org, label="Totalt") == HoursRow("Totalt", 3, 5.0)


def test_normalise_label():
    assert normalise_label("  studie-  och yrkesvägledare ") == "Studie- och yrkesvägledare"
    assert normalise_label("   ") == UNKNOWN
