from __future__ import annotations

import io

from issuer.progress import NullProgress, TqdmProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal_and_not_quiet() -> None:
    assert isinstance(progress_for(quiet=False, stream=io.StringIO()), NullProgress)
    assert isinstance(progress_for(quiet=True, stream=Terminal()), NullProgress)
    assert isinstance(progress_for(quiet=False, stream=Terminal()), TqdmProgress)


def test_bar_draws_to_its_stream() -> None:
    stream = Terminal()
    bar = progress_for(quiet=False, stream=stream)
    bar.start(10)
    bar.advance(10)
    bar.finish()
    assert "100%" in stream.getvalue()
