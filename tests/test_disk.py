"""Trust nothing on disk: a damaged cache entry is executed again, a published report whose files
differ from its manifest is made again (never called "up to date"), and a full disk gives a clear
message with the previous report kept and nothing left behind."""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

from planeval.pipeline.manifest import current, outputs_intact
from planeval.pipeline.runner import Options, run

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "params" / "shanghai_14th_employment.yaml"


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def quiet(_: str) -> None:
    pass


def test_a_report_is_current_only_while_its_files_match_the_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "2023"
    (folder / "results").mkdir(parents=True)
    (folder / "report.html").write_text("<p>a</p>\n", encoding="utf-8")
    (folder / "results" / "x.json").write_text("{}\n", encoding="utf-8")
    manifest = {"quick_key": "k", "outputs": {
        "report.html": hashlib.sha256(b"<p>a</p>\n").hexdigest(),
        "results/x.json": hashlib.sha256(b"{}\n").hexdigest()}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert current(folder, "quick_key", "k") is True and current(folder, "quick_key", "other") is False
    (folder / "report.html").write_text("<p>b</p>\n", encoding="utf-8")  # edited: made again
    assert current(folder, "quick_key", "k") is None
    (folder / "report.html").write_text("<p>a</p>\n", encoding="utf-8")
    (folder / "extra.txt").write_text("", encoding="utf-8")  # added
    assert not outputs_intact(folder, manifest)
    (folder / "extra.txt").unlink()
    (folder / "results" / "x.json").unlink()  # removed
    assert not outputs_intact(folder, manifest)
    assert not outputs_intact(folder, {"outputs": None})


def test_damaged_cache_entries_and_published_files_are_made_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = Options(year=2023, plan=PLAN, out=out, only=("new_jobs",))
    first = run(options, log=quiet)
    assert sorted(first.executed) == ["new_jobs", "summary"]
    published = tree(out / "2023")

    # A published file edited: not "up to date"; made again from the cache, byte for byte as before.
    (out / "2023" / "report.en.html").write_text("edited", encoding="utf-8")
    lines: list[str] = []
    second = run(options, log=lines.append)
    assert not second.up_to_date and second.published and second.executed == []
    assert any("is not what its manifest.json lists" in line for line in lines)
    assert tree(out / "2023") == published

    # A truncated record in the cache and a deleted published chart: that notebook runs again.
    [record] = (out / ".cache" / "indicators").glob("*/results/new_jobs.json")
    record.write_bytes(record.read_bytes()[:40])
    (out / "2023" / "results" / "new_jobs.zh.png").unlink()
    lines.clear()
    third = run(options, log=lines.append)
    assert third.executed == ["new_jobs"] and third.cached == ["summary"]
    assert any("the cache entry of new_jobs is incomplete or damaged" in line for line in lines)
    assert tree(out / "2023") == published
    assert run(options, log=quiet).up_to_date


def test_a_full_disk_gives_a_clear_message_and_keeps_the_previous_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    previous = out / "2023"
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text('{"report_key": "earlier"}\n', encoding="utf-8")  # synthetic
    before = tree(previous)
    write_text = Path.write_text

    def full(self: Path, *args: object, **kwargs: object) -> int:
        if self.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full)
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    status = run_all.main(["--year", "2023", "--only", "new_jobs", "--out", str(out)])
    err = capsys.readouterr().err
    staging = out / ".staging-2023-"
    assert status == 1
    assert err.startswith(f"run_all.py: no space left on the disk writing {staging}")
    assert err.endswith("manifest.json (No space left on device): free some space and run again. "
                        "The previous report (if any) is unchanged.\n")
    assert "Traceback" not in err
    assert tree(previous) == before
    assert not list(out.glob(".staging-*")) and not list((out / ".cache" / "tmp").glob("*/*"))
