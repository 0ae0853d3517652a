"""The rules "Pick k" applies: the highest silhouette, and the elbow of the WCSS curve."""

from __future__ import annotations

import math

import pytest

from pipeline.workflows.clustering.k_choice import choose, elbow, elbow_distances, highest_silhouette


def scored(k: int, silhouette: float | None, wcss: float) -> dict:
    return {"k": k, "status": "SUCCEEDED", "silhouette": silhouette, "wcss": wcss}


def failed(k: int) -> dict:
    return {"k": k, "status": "FAILED", "error": "SageMaker.AmazonSageMakerException", "cause": "k > rows"}


def test_silhouette_picks_the_highest_and_the_smaller_k_on_a_tie():
    candidates = [scored(2, 0.41, 90.0), scored(3, 0.45, 60.0), scored(4, 0.45, 50.0), scored(5, 0.30, 45.0)]
    choice = choose(candidates, "silhouette")
    assert (choice.k, choice.rule, choice.applied, choice.note) == (3, "silhouette", "silhouette", "")


def test_failed_ks_and_ks_without_a_silhouette_are_never_picked():
    candidates = [failed(2), scored(3, 0.2, 60.0), scored(4, None, 0.0), failed(5)]
    assert highest_silhouette(candidates) == 3


def test_no_k_is_picked_when_every_k_failed():
    assert choose([failed(2), failed(3)], "silhouette") is None
    assert choose([failed(2), failed(3), failed(4)], "elbow") is None


def test_the_elbow_is_the_point_farthest_below_the_chord_of_the_normalised_curve():
    ks, wcss = [2, 3, 4, 5, 6], [100.0, 40.0, 25.0, 20.0, 18.0]
    distances = elbow_distances(ks, wcss)
    # Normalised: x = (k - 2) / 4, y = (w - 18) / 82; the chord runs from (0, 1) to (1, 0).
    for k, w in zip(ks, wcss, strict=True):
        x, y = (k - 2) / 4, (w - 18) / 82
        assert distances[k] == pytest.approx(max(0.0, (1 - x - y) / math.sqrt(2)))
    assert elbow([scored(k, 0.1, w) for k, w in zip(ks, wcss, strict=True)])[0] == 3


def test_the_elbow_ignores_failed_ks():
    candidates = [
        scored(2, 0.3, 100.0),
        failed(3),
        scored(4, 0.3, 30.0),
        scored(5, 0.3, 25.0),
        scored(6, 0.3, 22.0),
    ]
    choice = choose(candidates, "elbow")
    assert (choice.k, choice.applied) == (4, "elbow")
    assert 3 not in choice.elbow_distances


def test_a_straight_curve_has_no_elbow_and_the_silhouette_decides_saying_so():
    candidates = [scored(2, 0.2, 30.0), scored(3, 0.5, 20.0), scored(4, 0.3, 10.0)]
    choice = choose(candidates, "elbow")
    assert (choice.k, choice.rule, choice.applied) == (3, "elbow", "silhouette")
    assert "no elbow" in choice.note


def test_fewer_than_three_scored_ks_have_no_elbow():
    candidates = [scored(2, 0.2, 30.0), scored(3, 0.5, 10.0), failed(4)]
    choice = choose(candidates, "elbow")
    assert (choice.k, choice.applied) == (3, "silhouette")
