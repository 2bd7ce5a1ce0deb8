"""The desk's workspace: one folder per campaign, laid out as the CLI and `demo` lay it.

<workspace>/<campaign>/plan.xlsx        the plan (xltools check / generate / collect --plan)
<workspace>/<campaign>/台账.sqlite       the ledger, beside the plan (the CLI's default)
<workspace>/<campaign>/workbooks/       what generate writes (the CLI's default -o)
<workspace>/<campaign>/回收/<周期>/      returned files taken in by the desk (as demo)
<workspace>/<campaign>/汇总/<周期>/      what collect writes (汇总表, 校验报告, HTML, 反馈)
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..collect.run import default_ledger
from ..model.errors import XltoolsError
from ..model.glossary import FW_COLON, FW_COMMA, official_text
from ..model.periods import make_period
from ..sheet.blocks import OUT_DIR_MAX, out_dir_over, windows_refuses

PLAN = "plan.xlsx"
FORMS = "workbooks"
INBOX = "\u56de\u6536"  # 回收
OUTPUTS = "\u6c47\u603b"  # 汇总


class Refused(XltoolsError, ValueError):
    """A request the desk turns down, with the Chinese reason shown to the clerk."""


class NotFound(XltoolsError):
    """A campaign, period or file that is not there (or not the campaign's): HTTP 404."""


def default_workspace() -> Path:
    """The clerk's documents folder (Windows 文档 included): <Documents>/xltools."""
    docs = Path.home() / "Documents"
    return (docs if docs.is_dir() else Path.home()) / "xltools"


# The campaign's folder is part of every path the desk writes. Its deepest files lie in
# <workspace>/<campaign>/汇总/<周期>/..., and collect keeps them within Windows' 259
# characters while that output folder is at most OUT_DIR_MAX (120) characters (see
# sheet.blocks): 60 for the name leaves about 45 for the workspace folder itself (the
# default, C:\Users\<user>\Documents\xltools, takes about 35); a deeper workspace folder
# leaves less (Workspace.name_max).
NAME_MAX = 60
DEEPEST = make_period("2019Q1")  # the longest period name (2019年第一季度): the deepest outputs


def check_name(name: str) -> str:
    """A campaign name usable as a folder name everywhere, or Refused with a Chinese reason
    (a name too long says so and how long it is: the page never cuts one short)."""
    name = " ".join(str(name).split())
    if len(name) > NAME_MAX:
        raise Refused(official_text(
            "计划名称不可用:“{name}”有 {n} 个字,超过了 {max} 个字的上限。计划名称用作文件夹名,"
            "过长会使其中文件的路径超出 Windows 的长度限制;请改短后重新提交。",
            name=name, n=len(name), max=NAME_MAX))
    if not name or name.startswith(".") or windows_refuses(name):
        raise Refused(f"计划名称“{name}”不可用{FW_COLON}请用不超过 {NAME_MAX} 个字、不含 \\ / : * ? \" < > |、"
                      f"不以句点结尾、也不是 CON、NUL、COM1 之类设备名的名称{FW_COMMA}Windows 不能用这些作文件夹名。")
    return name


@dataclass
class Campaign:
    """One campaign folder and where each stage reads and writes."""

    name: str
    dir: Path
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    job: object = field(default=None, compare=False, repr=False)  # jobs.Job, running or last
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # cache.cached pages

    @property
    def plan_path(self) -> Path:
        return self.dir / PLAN

    @property
    def ledger(self) -> Path:
        return default_ledger(self.plan_path)

    @property
    def forms_dir(self) -> Path:
        return self.dir / FORMS

    def inbox(self, period) -> Path:
        """Where uploaded returns of a period are kept (one sub-folder per upload)."""
        return self.dir / INBOX / period.name

    def outputs(self, period) -> Path:
        return self.dir / OUTPUTS / period.name

    def file(self, rel: str) -> Path:
        """A file inside the campaign folder named by a relative URL path; NotFound for
        absolute paths, `..`, links out of the folder, the ledger and missing files."""
        parts = rel.replace("\\", "/").split("/")
        if not rel or rel.startswith("/") or ":" in rel or any(p in ("", ".", "..") for p in parts):
            raise NotFound(rel)
        root = self.dir.resolve()
        path = (root / Path(*parts)).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.name.startswith(
                self.ledger.name):
            raise NotFound(rel)
        return path

    def rel(self, path: Path) -> str:
        """The URL path of a file of the campaign (forward slashes)."""
        return Path(path).resolve().relative_to(self.dir.resolve()).as_posix()


class Workspace:
    """The folder holding the campaigns; one lock per campaign (one job at a time)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._campaigns: dict[str, Campaign] = {}
        self._guard = threading.Lock()

    @property
    def log_path(self) -> Path:
        """The desk's log, beside the workspace folder (details of every error)."""
        return self.root.with_name(self.root.name + ".log")

    def name_max(self) -> int:
        """The longest campaign name here: NAME_MAX, or less where the workspace folder is so
        deep that a campaign's output folders would run over OUT_DIR_MAX."""
        return max(0, NAME_MAX - max(0, out_dir_over(self._deepest("x" * NAME_MAX))))

    def _deepest(self, name: str) -> Path:
        return Campaign(name, self.root / name).outputs(DEEPEST)

    def campaigns(self) -> list[Campaign]:
        """Every sub-folder holding a plan.xlsx, by name."""
        if not self.root.is_dir():
            return []
        return [self.campaign(d.name) for d in sorted(self.root.iterdir())
                if d.is_dir() and (d / PLAN).is_file()]

    def campaign(self, name: str) -> Campaign:
        """The campaign of that name; NotFound when there is no such folder with a plan."""
        try:
            name = check_name(name)
        except Refused:
            raise NotFound(name) from None
        if not (self.root / name / PLAN).is_file():
            raise NotFound(name)
        return self._get(name)

    @contextlib.contextmanager
    def creating(self, name: str) -> Iterator[Campaign]:
        """A new campaign's folder while its plan is made, under the campaign's lock;
        Refused when the name is unusable or taken, or another attempt at it is under way.
        Should the making end without a plan (the notice refused or read as no plan, an
        upload too large, an error), whatever it put in the folder goes again, and the
        folder too when it made it: nothing is left behind and the name stays free."""
        name, most = check_name(name), self.name_max()
        if len(name) > most:
            raise Refused(official_text(
                "计划名称不可用:“{name}”有 {n} 个字,而工作文件夹“{root}”中的计划名称最多 {most} 个字:"
                "计划的输出文件夹(如“{out}”)的路径不能超过 {limit} 个字符,否则 Windows 可能无法写入"
                "其中的文件。请改短名称后重新提交,或换用路径较短的工作文件夹。", name=name, n=len(name),
                root=self.root.absolute(), most=most, out=self._deepest(name).absolute(),
                limit=OUT_DIR_MAX))
        folder = self.root / name
        taken = Refused(f"已有名为“{name}”的计划{FW_COMMA}请换一个名称。")
        if (folder / PLAN).exists():
            raise taken
        c = self._get(name)
        if not c.lock.acquire(blocking=False):
            raise Refused(f"名为“{name}”的计划正在新建{FW_COMMA}请稍候再试。")
        try:
            if (folder / PLAN).exists():  # (made by the attempt that held the lock)
                raise taken
            fresh = not folder.exists()
            before = set() if fresh else set(folder.rglob("*"))  # (a folder left by hand)
            folder.mkdir(parents=True, exist_ok=True)
            try:
                yield c
            finally:
                if not c.plan_path.exists():
                    _remove_new(folder, before, fresh)
        finally:
            c.lock.release()

    def _get(self, name: str) -> Campaign:
        with self._guard:  # one Campaign (its lock, job and cache) per name
            return self._campaigns.setdefault(name, Campaign(name, self.root / name))


def _remove_new(folder: Path, before: set[Path], whole: bool) -> None:
    """Remove what appeared in `folder` besides `before` (deepest first), and the folder
    itself when `whole`. What cannot be removed stays: without a plan the desk lists it
    nowhere, and a later attempt at the name uses the folder again."""
    for p in sorted(set(folder.rglob("*")) - before, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            p.rmdir() if p.is_dir() and not p.is_symlink() else p.unlink()
    if whole:
        with contextlib.suppress(OSError):
            folder.rmdir()
