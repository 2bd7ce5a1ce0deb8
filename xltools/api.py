"""One function per stage: what the CLI and the tests call."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .generate import Generated, build_all
from .generate.identity import FormIdentity
from .model import ERROR, Finding, Plan, Result, relocate
from .planfile import PlanFileError, load_plan, save_plan
from .xlsx.writer import write_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DIR = ROOT / "examples" / "shashi-2019"
DEFAULT_OUT = Path("workbooks")

__all__ = ["PlanFileError", "GenerateReport", "load", "check", "convert", "generate", "demo",
           "parse", "example_dir"]


@dataclass
class WrittenFile:
    """One workbook written: where, what kind, for whom."""

    path: Path
    kind: str
    unit: str = ""
    period: str = ""
    identity: FormIdentity | None = None


@dataclass
class GenerateReport:
    """What generate wrote and noticed, and how long it took."""

    out_dir: Path
    files: list[WrittenFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def count(self, kind: str) -> int:
        return sum(1 for f in self.files if f.kind == kind)


def load(plan_path: str | os.PathLike) -> Result:
    """Read a plan file (.xlsx/.yaml/.json); raises PlanFileError if it cannot be read."""
    return load_plan(plan_path)


def check(plan_path: str | os.PathLike) -> list[Finding]:
    """Every problem of a plan file, each naming its sheet and cell."""
    return load_plan(plan_path).findings


def convert(plan_path: str | os.PathLike, out_path: str | os.PathLike) -> Result:
    """Re-save a plan in another format (.xlsx <-> .yaml <-> .json)."""
    res = load_plan(plan_path)
    if res.value is None:
        raise PlanFileError(f"计划文件“{Path(plan_path).name}”中没有可用的计划。")
    return Result(save_plan(res.value, out_path), res.findings)


def generate(plan: Plan | str | os.PathLike, out_dir: str | os.PathLike,
             period_ids: list[str] | None = None) -> GenerateReport:
    """Write every official workbook of the plan for the chosen periods into out_dir."""
    t0 = time.perf_counter()
    findings: list[Finding] = []
    if not isinstance(plan, Plan):
        res = load_plan(plan)
        if res.value is None:
            raise PlanFileError(f"计划文件“{Path(plan).name}”中没有可用的计划。")
        plan, findings = res.value, list(res.findings)
    out = Path(out_dir)
    gen: Generated = build_all(plan, period_ids)
    report = GenerateReport(out, findings=findings + gen.findings)
    for wb in gen.workbooks:
        path = write_workbook(wb, out)
        report.files.append(WrittenFile(path, wb.kind or _kind_of(wb.filename), wb.unit, wb.period,
                                        gen.identities.get(wb.filename)))
    report.findings = [_in_output(f, report) for f in report.findings]
    report.seconds = time.perf_counter() - t0
    return report


def _kind_of(filename: str) -> str:
    name = Path(filename).name
    for prefix, kind in (("附件1", "annex1"), ("附件2", "annex2"), ("附件3", "annex3"),
                         ("发送清单", "sending_list")):
        if name.startswith(prefix):
            return kind
    return "other"


def _in_output(f: Finding, report: GenerateReport) -> Finding:
    """Give annex findings the full path of the file they point at."""
    for wf in report.files:
        if f.file and wf.path.name == f.file:
            return relocate(f, file=str(wf.path))
    return f


def example_dir() -> Path:
    """The bundled example (examples/shashi-2019), from a checkout or the current folder."""
    for candidate in (EXAMPLE_DIR, Path.cwd() / "examples" / "shashi-2019"):
        if (candidate / "plan.xlsx").is_file():
            return candidate
    raise PlanFileError("找不到示例计划 examples/shashi-2019/plan.xlsx:请在 xltools 代码目录中运行。")


def demo(out_dir: str | os.PathLike | None = None) -> GenerateReport:
    """Generate every workbook of the bundled Shashi 2019 example."""
    return generate(example_dir() / "plan.xlsx", out_dir or DEFAULT_OUT / "demo")


def parse(notice: str | os.PathLike, units: str | os.PathLike | None = None,
          base: str | os.PathLike | None = None, output: str | os.PathLike | None = None):
    """Read an official notice into a plan, saved to `output` when one is recognised.

    Returns (ParseResult, saved path or None). The unit register comes from `units`
    and/or `base` (plan files).
    """
    from .parse import parse_notice_file

    register = None
    for source in (base, units):
        if source is not None:
            res = load_plan(source)
            if res.value is not None:
                register = res.value if register is None else _merge_register(register, res.value)
    result = parse_notice_file(notice, register)
    saved = save_plan(result.plan, output) if (output is not None and result.plan is not None) else None
    return result, saved


def _merge_register(base: Plan, extra: Plan) -> Plan:
    """Units and groups of `extra` added to `base` where base does not have them."""
    for u in extra.units:
        if base.unit(u.name) is None:
            base.units.append(u)
    names = {g.name for g in base.groups}
    base.groups.extend(g for g in extra.groups if g.name not in names)
    return base
