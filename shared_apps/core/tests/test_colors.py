import pytest

from shared_apps.core.colors import (
    contrast_ratio,
    ensure_contrast,
    mix,
    parse_hex,
    readable_text_on,
)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is the lightest grey that passes AA.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    "background", ["#000000", "#ffffff", "#777777", "#ffff00", "#1e3a8a", "#f59e0b", "#06b6d4"]
)
def test_readable_text_reaches_aa_on_any_background(background):
    assert contrast_ratio(readable_text_on(background), background) >= 4.5


@pytest.mark.parametrize("color", ["#ffd400", "#06b6d4", "#f78166", "#cccccc", "#14532d"])
def test_ensure_contrast_keeps_a_passing_colour_and_darkens_a_failing_one(color):
    shade = ensure_contrast(color, "#ffffff")

    assert contrast_ratio(shade, "#ffffff") >= 4.5
    if contrast_ratio(color, "#ffffff") >= 4.5:
        assert shade == color


def test_ensure_contrast_lightens_on_a_dark_background():
    shade = ensure_contrast("#1e3a8a", "#000000")

    assert contrast_ratio(shade, "#000000") >= 4.5
    assert sum(parse_hex(shade)) > sum(parse_hex("#1e3a8a"))


def test_mix_and_parse():
    assert mix("#000000", "#ffffff", 0.5) == "#808080"
    assert parse_hex("#abc") == (0xAA, 0xBB, 0xCC)
    with pytest.raises(ValueError, match="rrggbb"):
        parse_hex("#12")
