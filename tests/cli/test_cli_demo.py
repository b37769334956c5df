"""``numpynn demo``: the article's numbers."""

from __future__ import annotations

from cli_helpers import ok, run


def test_demo_prints_the_articles_outputs(tmp_path):
    proc = ok(run("demo", cwd=tmp_path))
    assert "0.4973" in proc.stdout and "0.5027" in proc.stdout
