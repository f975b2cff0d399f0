"""LIX: words per sentence plus the share of long words (more than six letters)."""

import pytest

from lotsen.youth.lix import html_to_blocks, lix, lix_of_blocks, lix_of_html


def test_short_words_and_sentences():
    # 7 words, 2 sentences, no word longer than six letters ("skolan", "roligt" have six).
    assert lix("Jag går till skolan. Det är roligt.") == pytest.approx(3.5)


def test_long_words_raise_the_index():
    # 3 words, 1 sentence, 2 long words: 3 + 100 * 2 / 3.
    assert lix("Kommunikationsplanen är omfattande.") == pytest.approx(3 + 200 / 3)


def test_a_classic_hand_count():
    text = (
        "Myndigheten ansvarar för samordningen av insatserna. "
        "Handläggaren kontaktar dig. Du får svar snart!"
    )
    # Words: 6 + 3 + 4 = 13; sentences 3; long (>6 letters): Myndigheten, ansvarar,
    # samordningen, insatserna, Handläggaren, kontaktar = 6.
    assert lix(text) == pytest.approx(13 / 3 + 100 * 6 / 13)


def test_numbers_and_dates_are_not_words_and_times_do_not_end_sentences():
    result = lix_of_blocks(["Mötet är 2026-11-23 kl 14:30 hos Emma."])
    assert (result.words, result.sentences, result.long_words) == (5, 1, 0)


def test_html_blocks_end_sentences_and_hidden_code_is_skipped():
    markup = (
        "<h1>Mina sidor</h1><p>Hej du.</p><script>var kommunikation = 1;</script>"
        "<style>.a{}</style><table><tr><th>Datum</th><td>Ja</td></tr></table>"
        "<p>Du &amp; jag<br>läser.</p>"
    )
    assert html_to_blocks(markup) == ["Mina sidor", "Hej du.", "Datum", "Ja", "Du & jag", "läser."]
    # 9 words in 6 blocks, no long words.
    assert lix_of_html(markup) == pytest.approx(9 / 6)


def test_empty_text_is_zero():
    assert lix("") == 0
    assert lix_of_html("<div> </div>") == 0
