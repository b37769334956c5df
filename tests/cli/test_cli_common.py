"""numpynn.cli.common: what the subcommands share (here: the units of regression curves)."""

from __future__ import annotations

from numpynn.cli.common import curve_units


def test_curve_units_come_from_the_stored_target_std():
    regression = {"target_encoder": {"task": "regression", "name": "price", "mean": 3.0,
                                     "std": 12.5}}
    assert curve_units(regression) == {"target_scale": 12.5, "target_name": "price"}
    classification = {"target_encoder": {"task": "classification", "name": "y",
                                         "classes": ["a", "b"]}}
    assert curve_units(classification) == {}
    assert curve_units({}) == {}
