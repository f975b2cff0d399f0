"""The access log in plain words."""

import pytest
from django.utils import translation

from lotsen.youth import phrases


@pytest.mark.parametrize(
    ("object_type", "expected"),
    [
        ("case", "ditt ärende"),
        ("plan", "din plan"),
        ("case_list", "en lista där du finns med"),
        ("referral_list", "en lista där du finns med"),
        ("handover", "det som en skola skrev till nästa skola"),
        ("person", "dina uppgifter"),
        ("kaa_contact", "dina uppgifter hos kommunen"),
        ("kaa_register", "dina uppgifter hos kommunen"),
        ("school_overview", "dina betyg och din frånvaro"),
        ("wellbeing", "hur du mår"),
        ("something_new", "dina uppgifter"),
        ("", "dina uppgifter"),
    ],
)
def test_object_types_in_plain_words(object_type, expected):
    with translation.override("sv"):
        assert phrases.object_phrase(object_type) == expected


def test_a_whole_sentence():
    with translation.override("sv"):
        sentence = phrases.access_sentence(
            who="Socialtjänsten i Exempelkommun", action="view", object_type="case"
        )
    assert sentence == "Socialtjänsten i Exempelkommun läste ditt ärende."


def test_unknown_action_gets_a_generic_verb():
    with translation.override("sv"):
        assert phrases.access_sentence(who="X", action="teleport", object_type="plan") == (
            "X använde din plan."
        )
