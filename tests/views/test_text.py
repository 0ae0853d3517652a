"""pipeline.views.text: text from data drawn literally, and cut where a chart has no room for it."""

from __future__ import annotations

from pipeline.views.text import axis_labels, plain_text, seconds_text, short_text


def test_plain_text_escapes_what_plotly_would_draw_as_markup():
    assert plain_text('<a href="https://evil.example">UK</a> & co') == (
        '&lt;a href="https://evil.example"&gt;UK&lt;/a&gt; &amp; co'
    )


def test_short_labels_are_kept_whole():
    assert axis_labels(["United Kingdom", "EIRE"], limit=32) == ["United Kingdom", "EIRE"]


def test_long_labels_that_begin_alike_stay_distinct():
    names = ["A very long country name, east", "A very long country name, west", "A very long country name"]

    labels = axis_labels(names, limit=12)

    assert labels == ["A very long…", "A very… (2)", "A very… (3)"]


def test_a_label_is_cut_before_it_is_escaped_so_no_entity_is_cut_in_half():
    assert short_text("Tom & Jerry's <b>shop</b>", limit=8) == "Tom &amp; J…"  # "Tom & J…": 8 shown
    assert short_text("<b>bold</b>", limit=5) == "&lt;b&gt;b…"


def test_a_step_of_a_few_milliseconds_reads_in_milliseconds_in_the_panel_as_on_its_box():
    # The step panel said "0.0 s" for a 3 ms state whose box's tooltip said "3 ms".
    from ui.executions import format_seconds

    assert seconds_text(0.003) == format_seconds(0.003) == "3 ms"
    assert seconds_text(2.46) == format_seconds(2.46) == "2.5 s"
    assert format_seconds(83.4) == "1 min 23 s"
