"""Intake: turn inbox files and folder trees into Received files, typed by their content.

Never raises for bad input: every problem becomes a finding that names the file and says
what to do, and the run goes on. Folders are walked through directory descriptors where
the OS has them, else by checked path (collect.fsopen): no symlink or reparse point is
followed, names of any length and depth can be read; .zip attachments are
expanded into a private folder under `workdir` under names xltools chooses, so nothing a
member is called can ever write outside it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import struct
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Mapping

import olefile

from ..model.errors import settings
from ..model.findings import ERROR, Finding, finding
from ..model.returns import IGNORED, REJECTED, FormReturn, Received
from . import fsopen
from .limits import MB, Limits
from .mail import OLE_MAGIC, mail_kind, read_mail
from .own import OUTPUTS_STAMP, OWNER
from .records import KnownFile
from .stamps import STAMP, is_stamp

CHUNK = MB
HEAD = 8192
WORKBOOK_KINDS = ("xlsx", "xlsm", "xls", "ods")
SEP = " › "  # display separator between an attachment and its member

SPREADSHEET_EXTS = {".xls", ".xlsx", ".xlsm", ".xlsb", ".xlt", ".xltx", ".xltm", ".ods",
                    ".ots", ".et", ".ett", ".csv", ".fods"}
WPS_EXTS = {".et", ".ett"}
# extensions a workbook may have besides its kind's own, without an extension-mismatch
_ALSO_EXTS = {"xlsx": (".xlsm", ".xltx"), "xls": (".xlt",)}
_PATH_SAFE = 3800  # bytes: longer paths are snapshotted into workdir so readers can open them
# a file is remembered by its stat only when it was last written this long before it was
# read: a write within the same timestamp tick as the read would leave the stat unchanged
# (git's "racily clean" entries); a file saved moments ago is simply read again next run
_SETTLED_NS = 2_000_000_000
# what a damaged zip raises, from its directory or its compressed data
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, struct.error)


@dataclass
class IntakeResult:
    """What intake found: the files received, the findings, and for each received file whose
    bytes cannot be read as they are (an encrypted workbook opened with --password) the
    private decrypted copy to read instead (display name -> path, kind)."""

    received: list[Received]
    findings: list[Finding]
    readable: dict[str, tuple[str, str]] = field(default_factory=dict)
    # the stat cache (`known`): display names taken from it unread, and what this run read
    # that a later run may take so (plain workbooks found in folders, without findings)
    cached: set[str] = field(default_factory=set)
    seen: list[KnownFile] = field(default_factory=list)


def intake_run(inputs: list[Path], workdir: Path, limits: Limits = Limits(),
               password: str | None = None, known: Mapping[bytes, KnownFile] | None = None,
               own: Iterable[Path] = ()) -> IntakeResult:
    """Every file under `inputs`, hashed and typed; findings for everything odd.

    Each finding's `file` is the display name of the Received it concerns (a refused zip
    member is reported on its attachment), or of a path that could not be read at all.
    Every file xltools reads is first copied (while hashed) into `workdir`: what is hashed
    is what is read and what is archived, even when the original changes afterwards.
    Password-protected workbooks are decrypted with `password`. A file in
    a folder whose stat is as `known` (by path) records is taken as known says, unread: its
    Received keeps its original path, so it must already be settled in the ledger (a caller
    that finds it is not intakes again without `known`). `own`: xltools' own files and
    folders (the run's output folder, ledger, archive, plan), never read as returns when the
    inbox holds them: each is noted once (own-file-skipped)."""
    run = _Intake(Path(workdir), limits, password, known, own)
    for inp in inputs:
        try:
            run.take_input(Path(inp))
        except Exception as exc:  # noqa: BLE001 - intake never raises for bad input
            run.note("file-unreadable", display_name(str(inp)), **_why(exc))
    return IntakeResult(run.received, run.findings, run.readable, run.cached, run.seen)


def limits_key(limits: Limits) -> str:
    """What a stat-cached file's type was decided under (Limits change what sniff says)."""
    return hashlib.sha256(repr(limits).encode()).hexdigest()[:16]


def copy_hashed(src: BinaryIO, out: BinaryIO | None = None,
                limit: float = float("inf")) -> tuple[str, int]:
    """(sha256, size) of the rest of src, copied into out when given; _OverBudget as soon as
    more than `limit` bytes were read (before they are written)."""
    h, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _OverBudget
        h.update(chunk)
        if out:
            out.write(chunk)
    return h.hexdigest(), size


def _stat_of(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def intake_return(received: Received, findings: list[Finding]) -> FormReturn | None:
    """The ledger verdict on a file intake already settled, or None for a workbook to examine.

    junk → IGNORED; a .zip attachment → IGNORED (its members are received one by one), or
    REJECTED when something in it was refused; anything else (other, encrypted) → REJECTED.
    """
    if received.file_type in WORKBOOK_KINDS:
        return None
    mine = [f for f in findings if f.file == received.display]
    # a zip's or a mail's attachments are received one by one
    ignored = received.file_type == "junk" or (received.file_type in ("zip", "mail")
                                               and not any(f.severity == ERROR for f in mine))
    return FormReturn(received=received, status=IGNORED if ignored else REJECTED, findings=mine)


# ---------------------------------------------------------------- names and times

def _canonical(path: str | os.PathLike) -> str:
    """A path as the file system names it (links resolved, case folded where the system
    ignores case), "" when it cannot be told."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return ""


def _outputs_folder(path: str) -> bool:
    """Whether a folder is one collect wrote its outputs into (its marker files)."""
    return any(os.path.isfile(os.path.join(path, m)) for m in (OWNER, OUTPUTS_STAMP))


def is_utf8(text: str) -> bool:
    """Whether text encodes as UTF-8 (odd file names carry lone surrogates)."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def display_name(name: str) -> str:
    """A file name fit for people, SQLite and JSON: raw GBK bytes decoded, nothing unpaired."""
    if is_utf8(name):
        return name
    raw = os.fsencode(name)
    return _decoded(raw, raw.decode("utf-8", "replace"))


def _decoded(raw: bytes, fallback: str) -> str:
    """raw as UTF-8, else as GBK (gb18030), else fallback."""
    for enc in ("utf-8", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(enc)
    return fallback


# (pattern, whether case is ignored, why): the first that matches the name says why
_JUNK = (("~$*", False, "Excel/WPS 打开文件时生成的临时锁定文件(~$)"),
         (".~lock.*#", False, "LibreOffice 打开文件时生成的锁定文件"),
         ("thumbs.db", True, "Windows 缩略图缓存(Thumbs.db)"),
         ("ehthumbs.db", True, "Windows 缩略图缓存(Thumbs.db)"),
         ("desktop.ini", True, "Windows 文件夹设置文件(desktop.ini)"),
         (".DS_Store", False, "macOS 文件夹设置文件(.DS_Store)"),
         ("._*", False, "macOS 资源文件(._)"))


def junk_reason(name: str, parts: tuple[str, ...] = ()) -> str | None:
    """Why a file is system junk (lock file, thumbnail cache...), or None."""
    if "__MACOSX" in parts:
        return "macOS 压缩残留文件(__MACOSX)"
    return next((why for pattern, fold, why in _JUNK
                 if fnmatchcase(name.lower() if fold else name, pattern)), None)


def _iso(when: float | tuple, fallback: str = "") -> str:
    """A file's mtime or a zip member's date_time, to the second; fallback when it is no time."""
    try:
        stamp = datetime(*when) if isinstance(when, tuple) else datetime.fromtimestamp(when)
        return stamp.isoformat(timespec="seconds")
    except (OverflowError, OSError, TypeError, ValueError):
        return fallback


def _size(n: float) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{int(n)} 字节"


_ADVICE_ACCESS = "请检查文件权限、是否被其他程序(如 Excel、WPS)占用,然后重新运行。"
_ADVICE_OS = "请确认它仍在原处并能正常打开;如仍不行,请把它复制到其他文件夹后重新运行。"
_ADVICE_BUG = "这不是文件的问题:请加 --debug 重新运行,并把显示的信息提供给系统维护人员。"


def _why(exc: BaseException) -> dict[str, str]:
    """reason and advice of a file-/folder-unreadable finding: permissions only when they are
    the cause (a sharing violation on Windows is a PermissionError too)."""
    if isinstance(exc, PermissionError):
        return {"reason": "没有读取权限或正被占用", "advice": _ADVICE_ACCESS}
    if isinstance(exc, IsADirectoryError):
        return {"reason": "这是文件夹", "advice": _ADVICE_OS}
    if isinstance(exc, OSError):
        return {"reason": exc.strerror or type(exc).__name__, "advice": _ADVICE_OS}
    if settings.debug:  # a bug, not bad input: the maintainer sees it raised (--debug)
        raise exc
    return {"reason": f"程序内部错误 {type(exc).__name__}", "advice": _ADVICE_BUG}


# ---------------------------------------------------------------- content typing

@dataclass
class Sniff:
    kind: str
    code: str | None = None  # finding to make, if any
    params: dict | None = None


# (texts all found in a text file's head, what it is): the first that matches says
_WEB = ((("urn:schemas-microsoft-com:office:spreadsheet",), "XML 表格(Excel 2003 XML)"),
        (("mime-version", "multipart"), "单个文件网页(.mht)"),
        *(((tag,), "网页(HTML)") for tag in ("<html", "<table", "<!doctype html", "<head", "<body")))


def sniff(f: BinaryIO, name: str, size: int, limits: Limits = Limits()) -> Sniff:
    """What a file is, by its bytes; the name only picks the wording of the finding."""
    f.seek(0)
    head = f.read(HEAD)
    ext = os.path.splitext(name)[1].lower()
    sheetish = ext in SPREADSHEET_EXTS
    if size == 0 or not head:
        return Sniff("other", "empty-file")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _sniff_zip(f, ext, size, limits)
    if head[:8] == OLE_MAGIC:
        return _sniff_ole(f, ext)
    for magic, fmt in ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"),
                       (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz")):
        if head.startswith(magic):
            return Sniff("other", "unsupported-archive", {"format": fmt})
    if head.startswith(b"{\\rtf"):
        return Sniff("other", "word-document", {"format": "RTF 文档"})
    text = _as_text(head)
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        web = next((fmt for marks, fmt in _WEB if all(m in low for m in marks)), None)
        if web:
            if sheetish:
                return Sniff("other", "html-disguised-as-xls", {"format": web})
            return Sniff("other", "unsupported-file", {"format": web + "文件"})
        if sheetish:
            return Sniff("other", "text-disguised-as-spreadsheet")
        return Sniff("other", "unsupported-file", {"format": "文本文件"})
    if sheetish:
        return Sniff("other", "damaged-file", {"reason": "内容不是任何电子表格格式"})
    return Sniff("other", "unsupported-file", {"format": "无法识别的文件"})


def _as_text(head: bytes) -> str | None:
    """The head decoded when it looks like text (no NULs, mostly printable), else None."""
    if b"\x00" in head:
        for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if head.startswith(bom):
                return head[2:].decode(enc, "replace")
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            text = head.decode(enc)
            break
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the head
                text = head[:exc.start].decode(enc, "replace")
                break
    else:
        return None
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return text if bad <= len(text) // 100 else None


def zip_entry_count(f: BinaryIO, size: int) -> int | None:
    """Entries declared by a zip's end-of-central-directory record (before parsing it)."""
    try:
        tail = min(size, 65557)
        f.seek(size - tail)
        data = f.read(tail)
        pos = data.rfind(b"PK\x05\x06")
        if pos < 0 or len(data) - pos < 22:
            return None
        count = struct.unpack_from("<H", data, pos + 10)[0]
        if count == 0xFFFF and pos >= 20 and data[pos - 20:pos - 16] == b"PK\x06\x07":
            off = struct.unpack_from("<Q", data, pos - 12)[0]
            f.seek(off)
            rec = f.read(56)
            if rec[:4] == b"PK\x06\x06" and len(rec) >= 40:
                count = struct.unpack_from("<Q", rec, 32)[0]
        return count
    except (OSError, struct.error, ValueError, OverflowError):
        return None


def _sniff_zip(f: BinaryIO, ext: str, size: int, limits: Limits) -> Sniff:
    count = zip_entry_count(f, size)
    if count is not None and count > limits.max_members:
        return Sniff("other", "zip-too-many-members", {"count": count, "limit": limits.max_members})
    try:
        f.seek(0)
        zf = zipfile.ZipFile(f)
        names = set(zf.namelist())
    except (*_ZIP_DAMAGE, zipfile.LargeZipFile, UnicodeDecodeError) as exc:
        return Sniff("other", "damaged-file", {"reason": f"压缩结构损坏:{type(exc).__name__}"})
    try:
        if "mimetype" in names:
            mime = _read_small(zf, "mimetype", 200).decode("ascii", "replace").strip()
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                manifest = _read_small(zf, "META-INF/manifest.xml", MB) \
                    if "META-INF/manifest.xml" in names else b""
                if b"encryption-data" in manifest:  # ODF "save with password"
                    return Sniff("encrypted", "password-protected")
                return Sniff("ods")
            if mime.startswith("application/vnd.oasis.opendocument.text"):
                return Sniff("other", "word-document", {"format": "ODF 文字文档(.odt)"})
            if mime.startswith("application/vnd.oasis.opendocument"):
                return Sniff("other", "unsupported-file", {"format": "ODF 文档"})
        if "[Content_Types].xml" in names:
            if any(n.startswith("xl/") for n in names):
                if "xl/workbook.bin" in names:
                    return Sniff("other", "unsupported-file",
                                 {"format": "Excel 二进制工作簿(.xlsb),请另存为 .xlsx"})
                ct = _read_small(zf, "[Content_Types].xml", MB).lower()
                if b"macroenabled" in ct or "xl/vbaProject.bin" in names:
                    return Sniff("xlsm")
                return Sniff("xlsx")
            if any(n.startswith("word/") for n in names):
                return Sniff("other", "word-document", {"format": "Word 文档(.docx)"})
            if any(n.startswith("ppt/") for n in names):
                return Sniff("other", "unsupported-file", {"format": "PowerPoint 演示文稿"})
            return Sniff("other", "unsupported-file", {"format": "Office 文档(不是电子表格)"})
        damaged = xlsx_container_damage(zf, names)  # a damaged workbook, not an attachment zip
        if damaged:
            return Sniff("other", "damaged-file", {"reason": damaged})
        return Sniff("zip")
    except _ZIP_DAMAGE as exc:
        return Sniff("other", "damaged-file", {"reason": f"压缩数据损坏:{type(exc).__name__}"})


def xlsx_container_damage(zf: zipfile.ZipFile, names: set[str]) -> str:
    """Why a zip whose parts are a workbook's fails its container checks ("" when its parts
    are not a workbook's): it is one damaged file, never an archive to unpack."""
    norm = {n.replace("\\", "/").lower().lstrip("/") for n in names}
    if "[content_types].xml" in norm:
        return "部件 [Content_Types].xml 的名称大小写或写法不对"
    if any(n.startswith("xl/") for n in norm):
        return "缺少部件 [Content_Types].xml"
    if "content.xml" in norm and "meta-inf/manifest.xml" in norm:
        manifest = next(n for n in names if n.replace("\\", "/").lower() == "meta-inf/manifest.xml")
        if b"opendocument.spreadsheet" in _read_small(zf, manifest, MB):
            return "缺少或损坏了 mimetype 部件"
    return ""


def _read_small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as m:
        return m.read(limit)


def ole_names(f: BinaryIO) -> set[str] | None:
    """Lower-cased names of the entries of an OLE2 (CFB) file's directory; None if damaged."""
    try:
        f.seek(0)
        return {e.name.lower() for e in olefile.OleFileIO(f).direntries if e is not None}
    except Exception:  # noqa: BLE001 - damaged or hostile bytes: no directory to tell
        return None


def _sniff_ole(f: BinaryIO, ext: str) -> Sniff:
    names = ole_names(f)
    if names is None:
        if ext in WPS_EXTS:
            return Sniff("other", "wps-et-file")
        if ext == ".xls":  # let the reader decide; it reports what it finds
            return Sniff("xls")
        return Sniff("other", "damaged-file", {"reason": "旧版 Office 文件结构损坏"})
    if "encryptedpackage" in names:
        return Sniff("encrypted", "password-protected")
    if "workbook" in names or "book" in names:  # an .et/.ett that is really an .xls: by content
        return Sniff("xls")
    if ext in WPS_EXTS:
        return Sniff("other", "wps-et-file")
    if "worddocument" in names:
        return Sniff("other", "word-document", {"format": "Word 97-2003 文档(.doc)"})
    if "powerpoint document" in names:
        return Sniff("other", "unsupported-file", {"format": "PowerPoint 演示文稿"})
    return Sniff("other", "ole-not-workbook", {"format": ""})


def _xls_encrypted(f: BinaryIO) -> bool:
    """Whether a BIFF .xls carries a FILEPASS record (RC4 / CryptoAPI "password to open")."""
    try:
        import msoffcrypto
        f.seek(0)
        return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:  # noqa: BLE001 - not an .xls msoffcrypto understands: let the reader say
        return False


# ---------------------------------------------------------------- zip members

def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author saw it: UTF-8 flag, Info-ZIP unicode field, else GBK."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    extra = info.extra or b""
    i = 0
    while i + 4 <= len(extra):
        tag, ln = struct.unpack_from("<HH", extra, i)
        if tag == 0x7075 and ln >= 5:
            try:
                return extra[i + 9:i + 4 + ln].decode("utf-8")
            except UnicodeDecodeError:
                break
        i += 4 + ln
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    return _decoded(raw, name)


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member(info: zipfile.ZipInfo, name: str) -> str | None:
    """Why a member must not be extracted (escapes, links), or None."""
    if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
        return "是符号链接"
    for n in {name, info.filename}:
        if "\x00" in n:
            return "文件名含有非法字符"
        if n.startswith(("/", "\\")):
            return "使用了绝对路径"
        if _DRIVE.match(n):
            return "带有盘符(如 C:)"
        if any(p == ".." for p in re.split(r"[\\/]", n)):
            return "试图跳出解压目录(../)"
    return None


@dataclass
class _Budget:
    """What one top-level attachment (with its nested ones) may still extract."""

    bytes_left: int
    members_left: int


# ---------------------------------------------------------------- the walk

class _Intake(IntakeResult):
    """One intake under way: the IntakeResult it fills in, and how it walks."""

    def __init__(self, workdir: Path, limits: Limits, password: str | None = None,
                 known: Mapping[bytes, KnownFile] | None = None, own: Iterable[Path] = ()):
        super().__init__([], [])
        self.workdir = workdir
        self.known = known or {}
        self.limits = limits
        self.password = password
        self.displays: set[str] = set()
        self._tmp: Path | None = None
        self._n = 0
        self._work = _canonical(workdir)  # (this run's private copies: skipped unsaid)
        self._own = {c for p in own if (c := _canonical(p))}

    # -- helpers
    def note(self, code: str, file: str, value: object = "", **params: object) -> None:
        self.findings.append(finding(code, file=file, value=value, **params))

    def unique(self, display: str, fallback: str = "") -> str:
        if display in self.displays and fallback and fallback not in self.displays:
            display = fallback
        base, n = display, 2
        while display in self.displays:
            display, n = f"{base} ({n})", n + 1
        self.displays.add(display)
        return display

    def tmpfile(self) -> Path:
        """A new file name in this run's private folder (made on first use)."""
        if self._tmp is None:
            self.workdir.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(tempfile.mkdtemp(prefix="intake-", dir=self.workdir))
        self._n += 1
        return self._tmp / f"{self._n:06d}.bin"

    def opened(self, opener: Callable, display: str, other: Callable[[OSError], None]):
        """opener(), or None with why noted: vanished, a link, swapped, or other(exc)."""
        try:
            return opener()
        except FileNotFoundError:
            self.note("file-vanished", display)
        except fsopen.LinkRefused:
            self.note("symlink-skipped", display)
        except fsopen.Swapped:
            self.note("file-changed-while-reading", display)
        except OSError as exc:
            other(exc)
        return None

    # -- inputs
    def take_input(self, inp: Path) -> None:
        shown = display_name(str(inp))
        inp = Path(os.path.abspath(inp))
        if _canonical(inp) in self._own:
            self.note("own-file-skipped", shown)
            return
        try:
            st = os.stat(inp)  # the user named it: a top-level link is followed
        except FileNotFoundError:
            self.note("input-not-found", shown)
            return
        except OSError as exc:
            self.note("file-unreadable", shown, **_why(exc))
            return
        if stat.S_ISDIR(st.st_mode):
            root = display_name(inp.resolve().name or shown)
            self.walk_in(lambda: fsopen.open_input_dir(str(inp)), str(inp), root, (), 0, shown)
        elif stat.S_ISREG(st.st_mode):
            name = display_name(inp.name)
            display = self.unique(name, display_name(str(inp)))
            self.take_file(lambda: fsopen.open_checked(str(inp), refuse_links=False),
                           str(inp), display, name, ())
        else:
            self.note("special-file-skipped", shown)

    def walk_in(self, opener: Callable[[], int | str], path: str, display: str,
                parts: tuple[str, ...], depth: int, named: str) -> None:
        """walk() the folder opener() opens, then close it; an open that fails is noted on
        `named`."""
        folder = self.opened(opener, named,
                             lambda exc: self.note("folder-unreadable", named, **_why(exc)))
        if folder is not None:
            try:
                self.walk(folder, path, display, parts, depth)
            finally:
                fsopen.close(folder)

    def walk(self, folder: int | str, path: str, display: str, parts: tuple[str, ...],
             depth: int) -> None:
        """One folder (a descriptor, or its path where descriptors are missing: fsopen)."""
        try:
            entries = fsopen.list_dir(folder)
        except fsopen.Swapped:
            self.note("file-changed-while-reading", display)
            return
        except OSError as exc:
            self.note("folder-unreadable", display, **_why(exc))
            return
        here = _canonical(path)  # (once a folder: what lies below is no link, see below)
        for e in entries:
            name = display_name(e.name)
            shown = f"{display}/{name}"
            epath = os.path.join(path, e.name)
            try:
                if e.is_symlink():
                    self.note("symlink-skipped", shown)
                    continue
                mine = here and os.path.normcase(os.path.join(here, e.name))
                if mine and mine == self._work:
                    continue  # this run's working folder inside the inbox
                if mine in self._own or (e.is_dir(follow_symlinks=False) and _outputs_folder(epath)):
                    self.note("own-file-skipped", shown)  # (an outputs folder: another period's, -o's)
                elif e.is_dir(follow_symlinks=False):
                    if depth + 1 > self.limits.max_depth:
                        self.note("folder-too-deep", shown, limit=self.limits.max_depth)
                        continue
                    self.walk_in(lambda: fsopen.open_dir(e.name, folder, epath), epath, shown,
                                 parts + (e.name,), depth + 1, shown)
                elif e.is_file(follow_symlinks=False):
                    ename, unique = e.name, self.unique(shown)
                    # (the directory entry's stat: on Windows it is the listing's, no open)
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:  # (gone or unreadable: opening it says which)
                        st = None
                    if st is None or not self.take_known(epath, st, unique, name):
                        self.take_file(lambda: fsopen.open_file(ename, folder, epath),
                                       epath, unique, name, parts, st)
                else:
                    self.note("special-file-skipped", shown)
            except Exception as exc:  # noqa: BLE001 - one entry never stops the walk
                self.note("file-unreadable", shown, **_why(exc))

    # -- one file on disk
    def take_known(self, path: str, st: os.stat_result, display: str, name: str) -> bool:
        """Take a file the stat cache knows, unread; False when it does not or it changed."""
        k = self.known.get(os.fsencode(path))
        if k is None or k.display != display or k.stat != _stat_of(st) \
                or not stat.S_ISREG(st.st_mode) or st.st_size > self.limits.max_file_bytes:
            return False
        self.received.append(Received(
            path=path, display=display, name=name, sha256=k.sha256, size=st.st_size,
            received_at=_iso(st.st_mtime), file_type=k.file_type, origin=display_name(path)))
        self.cached.add(display)
        return True

    def take_file(self, opener: Callable[[], int], path: str, display: str, name: str,
                  parts: tuple[str, ...], listed: os.stat_result | None = None) -> None:
        started_ns = time.time_ns()
        findings_before = len(self.findings)
        junk = junk_reason(name, tuple(display_name(p) for p in parts))
        fd = self.opened(opener, display, lambda exc: self.note("junk-ignored", display, reason=junk)
                         if junk else self.note("file-unreadable", display, **_why(exc)))
        if fd is None:
            return
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.note("special-file-skipped", display)
                return
            # what will be read is snapshotted: hashed, read and archived are the same bytes
            snapshot = st.st_size <= self.limits.max_file_bytes or len(os.fsencode(path)) > _PATH_SAFE
            copy = None
            for _ in range(2):
                if copy is not None:
                    copy.unlink(missing_ok=True)
                try:
                    digest, size, copy = self._hash(f, snapshot)
                except OSError as exc:
                    self.note("file-unreadable", display, **_why(exc))
                    return
                st2 = os.fstat(fd)
                changed = (st2.st_size, st2.st_mtime_ns) != (st.st_size, st.st_mtime_ns) \
                    or size != st.st_size
                if not changed:
                    break
                st = st2
            rec = Received(path=str(copy) if copy else path, display=display, name=name, sha256=digest,
                           size=size, received_at=_iso(st.st_mtime), origin=display_name(path))
            if changed:  # twice: what was read is kept (received, archived, rejected)
                self.note("file-changed-while-reading", display)
                if copy is not None:
                    rec.file_type = "other"
                    self.received.append(rec)
                return
            self.type_and_expand(f, rec, 0, junk=junk)
            # kept for the stat cache: a plain workbook from a folder (junk is none), without
            # findings, whose listing showed what was read, last written well before it was read
            if listed is not None and rec.file_type in WORKBOOK_KINDS \
                    and len(self.findings) == findings_before and rec.display not in self.readable \
                    and (listed.st_size, listed.st_mtime_ns) == (st.st_size, st.st_mtime_ns) \
                    and listed.st_mtime_ns <= started_ns - _SETTLED_NS:
                self.seen.append(KnownFile(os.fsencode(path), display, *_stat_of(listed),
                                           rec.sha256, rec.file_type))

    def _hash(self, f: BinaryIO, snapshot: bool) -> tuple[str, int, Path | None]:
        f.seek(0)
        copy = self.tmpfile() if snapshot else None
        with open(copy, "xb") if copy else contextlib.nullcontext() as out:
            return *copy_hashed(f, out), copy

    # -- typing, shared by files on disk and zip members
    def type_and_expand(self, f: BinaryIO, rec: Received, level: int,
                        budget: _Budget | None = None, junk: str | None = None) -> None:
        self.received.append(rec)
        if junk:
            rec.file_type = "junk"
            self.note("junk-ignored", rec.display, reason=junk)
            return
        budget = budget or _Budget(self.limits.max_uncompressed_bytes, self.limits.max_members)
        if rec.size > self.limits.max_file_bytes:
            rec.file_type = "other"
            self.note("file-too-large", rec.display, size=_size(rec.size),
                      limit=_size(self.limits.max_file_bytes))
            return
        if is_stamp(f):  # a PDF or a photo: a stamped copy, attributed by collect.run
            rec.file_type = STAMP
            return
        kind = mail_kind(f, rec.name, ole_names) if level < self.limits.max_zip_nesting else None
        if kind is not None:  # an e-mail: its attachments, its Date, its sender (collect.mail)
            rec.file_type = "mail"
            self.expand_mail(f, rec, kind, level + 1, budget)
            return
        s = self.sniff(f, rec.name, rec.size)
        if s.kind == "xls" and _xls_encrypted(f):
            s = Sniff("encrypted", "password-protected")
        if s.kind == "encrypted" and self.password is not None:
            s = self.decrypt(f, rec, s)
        rec.file_type = s.kind
        if s.code:
            self.findings.append(finding(s.code, file=rec.display, **(s.params or {})))
        ext = os.path.splitext(rec.name)[1].lower()
        if s.kind in WORKBOOK_KINDS and ext and ext not in (f".{s.kind}", *_ALSO_EXTS.get(s.kind, ())):
            self.note("extension-mismatch", rec.display, format=s.kind)
        if s.kind == "zip":
            if level >= self.limits.max_zip_nesting:
                self.note("zip-nested-too-deep", rec.display, limit=self.limits.max_zip_nesting)
                return
            try:
                self.expand_zip(f, rec, level + 1, budget)
            except Exception as exc:  # noqa: BLE001 - a damaged archive is a finding
                self.note("damaged-file", rec.display, reason=f"解压出错:{type(exc).__name__}")

    def sniff(self, f: BinaryIO, name: str, size: int) -> Sniff:
        """sniff() within the limits; bytes it fails on are a damaged file (also once decrypted)."""
        try:
            return sniff(f, name, size, self.limits)
        except Exception as exc:  # noqa: BLE001 - hostile bytes never stop the run
            return Sniff("other", "damaged-file", {"reason": type(exc).__name__})

    def decrypt(self, f: BinaryIO, rec: Received, s: Sniff) -> Sniff:
        """Decrypt a password-protected workbook into workdir with --password (msoffcrypto).

        The received (encrypted) bytes stay what is hashed and archived; the decrypted copy
        is only read. A wrong password or an unknown encryption is a finding naming the file.
        """
        import msoffcrypto
        from msoffcrypto.exceptions import InvalidKeyError
        out = self.tmpfile()
        try:
            f.seek(0)
            office = msoffcrypto.OfficeFile(f)
            office.load_key(password=self.password)
            with open(out, "wb") as dst:
                office.decrypt(dst)
        except Exception as exc:  # noqa: BLE001 - hostile bytes never stop the run
            out.unlink(missing_ok=True)
            msg = str(exc).lower()
            if isinstance(exc, InvalidKeyError) or any(w in msg for w in ("password", "key", "verif")):
                return Sniff("encrypted", "password-wrong")
            return Sniff("encrypted", "decrypt-failed", {"reason": type(exc).__name__})
        size = out.stat().st_size
        if size > self.limits.max_file_bytes:
            return Sniff("other", "file-too-large",
                         {"size": _size(size), "limit": _size(self.limits.max_file_bytes)})
        with open(out, "rb") as df:
            inner = self.sniff(df, rec.name, size)
        if inner.code == "damaged-file":
            return inner
        if inner.kind not in WORKBOOK_KINDS:
            return Sniff("other", "decrypt-failed", {"reason": "解密后不是工作簿"})
        final = out.with_suffix(f".{inner.kind}")
        os.replace(out, final)
        self.readable[rec.display] = (str(final), inner.kind)
        return Sniff(inner.kind)

    def expand_zip(self, f: BinaryIO, zrec: Received, level: int, budget: _Budget) -> None:
        lim = self.limits
        try:
            f.seek(0)
            zf = zipfile.ZipFile(f)
            infos = [i for i in zf.infolist() if not i.is_dir()]
        except _ZIP_DAMAGE as exc:
            zrec.file_type = "other"
            self.note("damaged-file", zrec.display, reason=f"压缩结构损坏:{type(exc).__name__}")
            return
        if len(infos) > budget.members_left:
            self.note("zip-too-many-members", zrec.display, count=len(infos), limit=lim.max_members)
            return
        declared = sum(i.file_size for i in infos)
        if declared > budget.bytes_left:
            self.note("zip-too-large", zrec.display, size=_size(declared),
                      limit=_size(lim.max_uncompressed_bytes), what="未解压")
            return
        budget.members_left -= len(infos)
        done = 0
        for info in infos:
            mname = member_name(info)
            shown = mname.replace("\\", "/")
            why = unsafe_member(info, mname)
            if why:
                self.note("zip-member-unsafe", zrec.display, value=shown, reason=why)
                continue
            if info.flag_bits & 0x1:
                self.note("zip-encrypted", zrec.display, value=shown)
                continue
            if info.file_size >= lim.ratio_min_bytes \
                    and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                self.note("zip-bomb", zrec.display, value=shown, size=_size(info.file_size),
                          ratio=f"{ratio:.0f}", limit=f"{lim.max_ratio:g}")
                continue
            out = self.tmpfile()
            try:
                with zf.open(info) as src, open(out, "xb") as dst:
                    digest, size = copy_hashed(src, dst, budget.bytes_left)
            except _OverBudget:
                out.unlink(missing_ok=True)
                self.note("zip-too-large", zrec.display,
                          size=f"超过 {_size(lim.max_uncompressed_bytes)}",
                          limit=_size(lim.max_uncompressed_bytes), what="其余文件未解压")
                return
            except _ZIP_DAMAGE as exc:
                out.unlink(missing_ok=True)
                reason = ("使用了不支持的压缩方式" if isinstance(exc, NotImplementedError)
                          else f"数据损坏:{type(exc).__name__}")
                self.note("zip-member-damaged", zrec.display, value=shown, reason=reason)
                continue
            budget.bytes_left -= size
            done += 1
            mailed = zrec.time_source == "mail"  # a zip sent by e-mail arrived with the mail
            self.take_member(zrec, shown, out, digest, size, zrec.received_at if mailed
                             else _iso(info.date_time, zrec.received_at), level, budget)
        self.note("zip-extracted", zrec.display, count=done)

    def take_member(self, parent: Received, shown: str, out: Path, sha256: str, size: int,
                    received_at: str, level: int, budget: _Budget) -> None:
        """A file taken out of a .zip or an e-mail (`parent`, where it is `shown`) into `out`:
        received from where its parent came, typed (expanded) as any file."""
        rec = Received(path=str(out), display=self.unique(f"{parent.display}{SEP}{shown}"),
                       name=display_name(shown.rsplit("/", 1)[-1]), sha256=sha256, size=size,
                       received_at=received_at, origin=parent.origin or parent.path,
                       time_source=parent.time_source, sender=parent.sender)
        with open(out, "rb") as mf:
            self.type_and_expand(mf, rec, level, budget,
                                 junk_reason(rec.name, tuple(shown.split("/")[:-1])))
        if rec.file_type in WORKBOOK_KINDS or rec.file_type == "zip":
            final = out.with_suffix(f".{rec.file_type}")
            os.replace(out, final)
            rec.path = str(final)

    def expand_mail(self, f: BinaryIO, mrec: Received, kind: str, level: int, budget: _Budget) -> None:
        """An e-mail's attachments, each received at the mail's Date from its sender."""
        f.seek(0)
        mail = read_mail(f.read(), kind)
        if mail.problem:
            self.note("damaged-file", mrec.display, reason=mail.problem)
            return
        if mail.sent:
            mrec.received_at, mrec.time_source = mail.sent, "mail"
        mrec.sender = mail.sender
        if len(mail.attachments) > budget.members_left:
            self.note("zip-too-many-members", mrec.display, count=len(mail.attachments),
                      limit=self.limits.max_members)
            return
        budget.members_left -= len(mail.attachments)
        for fname, data in mail.attachments:
            if len(data) > budget.bytes_left:
                self.note("zip-too-large", mrec.display, size=_size(len(data)),
                          limit=_size(self.limits.max_uncompressed_bytes), what="其余附件未取出")
                return
            budget.bytes_left -= len(data)
            name = display_name(fname.replace("\\", "/").rsplit("/", 1)[-1]) or "附件"
            out = self.tmpfile()
            out.write_bytes(data)
            self.take_member(mrec, name, out, hashlib.sha256(data).hexdigest(), len(data),
                             mrec.received_at, level, budget)
        self.note("mail-extracted", mrec.display, count=len(mail.attachments),
                  sender=mail.sender or "未知", sent=mail.sent.replace("T", " ")[:16] or "未知")


class _OverBudget(Exception):
    pass
