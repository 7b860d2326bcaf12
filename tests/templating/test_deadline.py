"""The template time limit holds in any thread and without a timer signal (Windows), and leaves no thread behind."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from reports.errors import TemplateError
from reports.templating import deadline as deadline_module
from reports.templating.deadline import RenderTimeout, deadline
from reports.templating.folders import TemplateFolder
from reports.templating.render import render_template

ENDLESS = "{% for i in range(99999) %}{% for j in range(99999) %}{% for k in range(99999) %}{% endfor %}{% endfor %}{% endfor %}"


def endless_template(folder: Path) -> TemplateFolder:
    (folder / "endless").mkdir()
    (folder / "endless" / "template.md.j2").write_text("# Title\n\n" + ENDLESS + "\n", encoding="utf-8")
    return TemplateFolder("endless", (folder / "endless").resolve())


def render_endless(folder: Path) -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        render_template(endless_template(folder), {}, (folder.resolve(),), seconds=0.5)
    return raised.value


def test_without_a_timer_signal_the_watchdog_stops_an_endless_loop(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(signal, "SIGALRM")
    monkeypatch.delattr(signal, "setitimer")
    started = time.monotonic()
    error = render_endless(tmp_path)
    assert time.monotonic() - started < 10
    diagnostic = error.diagnostics[0]
    assert "rendering took longer than 0.5 s" in diagnostic.message
    assert diagnostic.file.endswith("template.md.j2") and diagnostic.line == 3  # the loop's line, as with the signal
    assert threading.active_count() == 1  # the watchdog was joined


def test_a_render_in_another_thread_is_limited_too(tmp_path: Path) -> None:
    """A Dask worker renders in its threads, which a timer signal cannot reach."""
    errors: list[TemplateError] = []

    def render_in_thread() -> None:
        try:
            render_template(endless_template(tmp_path), {}, (tmp_path.resolve(),), seconds=0.5)
        except TemplateError as error:
            errors.append(error)

    worker = threading.Thread(target=render_in_thread)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert errors and "rendering took longer than 0.5 s" in errors[0].diagnostics[0].message


def test_a_render_that_ends_in_time_is_never_interrupted_later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deadline_module, "_timer_signal_usable", lambda: False)
    for _ in range(100):
        with deadline(0.2):
            pass
    time.sleep(0.05)  # a late exception would land here
    with pytest.raises(RenderTimeout):
        with deadline(0.05):
            while True:
                pass
    assert threading.active_count() == 1
