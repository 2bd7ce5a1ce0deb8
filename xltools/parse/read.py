"""Reading a notice file into text: .txt (encoding detected), .docx, and .doc/.wps via LibreOffice.

The only module of the parser that touches files. Tables are flattened one cell per
block (blank line between cells) in document order, which is the form the reference
notices were pasted in, so the text rules treat .txt and .docx alike.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..model.findings import Finding, finding

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
CONVERT_SUFFIXES = {".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot"}
SOFFICE_TIMEOUT = 180  # seconds; a first start of LibreOffice can be slow


def decode_text(data: bytes, source: str = "") -> tuple[str, list[Finding]]:
    """Bytes to text: BOMs first, then UTF-8, UTF-16 without BOM, GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    utf16 = _guess_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), []
    try:
        return data.decode("gb18030"), []
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
        return text, [finding("notice-encoding-damaged", file=source, value=text.count("\ufffd"))]


def _guess_utf16(data: bytes) -> str:
    """UTF-16 without BOM: ASCII newlines and digits leave many zero bytes on one side."""
    if len(data) < 4 or len(data) % 2:
        return ""
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > len(odd) * 0.2 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.2 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return ""


def docx_text(path: Path | str) -> str:
    """The text of a .docx in document order; each table cell its own block."""
    import docx  # python-docx; imported here so text parsing never needs it

    doc = docx.Document(str(path))
    blocks: list[str] = []
    _container_blocks(doc, blocks)
    return "\n\n".join(blocks) + "\n"


def _container_blocks(container, blocks: list[str]) -> None:
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            _table_blocks(item, blocks)
        else:
            blocks.append(item.text)


def _table_blocks(table, blocks: list[str]) -> None:
    # A merged cell is the same <w:tc> at every grid position it covers: emit it once,
    # at its first (top-left) position, as Word's own "save as text" does.
    seen: set = set()  # the <w:tc> elements themselves: id() of lxml proxies is reused
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            inner: list[str] = []
            _container_blocks(cell, inner)
            blocks.append("\n".join(b for b in inner if b.strip()))


def convert_with_soffice(path: Path, workdir: Path) -> Path | None:
    """Convert .doc/.wps to .docx with LibreOffice in a private profile; None if it fails."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    profile = (workdir / "profile").as_uri()
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
           "--outdir", str(workdir), str(path)]
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=SOFFICE_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    out = workdir / (path.stem + ".docx")
    return out if out.exists() else None


def read_notice(path: Path | str) -> tuple[str | None, list[Finding]]:
    """The notice's text, or None with a finding saying why it could not be read."""
    p = Path(path)
    source = p.name
    if not p.is_file():
        return None, [finding("notice-unreadable", file=source, value=str(p), reason="文件不存在")]
    suffix = p.suffix.lower()
    try:
        if suffix == ".docx":
            return docx_text(p), []
        if suffix in CONVERT_SUFFIXES:
            if not (shutil.which("soffice") or shutil.which("libreoffice")):
                return None, [finding("notice-needs-libreoffice", file=source, value=suffix)]
            with tempfile.TemporaryDirectory(prefix="xltools-parse-") as tmp:
                out = convert_with_soffice(p, Path(tmp))
                if out is None:
                    return None, [finding("notice-unreadable", file=source, value=source,
                                          reason="LibreOffice 未能转换该文件,可能未安装 LibreOffice Writer 组件")]
                return docx_text(out), []
        data = p.read_bytes()
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a finding
        return None, [finding("notice-unreadable", file=source, value=source,
                              reason=f"{type(exc).__name__}: {exc}")]
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        return None, [finding("notice-unreadable", file=source, value=source,
                              reason="这是 Office 文件,请使用 .docx/.doc/.wps 扩展名")]
    return decode_text(data, source)


def read_register(path: Path | str):
    """The clerk's unit list from .yaml/.yml/.json; (None, [finding]) when it cannot be read."""
    import json

    import yaml

    from ..model.serialize import plan_from_dict

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ValueError("内容不是单位名单(应含 units、groups)")
        return plan_from_dict(data), []
    except Exception as exc:  # noqa: BLE001 - a bad register is reported, the notice still parsed
        return None, [finding("register-unreadable", file=p.name, value=p.name,
                              reason=f"{type(exc).__name__}: {exc}")]
