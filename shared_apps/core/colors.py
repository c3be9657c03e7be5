"""Colour arithmetic for branded pages: WCAG 2.x contrast, and the text colours derived from
a marketplace's brand colours so that text stays readable (>= 4.5:1) whatever an admin picks.

Pure functions on "#rrggbb" strings, in the lowest layer so any app (the storefront's theme,
a branding form's warning) can use them."""

from __future__ import annotations

WHITE = "#ffffff"
BLACK = "#000000"
# Dark text used on light brand colours: near-black reads softer than pure black.
INK = "#111827"
# WCAG 2.x level AA for body text.
AA_NORMAL_TEXT = 4.5


def parse_hex(color: str) -> tuple[int, int, int]:
    value = color.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"Not a #rrggbb colour: {color!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(color: str) -> float:
    """WCAG's relative luminance (sRGB, linearised)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parse_hex(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (same luminance) to 21 (black on white)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def mix(color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0..1) of the way towards `other`."""
    start, end = parse_hex(color), parse_hex(other)
    return to_hex(tuple(s + (e - s) * amount for s, e in zip(start, end, strict=True)))


def readable_text_on(background: str) -> str:
    """The text colour for `background`: white or near-black, whichever contrasts more, if it
    reaches AA; else pure black, which always does where white can't (mid-tones)."""
    best = max((WHITE, INK), key=lambda text: contrast_ratio(text, background))
    return best if contrast_ratio(best, background) >= AA_NORMAL_TEXT else BLACK


def ensure_contrast(color: str, against: str, *, minimum: float = AA_NORMAL_TEXT) -> str:
    """`color` itself when it already reaches `minimum` against `against`, else the closest
    shade of it that does: darkened on a light background, lightened on a dark one. Keeps
    the brand's hue for links and accents drawn as text."""
    if contrast_ratio(color, against) >= minimum:
        return color
    target = BLACK if relative_luminance(against) > 0.18 else WHITE
    for step in range(1, 101):
        candidate = mix(color, target, step / 100)
        if contrast_ratio(candidate, against) >= minimum:
            return candidate
    return target
