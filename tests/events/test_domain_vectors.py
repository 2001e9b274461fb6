"""The shared vectors the browser's fold is checked against are what Python computes today."""

from tests.vectors.generate_domain import VECTORS, generate, render


def test_the_shared_domain_vectors_match_the_python_domain() -> None:
    assert VECTORS.read_text(encoding="utf-8") == render(generate()), (
        "events/ changed what the browser must compute: run `python -m tests.vectors.generate_domain`, "
        "then make client/web agree (node --test tests/js/)"
    )
