"""Secondary suppression: no count under 5 can be worked out by subtraction."""

from opendeal.care.disclosure import Addition, complementary


def test_one_small_cell_beside_a_total_takes_the_next_smallest_with_it():
    values = {"total": 23, "jan": 3, "feb": 8, "mar": 12}
    hide = complementary(values, values, [Addition("total", ("jan", "feb", "mar"))], 5)
    assert hide == {"feb"}


def test_two_small_cells_protect_each_other():
    values = {"total": 17, "jan": 3, "feb": 2, "mar": 12}
    assert complementary(values, values, [Addition("total", ("jan", "feb", "mar"))], 5) == set()


def test_a_single_part_hides_the_total():
    values = {"total": 3, "jan": 3}
    # Both small: already hidden; nothing more to do.
    assert complementary(values, values, [Addition("total", ("jan",))], 5) == set()
    values = {"whole": 12, "before": 3, "after": 9}
    assert complementary(values, values, [Addition("whole", ("before", "after"))], 5) == {"after"}


def test_hidden_cells_are_protected_across_nested_totals():
    # Months within before and after within the whole: hiding February (the next smallest in
    # the whole) is not enough when "before" is January + February and is shown.
    values = {"whole": 40, "before": 11, "after": 29, "jan": 3, "feb": 8, "mar": 29}
    additions = [
        Addition("whole", ("jan", "feb", "mar")),
        Addition("whole", ("before", "after")),
        Addition("before", ("jan", "feb")),
        Addition("after", ("mar",)),
    ]
    assert complementary(values, values, additions, 5) == {"feb"}
    # When "after" is a single month, a small "after" takes "before" with it, and the months.
    values = {"whole": 40, "before": 37, "after": 3, "jan": 20, "feb": 17, "mar": 3}
    hide = complementary(values, values, additions, 5)
    assert "before" in hide and hide & {"jan", "feb"}


def test_a_part_never_shown_still_counts():
    # The 3 days of a month before a date are never shown, but before - the whole months
    # before would give them.
    values = {"before": 20, "jan": 18, "feb_part": 2, "feb": 9, "feb_rest": 7}
    additions = [Addition("before", ("jan", "feb_part")), Addition("feb", ("feb_part", "feb_rest"))]
    shown = {"before", "jan", "feb"}
    hide = complementary(values, shown, additions, 5)
    assert hide & {"before", "jan"}
