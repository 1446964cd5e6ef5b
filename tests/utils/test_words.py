"""The form a word takes in a message."""

from mmm_analytics.utils.words import numbered


def test_numbered_is_the_word_without_the_number() -> None:
    assert [numbered(n, "channel") for n in (0, 1, 2)] == ["channels", "channel", "channels"]
    assert numbered(1, "is", "are") == "is" and numbered(3, "is", "are") == "are"
