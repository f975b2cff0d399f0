"""A step for the browser tests' server: make sure Björkskolan has signals to work on.

Runs inside ``lotsen shell -c`` after ``lotsen demo``. When the demo's own school data has
already raised signals at Björkskolan it adds nothing; otherwise it gives two of the
school's pupils four weeks of attendance with 7.5 % invalid absence and an F in maths in
their latest term grades, then computes signals for the school.
"""

SIGNALS_SEED = """
import datetime as dt
from django.db.models import Q
from django.utils import timezone
from lotsen.accounts.models import Organisation
from lotsen.school.models import AttendancePeriod, Enrolment, Grade
from lotsen.earlywarning.models import NOT_CLOSED, Signal
from lotsen.earlywarning.services import signals_compute

today = timezone.localdate()
school = Organisation.objects.get(name="Björkskolan")
if not Signal.objects.filter(school_unit=school, status__in=NOT_CLOSED).exists():
    pupils = (
        Enrolment.objects.filter(school_unit=school, school_type="GR", start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("-school_year", "person_id")
        .values_list("person_id", flat=True)[:2]
    )
    subjects = ["SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI",
                "RE", "SH", "TK", "BL", "HKK", "IDH", "MU", "SL"]
    for person_id in pupils:
        for week in range(4):
            end = today - dt.timedelta(days=7 * week)
            AttendancePeriod.objects.create(
                person_id=person_id, school_unit=school, start_date=end - dt.timedelta(days=6),
                end_date=end, offered_minutes=1200, attended_minutes=840 if week == 0 else 1200,
                invalid_absence_minutes=360 if week == 0 else 0,
            )
        for subject in subjects:
            Grade.objects.create(
                person_id=person_id, school_unit=school, subject_code=subject,
                value="F" if subject == "MA" else "C", kind="term",
                registered_on=today - dt.timedelta(days=1),
            )
print(signals_compute(school_unit=school))
"""
