"""The pure distribution with suppression."""

from lotsen.surveys.results import SCALE_VALUES, YES_NO_VALUES, distribution, too_few


def _texts(d):
    return [c.text for c in d.cells]


def test_team_sees_every_count_and_share():
    d = distribution([5, 5, 4, 1, 9], SCALE_VALUES, suppress=False)
    assert d.answered == 4 and d.answered_text == "4"  # 9 is not an option
    assert _texts(d) == ["1", "0", "0", "1", "2"]
    assert [c.share for c in d.cells] == [0.25, 0, 0, 0.25, 0.5]


def test_small_cells_hidden_with_a_second_cell_when_derivable():
    # 12 answered: 9 yes, 3 no. "3" is hidden; 9 would give it away (12 - 9), so it goes too.
    d = distribution([1] * 9 + [0] * 3, YES_NO_VALUES, suppress=True)
    assert d.answered_text == "12"
    assert _texts(d) == ["..", "<5"]
    assert all(c.share is None for c in d.cells)
    assert all(c.hidden for c in d.cells)


def test_two_small_cells_protect_each_other_and_large_cells_stay():
    values = [5] * 10 + [4] * 8 + [3] * 2 + [2] * 1
    d = distribution(values, SCALE_VALUES, suppress=True)
    assert _texts(d) == ["0", "<5", "<5", "8", "10"]
    assert d.cells[4].share == 10 / 21 and d.cells[0].share == 0


def test_a_small_total_hides_everything():
    d = distribution([1, 1, 0], YES_NO_VALUES, suppress=True)
    assert d.answered_text == "<5"
    assert all(c.hidden for c in d.cells)


def test_too_few():
    assert too_few(4) and not too_few(5)
