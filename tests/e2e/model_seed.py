"""A step for the model browser tests: a learned risk model on the shared demo server.

The demo (size 300) has no outcome history to learn from, so this adds one, as the unit
tests do (tests/earlywarning/test_scoring.py ``build_history``): 260 pupils who began upper
secondary in 2020 at two school units of their own, under no demo organisation and
registered in a municipality the demo does not have, so no demo login reaches them and
the KAA target group (16–20) does not hold them (they were born in 2004). Then it trains
three versions with Lotsen's own training (``model_train``): the first is compared with
nothing and activated by ``admin``; the second is compared with the first as training does;
the third has its comparison removed, as a version never compared. The version in use
scores every current pupil, among them the demo's young person ``ung``.

Runs inside ``lotsen shell -c``; idempotent (a second run adds nothing). Prints one JSON
line: the three versions and ``ung``'s score (band, reasons in words).
"""

MODEL_SEED = """
import datetime as dt, json, random
from django.utils import timezone
from lotsen.accounts.models import Organisation, User
from lotsen.earlywarning.governance import active_version, model_activate
from lotsen.earlywarning.models import ModelVersion, RiskScore
from lotsen.earlywarning.scoring import model_train, risk_score_reasons, risk_scores_compute
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Person
from lotsen.school.models import Enrolment, Grade

HISTORY_UNIT = "Historikskolan (modelltest)"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI",
            "RE", "SH", "TK", "BL", "HKK", "IDH", "MU", "SL")
TERMS = (("HT", 2018, dt.date(2018, 12, 18), "term"), ("VT", 2019, dt.date(2019, 6, 10), "term"),
         ("HT", 2019, dt.date(2019, 12, 18), "term"), ("VT", 2020, dt.date(2020, 6, 10), "final"))
GY_START = dt.date(2020, 8, 17)
today = timezone.localdate()

if not Organisation.objects.filter(name=HISTORY_UNIT).exists():
    rng = random.Random(7)
    compulsory = Organisation.objects.create(
        name=HISTORY_UNIT, kind="school_unit", school_unit_code="99000001")
    upper = Organisation.objects.create(
        name="Historikgymnasiet (modelltest)", kind="school_unit", school_unit_code="99000002")
    persons = Person.objects.bulk_create(
        Person(
            personal_identity_number=make_identity_number(
                dt.date(2004, 3, 1 + index % 2), 500 + index // 2),
            date_of_birth=dt.date(2004, 3, 1 + index % 2),
            given_name=f"Historia{index}", family_name="Elev",
            gender="woman" if index % 2 else "man", home_municipality_code="2584",
        )
        for index in range(260)
    )
    enrolments, grades = [], []
    for person in persons:
        risky = rng.random() < 1 / 3
        dropout = rng.random() < (0.75 if risky else 0.04)
        base = {subject: rng.choice("ABCDE") for subject in SUBJECTS}
        if risky:
            base["MA"] = "F"
        if rng.random() < 0.3:
            base[rng.choice(("BL", "TK"))] = "F"
        for semester, year, registered_on, kind in TERMS:
            grades.extend(
                Grade(person=person, subject_code=subject, value=value, kind=kind,
                      semester=semester, year=year, registered_on=registered_on)
                for subject, value in base.items())
        enrolments.append(Enrolment(
            person=person, school_unit=compulsory, school_type="GR", school_year=9,
            start_date=dt.date(2017, 8, 15), end_date=dt.date(2020, 6, 10),
            end_reason="Avslutat årskurs 9"))
        if dropout:
            end, reason = GY_START + dt.timedelta(days=rng.randrange(40, 1000)), "Avbrott"
        else:
            end, reason = dt.date(2023, 6, 9), rng.choice(("Gymnasieexamen", "Studiebevis"))
        enrolments.append(Enrolment(
            person=person, school_unit=upper, school_type="GY", school_year=3, programme="SA",
            start_date=GY_START, end_date=end, end_reason=reason))
    Enrolment.objects.bulk_create(enrolments)
    Grade.objects.bulk_create(grades, batch_size=2000)

if ModelVersion.objects.count() < 3:
    first = model_train(as_of=today, folds=3, seed=0)
    if active_version() is None:
        model_activate(first, by=User.objects.get(username="admin"),
                       note="Första versionen, jämförd med att inte ha någon.")
    second = model_train(as_of=today, folds=3, seed=1)
    third = model_train(as_of=today, folds=3, seed=2)
    third.comparison = {}
    third.save(update_fields=["comparison"])
    risk_scores_compute(as_of=today)

first, second, third = ModelVersion.objects.order_by("trained_at", "id")[:3]
young = User.objects.get(username="ung").person
score = RiskScore.objects.filter(person=young).order_by("-features_as_of", "-id").first()
print(json.dumps({
    "versions": [first.version, second.version, third.version],
    "score": {"band": score.band,
              "reasons": [r["text"] for r in risk_score_reasons(score=score)[:3]]},
}))
"""
