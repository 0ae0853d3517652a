"""Text that stays legible on a coloured background: WCAG 2 contrast, and black or white by it.

Black or white: one of the two always reaches WCAG AA's 4.5:1 on any background (at least 4.58:1,
where both are equal), which no fixed grey does (#212121 reached 4.36:1 at best on the profile
table's mid blues).
"""

from __future__ import annotations

from plotly.colors import unlabel_rgb

DARK_TEXT, LIGHT_TEXT = "#000000", "#ffffff"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a ``rgb(r, g, b)`` or ``#rrggbb`` colour."""
    if colour.startswith("#"):
        channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        channels = [round(float(c)) for c in unlabel_rgb(colour)]
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda colour: contrast(colour, background))
