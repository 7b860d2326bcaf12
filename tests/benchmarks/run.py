"""Side-by-side benchmark of `reports build` against pandoc (DOCX; PDF through Typst) and a naive script.

    pip install -e '.[bench]'          # pypandoc-binary (ships pandoc), typst, psutil
    python tests/benchmarks/run.py     # ~6 minutes on 2 cores; --quick for a rough look in ~2

Every measurement is a new process (as a user runs it), timed from start to exit, its peak memory
read with wait4 (ru_maxrss, the largest process of its tree). The single-document cases run
interleaved, round after round, so a noisy neighbour slows all of them alike; medians are reported
with ratios taken inside the same run. Batches, in-process rebuilds, a worker's memory growth and
profiles follow. Results go to stdout as Markdown and to `--out` (default build/benchmark/) as JSON,
with the profiles as text. No timing is asserted anywhere: this is not part of the test suite.

Cold: an empty chart cache (charts drawn). Warm: nothing changed since the last build, in a new
process: the on-disk chart cache is filled, nothing else carries over. In-process rebuild: a
long-lived Python process building the same file again.

pandoc has no `typst` executable here (the `typst` package is a Python module), so a two-line shim
named `typst` that calls `typst.compile` is put on PATH for `--pdf-engine=typst`; its own start-up
(Python + the module) is measured separately as `typst shim start-up` and included in the pandoc
PDF time. pandoc gets the charts as PNG files drawn beforehand: its times leave chart drawing out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib import metadata
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "data" / "sco-russia.yaml"
HERE = Path(__file__).resolve().parent
PY = sys.executable

TARGETS = {
    "warm_vs_pandoc": 1.0,
    "cold_vs_naive": 0.8,
    "check_seconds": 0.35,
    "batch_docs_per_second": 12.0,
    "roster_pairs_per_second": 30.0,
    "peak_mib": 150.0,
    "worker_growth_percent": 10.0,
}


# --- running and timing ----------------------------------------------------------------------------


def timed(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB, largest process of the tree) and CPU seconds (user + system, the process
    and the children it waited for: pool workers) of one command; fails loudly.

    CPU seconds hardly change when a neighbour loads the machine; wall seconds do."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}\n"
                             + errors.read().decode(errors="replace")[-3000:])
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment without what would skew a case: a chart cache, a fixed date, a build
    server (only the server cases use one), and PYTHONDONTWRITEBYTECODE (a user's Python keeps .pyc files;
    without them every process compiles the package again, ≈60 ms)."""
    dropped = ("REPORTS_CACHE_DIR", "SOURCE_DATE_EPOCH", "PYTHONDONTWRITEBYTECODE", "REPORTS_SERVER_SOCKET")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["REPORTS_SERVER"] = "off"
    env.update(extra)
    return env


@contextlib.contextmanager
def build_server(folder: Path) -> Iterator[dict[str, str]]:
    """A `reports server run` for the server cases; yields the environment variables that reach it."""
    folder.mkdir(mode=0o700)
    reach = {"REPORTS_SERVER": "", "REPORTS_SERVER_SOCKET": str(folder / "server.sock")}
    process = subprocess.Popen([PY, "-m", "reports.cli", "server", "run", "--idle-minutes", "60"],
                               env=environment(**reach), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while subprocess.run([PY, "-m", "reports.cli", "server", "status"], env=environment(**reach),
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the build server did not start")
            time.sleep(0.2)
        yield reach
    finally:
        subprocess.run([PY, "-m", "reports.cli", "server", "stop"], env=environment(**reach), capture_output=True)
        process.wait(timeout=60)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- inputs ----------------------------------------------------------------------------------------


def pandoc_inputs(folder: Path) -> tuple[Path, Path]:
    """The briefing as Markdown with its charts as PNG files, from the same document tree; and pandoc."""
    sys.path.insert(0, str(HERE))
    from markdown import to_markdown

    from reports.charts.render import ChartRenderer
    from reports.content.validate import check_content
    from reports.document import nodes
    from reports.document.traversal import walk
    from reports.pipeline import build_tree

    built = build_tree(check_content(CONTENT))
    renderer = ChartRenderer(built.theme, built.template.path)
    charts = {}
    for node in walk(built.document):
        if isinstance(node, nodes.Figure) and node.chart is not None:
            path = folder / f"{node.chart.name}.png"
            path.write_bytes(renderer.png(node.chart, built.theme.text_width_mm * node.width))
            charts[node.chart.name] = path
    markdown = folder / "briefing.md"
    markdown.write_text(to_markdown(built.document, charts), encoding="utf-8")
    import pypandoc

    return markdown, Path(pypandoc.get_pandoc_path())


def typst_shim(folder: Path) -> Path:
    """A `typst compile IN OUT` executable for pandoc, calling the `typst` Python module."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "typst"
    shim.write_text(f"#!{PY}\nimport sys, typst\nfiles = [a for a in sys.argv[2:] if not a.startswith('-')]\n"
                    "typst.compile(files[0], output=files[1], root='.')\n", encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def variants(folder: Path, count: int, charts_change: bool) -> list[Path]:
    """`count` different content files from the seed: another title and unit each (text only), and with
    `charts_change` another source title too, which is in every chart's spec, so every chart is drawn."""
    text = CONTENT.read_text(encoding="utf-8")
    title = "  title: Kepentingan Rusia dalam Shanghai Cooperation Organization\n"
    unit = "  organisation: Unit Analisis Kebijakan\n"
    source = "    title: Shanghai Cooperation Organization (SCO) adalah sebuah organisasi internasional\n"
    assert text.count(title) == 1 and text.count(unit) == 1 and text.count(source) == 1
    folder.mkdir(parents=True)
    paths = []
    for number in range(1, count + 1):
        variant = text.replace(title, title.rstrip("\n") + f" — Sekolah {number:03d}\n")
        variant = variant.replace(unit, unit.rstrip("\n") + f" {number}\n")
        if charts_change:
            variant = variant.replace(source, source.replace("title: ", f"title: Edisi {number} "))
        path = folder / f"school-{number:03d}.yaml"
        path.write_text(variant, encoding="utf-8")
        paths.append(path)
    return paths


def roster(folder: Path, count: int) -> Path:
    first = ["Siti", "Budi", "Ayu", "Dewi", "Rizky", "Putri", "Agus", "Intan", "Fajar", "Nurul"]
    last = ["Nurhaliza", "Santoso", "Rahmawati"]
    path = folder / "class.csv"
    rows = [f"{first[number % 10]} {last[number % 3]} {number + 1},X-{1 + number % 3}" for number in range(count)]
    path.write_text("name,class\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- in-process measurements (run in a child process, print JSON) ---------------------------------

IN_PROCESS = textwrap.dedent("""
    import json, statistics, sys, time
    from pathlib import Path
    from reports.paths import template_search_path
    from reports.runtime.batch import plan_jobs
    from reports.runtime.jobs import Job, build_job, run_job
    from reports.runtime.process import process_cache
    content, out, cache, rounds = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    out.mkdir(parents=True, exist_ok=True)
    whole = Job(content, str(content), "briefing", ("pdf", "docx"), out, template_search_path(), cache_dir=cache)
    build_job(whole, process_cache(cache))
    forced = []
    for _ in range(rounds):
        started = time.perf_counter(); build_job(whole, process_cache(cache))
        forced.append(time.perf_counter() - started)
    # what `reports build --watch` does each round: ask the job again, the up-to-date check decides
    text = content.read_text(encoding="utf-8")
    edited_file = out / "edited.yaml"
    edited_file.write_text(text, encoding="utf-8")
    job, = plan_jobs([(edited_file, "edited.yaml")], "briefing", ["pdf", "docx"], out, template_search_path(),
                     cache_dir=cache, skip_unchanged=True)
    run_job(job)
    same, edited = [], []
    for number in range(rounds):
        started = time.perf_counter(); outcome = run_job(job)
        same.append(time.perf_counter() - started)
        assert outcome.skipped
        edited_file.write_text(text.replace("Organization", f"Organization {number}", 1), encoding="utf-8")
        started = time.perf_counter(); outcome = run_job(job)
        edited.append(time.perf_counter() - started)
        assert outcome.ok and not outcome.skipped
    print(json.dumps({"forced": statistics.median(forced), "same": statistics.median(same),
                      "edited": statistics.median(edited)}))
""")

GROWTH = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from reports.paths import template_search_path
    from reports.runtime.jobs import Job, build_job
    from reports.runtime.process import process_cache
    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    files, out, cache = [Path(p) for p in sys.argv[3:]], Path(sys.argv[1]), Path(sys.argv[2])
    series = []
    for path in files:
        build_job(Job(path, str(path), "briefing", ("pdf", "docx"), out, template_search_path(), cache_dir=cache),
                  process_cache(cache))
        series.append(rss())
    print(json.dumps(series))
""")

PROFILE = textwrap.dedent("""
    import cProfile, io, pstats, sys
    from pathlib import Path
    from reports.paths import template_search_path
    from reports.runtime.jobs import Job, build_job
    from reports.runtime.process import process_cache
    content, out, cache, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    job = Job(content, str(content), "briefing", ("pdf", "docx"), out, template_search_path(), cache_dir=cache)
    kept = process_cache(cache)
    build_job(job, kept)
    build_job(job, kept)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(3):
        if mode == "edited":
            kept.forget(["content"])
        build_job(job, kept)
    profile.disable()
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(r"reports/|reportlab|docx|svglib|difflib|jinja2", 45)
    stats.sort_stats("tottime").print_stats(25)
    print(text.getvalue())
""")


def python_json(script: str, *arguments: object) -> object:
    result = subprocess.run([PY, "-c", script, *map(str, arguments)], capture_output=True, text=True,
                            env=environment(), cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark helper failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def import_profile(command: list[str], env: dict[str, str], top: int = 18) -> str:
    """The slowest imports (cumulative µs) of a command, from `python -X importtime`."""
    result = subprocess.run([PY, "-X", "importtime", *command], capture_output=True, text=True, env=env, cwd=ROOT)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line[len("import time:"):].split("|")
            try:
                rows.append((int(parts[1]), parts[2].rstrip()))
            except ValueError:
                continue
    rows.sort(reverse=True)
    total = sum(cumulative for cumulative, name in rows if len(name) - len(name.lstrip()) == 1)
    lines = [f"top-level imports: {total / 1e6:.3f} s"] + [f"{cumulative / 1e6:8.3f} s {name}" for cumulative, name in rows[:top]]
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor()
    versions = {}
    for name in ("reportlab", "python-docx", "matplotlib", "Jinja2", "pydantic", "svglib", "lxml", "python-pptx",
                 "fonttools", "pypandoc-binary", "typst", "psutil", "dask", "distributed", "rich"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    except Exception:
        versions["pandoc"] = "not installed"
    return {"cpu": model, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "system": platform.platform(), "versions": versions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="Interleaved rounds of the single-document cases.")
    parser.add_argument("--batch-rounds", type=int, default=3, help="Rounds of each batch case.")
    parser.add_argument("--documents", type=int, default=100, help="Content files in the batch.")
    parser.add_argument("--students", type=int, default=30, help="Rows of the roster.")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="--jobs for the batches.")
    parser.add_argument("--quick", action="store_true", help="3 rounds, 1 batch round, 40 files: a rough look.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "benchmark", help="Folder for results.")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.batch_rounds, options.documents = 3, 1, 40
    options.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    try:
        results = run(options, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (options.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(report(results))
    print(f"\nresults and profiles: {options.out}")


def run(options: argparse.Namespace, work: Path) -> dict[str, object]:
    with build_server(work / "server") as reach:
        return run_cases(options, work, reach)


def run_cases(options: argparse.Namespace, work: Path, reach: dict[str, str]) -> dict[str, object]:
    reports = [PY, "-m", "reports.cli"]
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "reports")], check=True)  # as pip leaves it
    load = {"start": os.getloadavg()}
    markdown, pandoc = pandoc_inputs(work)
    bin_dir = typst_shim(work)
    pandoc_env = environment(PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    warm_cache = work / "warm-cache"
    timed([*reports, "build", CONTENT, "--out", work / "warm-out"], cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache)))
    timed([*reports, "build", CONTENT, "--out", work / "uptodate-out"], cwd=ROOT,
          env=environment(REPORTS_CACHE_DIR=str(warm_cache)))

    cases = {
        "reports build, cold": lambda n: timed([*reports, "build", str(CONTENT), "--out", str(work / f"cold-out-{n}")],
                                                cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"cold-cache-{n}"))),
        "reports build, warm (--force)": lambda n: timed(
            [*reports, "build", str(CONTENT), "--out", str(work / "warm-out"), "--force"],
            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache))),
        "reports build, up to date (nothing changed)": lambda n: timed(
            [*reports, "build", str(CONTENT), "--out", str(work / "uptodate-out")],
            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache))),
        "server running: reports build, cold": lambda n: timed(
            [*reports, "build", str(CONTENT), "--out", str(work / f"server-cold-out-{n}")],
            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"server-cold-cache-{n}"), **reach)),
        "server running: reports build, warm (--force)": lambda n: timed(
            [*reports, "build", str(CONTENT), "--out", str(work / "server-warm-out"), "--force"],
            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache), **reach)),
        "pandoc → DOCX": lambda n: timed([str(pandoc), markdown.name, "-o", "pandoc.docx"], cwd=work, env=pandoc_env),
        "pandoc → PDF (Typst)": lambda n: timed([str(pandoc), markdown.name, "--pdf-engine=typst", "-o", "pandoc.pdf"],
                                                 cwd=work, env=pandoc_env),
        "typst shim start-up": lambda n: timed([PY, "-c", "import typst"], env=pandoc_env),
        "naive script": lambda n: timed([PY, str(HERE / "naive.py"), str(CONTENT), str(work / "naive")], env=environment()),
        "reports check": lambda n: timed([*reports, "check", str(CONTENT)], cwd=ROOT, env=environment()),
    }
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    order = list(cases)
    for number in range(options.rounds):
        random.Random(number).shuffle(order)
        for name in order:
            samples[name].append(cases[name](number))
        print(f"round {number + 1}/{options.rounds} done", file=sys.stderr)
    single = {name: {"median_s": median([s for s, _, _ in values]), "min_s": min(s for s, _, _ in values),
                     "cpu_s": median([c for _, _, c in values]), "peak_mib": max(m for _, m, _ in values),
                     "runs": len(values)} for name, values in samples.items()}
    pair = [d[0] + p[0] for d, p in zip(samples["pandoc → DOCX"], samples["pandoc → PDF (Typst)"])]
    pair_cpu = [d[2] + p[2] for d, p in zip(samples["pandoc → DOCX"], samples["pandoc → PDF (Typst)"])]
    single["pandoc DOCX + PDF, one after the other"] = {"median_s": median(pair), "min_s": min(pair),
                                                       "cpu_s": median(pair_cpu), "peak_mib": float("nan"),
                                                       "runs": len(pair)}

    in_process = python_json(IN_PROCESS, CONTENT, work / "inproc-out", warm_cache, max(5, options.rounds))

    # batches
    text_files = variants(work / "text-variants", options.documents, charts_change=False)
    data_files = variants(work / "data-variants", options.documents, charts_change=True)
    class_list = roster(work, options.students)
    batch_cases = {
        f"{options.documents} files, text differs (charts shared), cold cache":
            lambda n: timed([*reports, "build", *map(str, text_files), "--out", str(work / f"bt-{n}"), "-j", str(options.jobs)],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"bt-cache-{n}"))),
        f"{options.documents} files, data differs (every chart drawn)":
            lambda n: timed([*reports, "build", *map(str, data_files), "--out", str(work / f"bd-{n}"), "-j", str(options.jobs)],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"bd-cache-{n}"))),
        f"roster of {options.students} handouts, cold cache":
            lambda n: timed([*reports, "build", str(CONTENT), "-t", "handout", "--roster", str(class_list),
                             "--out", str(work / f"rc-{n}"), "-j", str(options.jobs)],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"rc-cache-{n}"))),
        f"roster of {options.students} handouts, warm cache":
            lambda n: timed([*reports, "build", str(CONTENT), "-t", "handout", "--roster", str(class_list),
                             "--out", str(work / "rw"), "-j", str(options.jobs), "--force"],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache))),
        f"server running: {options.documents} files, text differs, cold cache":
            lambda n: timed([*reports, "build", *map(str, text_files), "--out", str(work / f"sbt-{n}"), "-j",
                             str(options.jobs)],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(work / f"sbt-cache-{n}"), **reach)),
        f"server running: roster of {options.students} handouts, warm cache":
            lambda n: timed([*reports, "build", str(CONTENT), "-t", "handout", "--roster", str(class_list),
                             "--out", str(work / "srw"), "-j", str(options.jobs), "--force"],
                            cwd=ROOT, env=environment(REPORTS_CACHE_DIR=str(warm_cache), **reach)),
    }
    timed([*reports, "build", str(CONTENT), "-t", "handout", "--out", str(work / "rw-fill")], cwd=ROOT,
          env=environment(REPORTS_CACHE_DIR=str(warm_cache)))
    counts = {name: (options.students if "roster" in name else options.documents) for name in batch_cases}
    batch_samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in batch_cases}
    for number in range(options.batch_rounds):
        for name, case in batch_cases.items():
            batch_samples[name].append(case(number))
        print(f"batch round {number + 1}/{options.batch_rounds} done", file=sys.stderr)
    batches = {}
    for name, values in batch_samples.items():
        seconds, cpu = median([s for s, _, _ in values]), median([c for _, _, c in values])
        batches[name] = {"documents": counts[name], "median_s": seconds, "per_second": counts[name] / seconds,
                         "cpu_s": cpu, "cpu_s_per_document": cpu / counts[name],
                         "per_second_cpu_bound": options.jobs * counts[name] / cpu,
                         "peak_mib": max(m for _, m, _ in values), "runs": len(values)}

    # a worker's memory from the 10th to the 100th document
    growth = {}
    for label, files in (("text differs", text_files), ("data differs", data_files)):
        series = python_json(GROWTH, work / f"growth-{label[0]}", work / f"growth-cache-{label[0]}", *files)
        tenth, last = series[min(9, len(series) - 1)], series[-1]
        growth[label] = {"rss_10th_mib": tenth, "rss_last_mib": last, "documents": len(series),
                         "growth_percent": (last - tenth) / tenth * 100}

    # profiles
    profiles = {
        "warm in-process rebuild (cProfile, 3 builds)": subprocess.run(
            [PY, "-c", PROFILE, str(CONTENT), str(work / "prof-out"), str(warm_cache), "same"],
            capture_output=True, text=True, cwd=ROOT, env=environment()).stdout,
        "edited in-process rebuild (cProfile, 3 builds)": subprocess.run(
            [PY, "-c", PROFILE, str(CONTENT), str(work / "prof-out"), str(warm_cache), "edited"],
            capture_output=True, text=True, cwd=ROOT, env=environment()).stdout,
        "imports of a warm `reports build`": import_profile(
            ["-m", "reports.cli", "build", str(CONTENT), "--out", str(work / "imp-out"), "--force"],
            environment(REPORTS_CACHE_DIR=str(warm_cache))),
        "imports of `reports check`": import_profile(["-m", "reports.cli", "check", str(CONTENT)], environment()),
    }
    for name, text in profiles.items():
        slug = "".join(char if char.isalnum() else "-" for char in name.lower()).strip("-")
        (options.out / f"profile-{slug}.txt").write_text(text)

    load["end"] = os.getloadavg()
    cold, warm = single["reports build, cold"]["median_s"], single["reports build, warm (--force)"]["median_s"]
    up_to_date = single["reports build, up to date (nothing changed)"]["median_s"]
    pandoc_pair = single["pandoc DOCX + PDF, one after the other"]["median_s"]
    naive = single["naive script"]["median_s"]
    local_batches = {name: value for name, value in batches.items() if not name.startswith("server")}
    text_batch = next(value for name, value in local_batches.items() if "text differs" in name)
    roster_cold = next(value for name, value in local_batches.items() if "roster" in name and "cold" in name)
    roster_warm = next(value for name, value in local_batches.items() if "roster" in name and "warm" in name)
    server_batch = next(value for name, value in batches.items() if name.startswith("server") and "files" in name)
    server_roster = next(value for name, value in batches.items() if name.startswith("server") and "roster" in name)
    server_cold = single["server running: reports build, cold"]["median_s"]
    server_warm = single["server running: reports build, warm (--force)"]["median_s"]
    ratios = {
        "up_to_date_vs_pandoc": up_to_date / pandoc_pair,
        "warm_vs_pandoc": warm / pandoc_pair,
        "in_process_vs_pandoc": in_process["forced"] / pandoc_pair,
        "watch_edit_vs_pandoc": in_process["edited"] / pandoc_pair,
        "cold_vs_naive": cold / naive,
        "server_cold_vs_naive": server_cold / naive,
        "server_warm_vs_pandoc": server_warm / pandoc_pair,
        "server_batch_docs_per_second": server_batch["per_second"],
        "server_roster_pairs_per_second": server_roster["per_second"],
        "check_seconds": single["reports check"]["median_s"],
        "batch_docs_per_second": text_batch["per_second"],
        "batch_docs_per_second_cpu_bound": text_batch["per_second_cpu_bound"],
        "roster_pairs_per_second_cold": roster_cold["per_second"],
        "roster_pairs_per_second_warm": roster_warm["per_second"],
        "roster_pairs_per_second_cpu_bound": roster_warm["per_second_cpu_bound"],
        "peak_mib_cold": single["reports build, cold"]["peak_mib"],
        "peak_mib_warm": single["reports build, warm (--force)"]["peak_mib"],
        "worker_growth_percent": max(value["growth_percent"] for value in growth.values()),
    }
    return {"machine": machine(), "load_average": load, "single": single, "in_process": in_process, "batches": batches,
            "growth": growth, "ratios": ratios, "targets": TARGETS, "jobs": options.jobs,
            "rounds": options.rounds, "batch_rounds": options.batch_rounds}


def report(results: dict) -> str:
    m = results["machine"]
    load = results["load_average"]
    lines = [f"Machine: {m['cpu']}, {m['usable_cores']} cores usable, Python {m['python']}; load average "
             f"{load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at the end",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), "",
             f"| case ({results['rounds']} interleaved rounds) | median s | min s | CPU s | peak MiB |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, value in results["single"].items():
        lines.append(f"| {name} | {value['median_s']:.3f} | {value['min_s']:.3f} | {value['cpu_s']:.3f} | "
                     f"{value['peak_mib']:.0f} |")
    ip = results["in_process"]
    lines += [f"| in-process build, forced (`reports.runtime.jobs.build_job` again) | {ip['forced']:.3f} | | | |",
              f"| watch round, nothing changed (up-to-date check) | {ip['same']:.3f} | | | |",
              f"| watch round, text edited (checked, laid out, written) | {ip['edited']:.3f} | | | |", "",
              f"| batch (--jobs {results['jobs']}, {results['batch_rounds']} rounds) | documents | median s | "
              "documents/s | CPU s per document | documents/s if CPU-bound | peak MiB |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, value in results["batches"].items():
        lines.append(f"| {name} | {value['documents']} | {value['median_s']:.2f} | {value['per_second']:.1f} | "
                     f"{value['cpu_s_per_document']:.3f} | {value['per_second_cpu_bound']:.1f} | "
                     f"{value['peak_mib']:.0f} |")
    lines += ["", "| one worker, sequential documents | RSS after 10th MiB | RSS after last MiB | growth |",
              "| --- | ---: | ---: | ---: |"]
    for name, value in results["growth"].items():
        lines.append(f"| {name} ({value['documents']} documents) | {value['rss_10th_mib']:.0f} | "
                     f"{value['rss_last_mib']:.0f} | {value['growth_percent']:+.1f} % |")
    r, t = results["ratios"], results["targets"]
    lines += ["", "| target | reached | goal |", "| --- | ---: | ---: |",
              f"| rebuild, nothing changed (new process, up to date) ÷ pandoc DOCX+PDF | "
              f"{r['up_to_date_vs_pandoc']:.2f} | ≤ {t['warm_vs_pandoc']} |",
              f"| warm rebuild, --force (new process) ÷ pandoc DOCX+PDF | {r['warm_vs_pandoc']:.2f} | "
              f"≤ {t['warm_vs_pandoc']} |",
              f"| warm rebuild, forced in-process ÷ pandoc DOCX+PDF | {r['in_process_vs_pandoc']:.2f} | "
              f"≤ {t['warm_vs_pandoc']} |",
              f"| rebuild after an edit in `--watch` ÷ pandoc DOCX+PDF | {r['watch_edit_vs_pandoc']:.2f} | "
              f"≤ {t['warm_vs_pandoc']} |",
              f"| warm rebuild, --force, server running ÷ pandoc DOCX+PDF | {r['server_warm_vs_pandoc']:.2f} | "
              f"≤ {t['warm_vs_pandoc']} |",
              f"| cold build ÷ naive script | {r['cold_vs_naive']:.2f} | ≤ {t['cold_vs_naive']} |",
              f"| cold build, server running ÷ naive script | {r['server_cold_vs_naive']:.2f} | "
              f"≤ {t['cold_vs_naive']} |",
              f"| reports check, s | {r['check_seconds']:.3f} | ≤ {t['check_seconds']} |",
              f"| batch of different files, documents/s (measured / CPU-bound) | {r['batch_docs_per_second']:.1f} / "
              f"{r['batch_docs_per_second_cpu_bound']:.1f} | ≥ {t['batch_docs_per_second']} |",
              f"| batch of different files, server running, documents/s | {r['server_batch_docs_per_second']:.1f} | "
              f"≥ {t['batch_docs_per_second']} |",
              f"| roster, server running, pairs/s | {r['server_roster_pairs_per_second']:.1f} | "
              f"≥ {t['roster_pairs_per_second']} |",
              f"| roster, pairs/s (cold / warm cache / CPU-bound) | {r['roster_pairs_per_second_cold']:.1f} / "
              f"{r['roster_pairs_per_second_warm']:.1f} / {r['roster_pairs_per_second_cpu_bound']:.1f} | "
              f"≥ {t['roster_pairs_per_second']} |",
              f"| peak memory of one build, MiB (cold / warm) | {r['peak_mib_cold']:.0f} / {r['peak_mib_warm']:.0f} | "
              f"≤ {t['peak_mib']} |",
              f"| worker memory growth 10th → last document | {r['worker_growth_percent']:+.1f} % | "
              f"≤ {t['worker_growth_percent']} % |"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
