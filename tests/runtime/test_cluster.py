"""Batches on a Dask cluster whose workers see none of the client's files: they get content, roster rows, template
folders and fonts as data and return bytes; the client writes the files, records the builds and reports errors
located with its own paths. A worker plugin's audit hook refuses every file of the test's folders to the workers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import PROJECT_ROOT, minimal_content_yaml

from reports.runtime.bundles import materialise, pack

pytestmark = pytest.mark.slow

REFUSED_EVENTS = ("open", "os.listdir", "os.scandir", "os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir",
                  "os.symlink", "os.link", "os.chmod")


class RefuseClientFolders:
    """A Dask worker plugin: every file operation on a path under `folders` raises and is noted."""

    def __init__(self, folders: list[str]) -> None:
        self.folders = folders

    def setup(self, worker: Any) -> None:
        folders = tuple(folder.rstrip(os.sep) + os.sep for folder in self.folders)
        refused: list[str] = []
        worker.refused = refused

        def hook(event: str, arguments: tuple[Any, ...]) -> None:
            if event not in REFUSED_EVENTS or not arguments or not isinstance(arguments[0], (str, bytes, os.PathLike)):
                return
            path = os.path.abspath(os.fsdecode(arguments[0]))
            if (path + os.sep).startswith(folders):
                refused.append(f"{event} {path}")
                raise PermissionError(f"a worker may not touch the client's files: {path}")

        sys.addaudithook(hook)


def refused_on_workers(client: Any) -> list[str]:
    return [entry for entries in client.run(lambda dask_worker: dask_worker.refused).values() for entry in entries]


@pytest.fixture(scope="module")
def sealed_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path]]:
    """A local cluster of two worker processes, refused every file under the folder it yields."""
    try:
        import cloudpickle
        from distributed import Client, LocalCluster, WorkerPlugin
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Dask distributed is in the test extra and must be installed in CI")
        pytest.skip("Dask distributed is not installed: pip install -e '.[test]'")
    client_folder = tmp_path_factory.mktemp("client-side")
    worker_cache = tmp_path_factory.mktemp("worker-cache")  # the workers' own cache, elsewhere
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    saved = os.environ.get("REPORTS_CACHE_DIR")
    os.environ["REPORTS_CACHE_DIR"] = str(worker_cache)  # the worker processes start with this environment
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            plugin = type("RefusingPlugin", (RefuseClientFolders, WorkerPlugin), {})([str(client_folder.resolve())])
            client.register_plugin(plugin, name="refuse-client-folders")
            yield cluster.scheduler_address.removeprefix("tcp://"), client, client_folder
    finally:
        if saved is None:
            os.environ.pop("REPORTS_CACHE_DIR", None)
        else:
            os.environ["REPORTS_CACHE_DIR"] = saved


def reports(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update(REPORTS_CACHE_DIR=str(cwd / "cache"), REPORTS_SERVER="off", REPORTS_USER_TEMPLATES=str(cwd / "mine"))
    return subprocess.run([sys.executable, "-m", "reports.cli", *map(str, arguments)], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def custom_templates(folder: Path) -> Path:
    """A user's template folder: the handout copied with a paragraph of its own and fonts of its own (DejaVu Sans
    under another name), and a template with a mistake on line 3."""
    import matplotlib

    templates = folder / "templates"
    shutil.copytree(PROJECT_ROOT / "templates" / "handout", templates / "school")
    source = (templates / "school" / "template.md.j2").read_text(encoding="utf-8")
    own = source.replace("{% block title_block %}\n", "{% block title_block %}\nPrepared by the school's own template.\n\n")
    assert own != source
    (templates / "school" / "template.md.j2").write_text(own, encoding="utf-8")
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    (templates / "school" / "fonts").mkdir()
    faces = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf",
             "bold_italic": "DejaVuSans-BoldOblique.ttf"}
    for face, name in faces.items():
        shutil.copyfile(dejavu / name, templates / "school" / "fonts" / f"SchoolSans-{face}.ttf")
    theme = (templates / "school" / "theme.yaml").read_text(encoding="utf-8")
    (templates / "school" / "theme.yaml").write_text(
        theme + "heading_font:\n  name: School Sans\n" + "".join(f"  {face}: SchoolSans-{face}.ttf\n" for face in faces),
        encoding="utf-8")
    (templates / "broken").mkdir()
    (templates / "broken" / "template.md.j2").write_text("# {{ content.document.title }}\n\n{{ no_such_name.x }}\n",
                                                         encoding="utf-8")
    (templates / "broken" / "theme.yaml").write_text("name: broken\nextends: base\n", encoding="utf-8")
    return templates


def files_in(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_batch_on_workers_that_see_no_client_file_equals_a_local_build(sealed_cluster: tuple[str, Any, Path]) -> None:
    address, client, folder = sealed_cluster
    templates = custom_templates(folder)
    shutil.copyfile(PROJECT_ROOT / "data" / "sco-russia.en.yaml", folder / "essay.yaml")
    (folder / "class.csv").write_text("name,class\nSiti Nurhaliza,X-2\nBudi Santoso,X-2\nAyu Ñañez,X-3\n",
                                      encoding="utf-8")
    roster = ("build", "essay.yaml", "-t", "school", "--templates-dir", templates, "--roster", "class.csv")
    remote = reports(*roster, "-o", "remote", "--executor", f"dask://{address}", cwd=folder)
    assert remote.returncode == 0, remote.stderr[-3000:]
    assert "built 3 of 3 documents (6 files)" in remote.stderr
    local = reports(*roster, "-o", "local", "-j", "1", "--no-cache", cwd=folder)
    assert local.returncode == 0, local.stderr[-3000:]
    built = files_in(folder / "remote")
    assert len(built) == 6 and built == files_in(folder / "local")  # byte for byte
    assert "Prepared by the school" in subprocess.run(["pdftotext", folder / "remote" / "essay-school-budi-santoso.pdf",
                                                       "-"], capture_output=True, text=True).stdout
    with zipfile.ZipFile(folder / "remote" / "essay-school-siti-nurhaliza.docx") as package:
        assert "School Sans" in package.read("word/styles.xml").decode()  # the folder's theme, whose font files the
        # worker found (a missing face is an asset error)

    # the client recorded the builds: nothing to do the second time, and the workers are not even asked
    again = reports(*roster, "-o", "remote", "--executor", f"dask://{address}", cwd=folder)
    assert again.returncode == 0 and again.stdout.count("up to date") == 6, again.stderr[-2000:]

    # errors come back located as a local build locates them: the client's template file and line, the content field
    (folder / "bad.yaml").write_text(minimal_content_yaml().replace("  date: 2024-01-31", "  date: 2024-13-31"),
                                     encoding="utf-8")
    (folder / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    for template in ("broken", "briefing"):
        arguments = ("build", "note.yaml", "bad.yaml", "missing.yaml", "-t", template, "--templates-dir", templates)
        remote = reports(*arguments, "-o", "remote-errors", "--executor", f"dask://{address}", cwd=folder)
        local = reports(*arguments, "-o", "local-errors", "-j", "1", cwd=folder)
        assert remote.returncode == local.returncode and remote.returncode in (3, 4), remote.stderr
        problems = [line for line in remote.stderr.splitlines() if not line.startswith("built ")]
        assert problems == [line for line in local.stderr.splitlines() if not line.startswith("built ")]
        if template == "broken":
            assert f"{templates / 'broken' / 'template.md.j2'}:3:1: " in remote.stderr
        assert "bad.yaml:6:9: document.date:" in remote.stderr and "missing.yaml: no such file" in remote.stderr
    assert refused_on_workers(client) == []
    probe = str(folder / "essay.yaml")
    with pytest.raises(PermissionError):  # the hook is in place: a worker that tried would have been refused
        client.run(lambda: open(probe, "rb").close())


def test_a_bundle_is_written_out_as_packed_with_its_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a" / "fonts").mkdir(parents=True)
    (root / "a" / "template.md.j2").write_text("# x\n", encoding="utf-8")
    (root / "a" / "fonts" / "f.ttf").write_bytes(b"\0\1\2")
    (root / "empty").mkdir()
    (root / "a" / "outside").symlink_to("/etc/hostname")
    packed = pack([root, tmp_path / "does-not-exist"])
    assert packed.bundle.digest == pack([root, tmp_path / "does-not-exist"]).bundle.digest
    first, missing = materialise(packed.bundle)
    assert (first / "a" / "fonts" / "f.ttf").read_bytes() == b"\0\1\2"
    assert (first / "empty").is_dir() and list(missing.iterdir()) == []
    assert os.readlink(first / "a" / "outside") == "/etc/hostname"  # refused there as here: it leads outside
    assert materialise(packed.bundle) == (first, missing)  # once per digest
    assert str(root / "a" / "template.md.j2") in packed.stamps
    (root / "a" / "template.md.j2").write_text("# y\n", encoding="utf-8")
    assert pack([root]).bundle.digest != packed.bundle.digest
