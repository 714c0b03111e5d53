import numpy as np
from scipy import ndimage

from digits.reading.boxes import along_a_side, at_border, reaches_ends, run_past_ends


def test_at_border_lists_the_components_that_touch_it():
    mask = np.zeros((10, 12), bool)
    mask[0, 3:5] = True  # touches the top row
    mask[4:6, 5:7] = True  # inside
    mask[7:9, 11] = True  # touches the last column
    labels, n = ndimage.label(mask)
    assert n == 3
    assert at_border(labels).tolist() == [labels[0, 3], labels[7, 11]]
    assert at_border(np.zeros((4, 4), int)).size == 0


def test_along_a_side_needs_most_of_one_side():
    mask = np.zeros((10, 10), bool)
    mask[:, 0] = True  # the whole left column
    assert along_a_side(mask)
    mask[:, 0] = False
    mask[:3, 0] = True  # a digit touching the side, not along it
    assert not along_a_side(mask)


def test_a_box_runs_on_past_each_end_of_the_frame_it_reaches():
    """The digit as drawn, of which a canvas shows what is in view: grown by a share of its height at
    the top and at the bottom where it reaches them, never at the sides."""
    assert reaches_ends((10, 50, 60, 150), 280) == (False, False)
    assert run_past_ends((10, 50, 60, 150), 280, 0.3) == (10, 50, 60, 150)
    assert reaches_ends((0, 0, 60, 100), 280) == (True, False)
    assert run_past_ends((0, 0, 60, 100), 280, 0.3) == (0, -30, 60, 100)
    assert run_past_ends((200, 180, 280, 280), 280, 0.5) == (200, 180, 280, 330)
    assert run_past_ends((5, 0, 50, 280), 280, 0.25) == (5, -70, 50, 350)  # the whole height: both ends
