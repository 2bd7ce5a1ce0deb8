"""Workbooks to PDF through LibreOffice: the office boundary for paper.

`soffice --headless --convert-to pdf` prints a workbook the way Calc would: the page
set-up the writer put in (A4, titles, repeated header rows, 第 N 页 共 M 页 footers,
print areas) is honoured and hidden sheets (the identity sheet) are left out.

- Many files go through one soffice start (a batch), which costs ~2 s instead of ~2 s
  per file; a batch that fails or times out is retried one file at a time, so one bad
  workbook cannot cost the others their PDF.
- Each run uses a private, throw-away profile (-env:UserInstallation), so a LibreOffice
  the clerk has open is neither disturbed nor waited for.
- Each PDF is written beside its workbook (same name, .pdf), or into `out_dir`.
- The fonts are the machine's: nothing here sets FONTCONFIG_FILE or other font paths.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..office import find_soffice, run_soffice

NOT_INSTALLED = ("未找到 LibreOffice(soffice 命令),无法生成 PDF;Excel 文件已照常写好。"
                 "请安装 LibreOffice 后重试(Debian/Ubuntu:sudo apt-get install libreoffice-calc;"
                 "Windows/macOS:从 LibreOffice 官网安装),或用 Excel/WPS 打开文件后另存为 PDF。")
BATCH = 40  # files per soffice start
START_SECONDS = 90.0  # a cold start with a new profile, fonts scanned
PER_FILE_SECONDS = 15.0


@dataclass
class PdfResult:
    """What a conversion made: PDFs written, files that failed and why, or why none could."""

    pdfs: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    message: str = ""  # set when nothing could be tried (LibreOffice not installed)
    notes: list[str] = field(default_factory=list)  # what was left out and why (no Chromium)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"pdfs": [str(p) for p in self.pdfs],
                "failed": [{"path": str(p), "reason": r} for p, r in self.failed],
                "message": self.message, "notes": self.notes}


def available() -> bool:
    """Whether LibreOffice is there to print PDFs (the desk offers them only then)."""
    return find_soffice() is not None


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
NO_CHROMIUM = ("未找到 Chromium(chromium 命令),“{name}”未转为 PDF;可用浏览器打开后打印"
               "(Debian/Ubuntu:sudo apt-get install chromium)。")


def find_chromium() -> str | None:
    """Chromium (or Chrome) on PATH; None if there is none."""
    names = ("chromium", "chromium-browser", "google-chrome", "chrome")
    return next(filter(None, map(shutil.which, names)), None)


def html_to_pdf(html: Path, result: PdfResult, chromium: str | None = None) -> None:
    """A PDF of the HTML report beside it through Chromium's own print-to-PDF, without the
    browser's date/URL header and footer (the page numbers come from the report's @page CSS);
    added to `result`. Without Chromium, result.notes says so: the HTML prints from a browser."""
    exe = chromium or find_chromium()
    if exe is None:
        result.notes.append(NO_CHROMIUM.format(name=html.name))
        return
    target = pdf_path(html)
    # a throw-away profile, as for soffice; the closed network is never asked
    with tempfile.TemporaryDirectory(prefix="xltools-chromium-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={work}", "--no-pdf-header-footer",
               f"--print-to-pdf={work / 'out.pdf'}", html.absolute().as_uri()]
        code, why = run_soffice(cmd, START_SECONDS)
        made = work / "out.pdf"
        if _written(made):
            shutil.move(str(made), str(target))
            result.pdfs.append(target)
        else:
            result.failed.append((html, f"Chromium 未生成 PDF(退出码 {code}):{why or '超时'}"))


def _written(pdf: Path) -> bool:
    return pdf.is_file() and pdf.stat().st_size > 0


def pdf_path(source: Path, out_dir: Path | None = None) -> Path:
    """Where the PDF of `source` goes: beside it, or in out_dir, with the same stem."""
    return (out_dir or source.parent) / (source.stem + ".pdf")


def to_pdf(files: Iterable[str | os.PathLike], out_dir: str | os.PathLike | None = None, *,
           progress: Callable[[int, int], None] | None = None, soffice: str | None = None
           ) -> PdfResult:
    """A PDF of each workbook in `files`; see the module text. Never raises for a bad file."""
    t0 = time.perf_counter()
    sources = [Path(f) for f in files]
    result = PdfResult()
    exe = soffice or find_soffice()
    if exe is None:
        result.message = NOT_INSTALLED
        return result
    dest = Path(out_dir) if out_dir is not None else None
    if dest is not None:
        dest.mkdir(parents=True, exist_ok=True)
    total, done = len(sources), 0
    progress = progress or (lambda done, total: None)
    progress(0, total)
    with tempfile.TemporaryDirectory(prefix="xltools-pdf-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        profile = (work / "profile").absolute().as_uri()
        for k, group in enumerate(_batches(sources, BATCH)):
            made, log = _convert(exe, profile, group, work / f"b{k}")
            retry = [src for src in group if src not in made]
            if len(group) > 1 and retry:  # one file at a time, so one cannot sink the others
                for j, src in enumerate(retry):
                    one, one_log = _convert(exe, profile, [src], work / f"b{k}_{j}")
                    made.update(one)
                    if src not in one:
                        result.failed.append((src, one_log))
            else:
                result.failed.extend((src, log) for src in retry)
            for src in group:
                if src in made:
                    target = pdf_path(src, dest)  # (beside its source, or in dest: made above)
                    shutil.move(str(made[src]), str(target))
                    result.pdfs.append(target)
            done += len(group)
            progress(done, total)
    result.seconds = time.perf_counter() - t0
    return result


def _batches(sources: list[Path], size: int) -> list[list[Path]]:
    """Groups of at most `size` files whose stems differ (soffice names output by stem)."""
    groups: list[list[Path]] = []
    for src in sources:
        for g in groups:  # (a full group is passed over at once)
            if len(g) < size and all(p.stem != src.stem for p in g):
                g.append(src)
                break
        else:
            groups.append([src])
    return groups


def _filter(group: list[Path]) -> str:
    """LibreOffice's PDF export for the group: Writer's for .docx (the notice, the 通报),
    Calc's for workbooks (a batch holds one kind: callers convert each kind apart)."""
    return "writer_pdf_Export" if group[0].suffix.lower() == ".docx" else "calc_pdf_Export"


def _convert(exe: str, profile: str, group: list[Path], outdir: Path) -> tuple[dict[Path, Path], str]:
    """One soffice start for `group`: {source: made pdf}, and the log tail (why, if not)."""
    outdir.mkdir(parents=True, exist_ok=True)
    sources = [str(p.absolute()) for p in group]
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
           "--nolockcheck", "--nodefault", "--convert-to", f"pdf:{_filter(group)}",
           "--outdir", str(outdir), *sources]
    timeout = START_SECONDS + PER_FILE_SECONDS * len(group)
    code, why = run_soffice(cmd, timeout)
    if code is None:
        why = f"LibreOffice 转换超时({int(timeout)} 秒)" if why is None else why
    elif code:
        why = f"LibreOffice 退出码 {code}:{why}"
    made = {src: pdf for src in group if _written(pdf := pdf_path(src, outdir))}
    return made, why or "LibreOffice 未生成 PDF(文件可能已损坏或不是表格)"
