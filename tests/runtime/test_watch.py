"""`reports build --watch` rebuilds on every relevant change, keeps going after a failure, stops on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import minimal_content_yaml
from test_batch import pdf_text

pytestmark = pytest.mark.slow  # every test here builds whole documents


class Watcher:
    """A `reports build --watch` process whose stderr lines can be awaited."""

    def __init__(self, *arguments: str | Path, cwd: Path) -> None:
        environment = {**os.environ, "REPORTS_CACHE_DIR": str(cwd / "cache")}
        environment.pop("SOURCE_DATE_EPOCH", None)
        self.process = subprocess.Popen([sys.executable, "-m", "reports.cli", "build", "--watch", *map(str, arguments)],
                                        cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.process.stderr is not None
        threading.Thread(target=self._pump, args=(self.process.stderr,), daemon=True).start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, fragment: str, seconds: float = 90) -> list[str]:
        """Lines up to and including the first one containing `fragment`."""
        deadline = time.monotonic() + seconds
        got: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, f"watch ended early: {self.seen + got}"
                continue
            got.append(line)
            if fragment in line:
                self.seen += got
                return got
        raise AssertionError(f"no line with {fragment!r} in {seconds} s: {self.seen + got}")

    def quiet_for(self, seconds: float) -> list[str]:
        time.sleep(seconds)
        got = []
        while not self.lines.empty():
            got.append(self.lines.get())
        return got

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and every stderr line not awaited yet."""
        self.process.send_signal(signal.SIGINT)
        return self.ended()

    def ended(self) -> tuple[int, str]:
        """Wait for the process to end; its exit code and every stderr line not awaited yet."""
        self.process.wait(timeout=60)
        time.sleep(0.2)  # let the reader thread take the last lines
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return self.process.returncode, "\n".join(rest)


def _note(tmp_path: Path) -> Path:
    """A small content file to watch."""
    content = tmp_path / "note.yaml"
    content.write_text(minimal_content_yaml(), encoding="utf-8")
    return content


def _watch_own_template(tmp_path: Path, *arguments: str, fonts_folder: bool = False) -> Watcher:
    """`reports build --watch` of a small content file with a copy of the briefing template named `mine`
    (with an empty `fonts/` folder when asked)."""
    import shutil

    from reports.paths import TEMPLATES_DIR

    content = _note(tmp_path)
    shutil.copytree(TEMPLATES_DIR / "briefing", tmp_path / "templates" / "mine")
    if fonts_folder:
        (tmp_path / "templates" / "mine" / "fonts").mkdir()
    return Watcher(content, *arguments, "-t", "mine", "--templates-dir", tmp_path / "templates",
                   "-o", tmp_path / "out", cwd=tmp_path)


def test_watch_rebuilds_changes_ignores_neighbours_survives_errors_and_stops_cleanly(tmp_path: Path) -> None:
    content = _note(tmp_path)
    watcher = Watcher(content, "-f", "pdf", "-o", tmp_path / "out", cwd=tmp_path)
    try:
        watcher.wait_for("watching")
        pdf = tmp_path / "out" / "note-briefing.pdf"
        assert "Some prose." in pdf_text(pdf)

        content.write_text(minimal_content_yaml().replace("Some prose.", "Freshly edited prose."), encoding="utf-8")
        assert any("rebuilt 1 of 1" in line for line in watcher.wait_for("still watching"))
        assert "Freshly edited prose." in pdf_text(pdf)

        (tmp_path / "notes.txt").write_text("a neighbour of the content file", encoding="utf-8")
        assert not any("changed" in line for line in watcher.quiet_for(2.0))

        content.write_text(minimal_content_yaml().replace("language: en", "language: 12"), encoding="utf-8")
        failed = watcher.wait_for("still watching")
        assert any("note.yaml" in line and "language" in line for line in failed)
        assert any("1 failed" in line for line in failed)
        assert "Freshly edited prose." in pdf_text(pdf)  # the last good output stays

        content.write_text(minimal_content_yaml().replace("Some prose.", "Fixed again."), encoding="utf-8")
        assert any("rebuilt 1 of 1" in line for line in watcher.wait_for("still watching"))
        assert "Fixed again." in pdf_text(pdf)
    finally:
        code, stderr = watcher.stop()
    assert code == 0 and "stopped watching" in stderr and "Traceback" not in stderr


def test_saving_without_changing_anything_rebuilds_nothing(tmp_path: Path) -> None:
    content = _note(tmp_path)
    watcher = Watcher(content, "-f", "docx", "-o", tmp_path / "out", cwd=tmp_path)
    try:
        watcher.wait_for("watching")
        before = (tmp_path / "out" / "note-briefing.docx").stat().st_ino
        content.write_text(minimal_content_yaml(), encoding="utf-8")  # an editor's save with no edit
        assert any("rebuilt 0 of 1" in line for line in watcher.wait_for("still watching"))
        assert (tmp_path / "out" / "note-briefing.docx").stat().st_ino == before
    finally:
        watcher.stop()


def test_a_template_edit_is_rebuilt(tmp_path: Path) -> None:
    watcher = _watch_own_template(tmp_path, "-f", "pdf")
    try:
        watcher.wait_for("watching")
        template = tmp_path / "templates" / "mine" / "template.md.j2"
        text = template.read_text(encoding="utf-8")
        cut = text.rindex("{% endblock %}")  # inside the last block: text outside blocks is not rendered
        template.write_text(text[:cut] + "\nA line the teacher added.\n\n" + text[cut:], encoding="utf-8")
        assert any("rebuilt 1 of 1" in line for line in watcher.wait_for("still watching"))
        assert "A line the teacher added." in pdf_text(tmp_path / "out" / "note-mine.pdf")
    finally:
        watcher.stop()


def test_a_changed_font_file_ends_watching_with_a_clear_message(tmp_path: Path) -> None:
    watcher = _watch_own_template(tmp_path, "-f", "docx", fonts_folder=True)
    watcher.wait_for("watching")
    (tmp_path / "templates" / "mine" / "fonts" / "Extra.ttf").write_bytes(b"a font, say")
    code, stderr = watcher.ended()
    rest = stderr.splitlines()
    assert code == 5
    assert any("Extra.ttf" in line and "run `reports build --watch` again" in line for line in rest)


def test_watch_joins_the_class_set_again_after_each_round(tmp_path: Path) -> None:
    from pypdf import PdfReader

    content = _note(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("name,class\nAni,XI\nBudi,XI\n", encoding="utf-8")
    watcher = Watcher(content, "--roster", roster, "--class-set-only", "-o", tmp_path / "out", cwd=tmp_path)
    try:
        watcher.wait_for("watching")
        class_set = tmp_path / "out" / "note-briefing-class-set.pdf"
        assert "Some prose." in pdf_text(class_set)
        roster.write_text("name,class\nAni,XI\nBudi,XI\nCitra,XI\n", encoding="utf-8")
        # the class set is joined before the round's last line
        assert any("rebuilt 3 of 3" in line for line in watcher.wait_for("still watching"))
        assert PdfReader(str(class_set)).page_labels[-1].startswith("Citra")
        content.write_text(minimal_content_yaml().replace("Some prose.", "Edited for the class."), encoding="utf-8")
        watcher.wait_for("still watching")
        text = pdf_text(class_set)
        assert "Edited for the class." in text and "Some prose." not in text
    finally:
        code, stderr = watcher.stop()
    assert code == 0 and "Traceback" not in stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["note-briefing-class-set.pdf"]
