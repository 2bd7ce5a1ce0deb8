"""汇总报告 (HTML): the period at a glance for leaders, from the same Summary and receipts
as the 汇总表 and 校验报告 workbooks, so every number agrees with them.

One self-contained file: CSS inline, the charts inline SVG, no JavaScript, no fonts or
images fetched; it opens offline and prints on A4 (repeated table headers, page
numbers). Templates: xltools/templates/report.html.j2 (+ report.css.j2, chart.svg.j2), found by
xltools.templating. Autoescape is on: what units typed is shown as text, never markup.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections import Counter
from datetime import datetime
from pathlib import Path

from ..model.collector import gc_paused
from ..model.glossary import FORM_REPORT, form_name, official_marks
from ..sheet.blocks import date_cn, safe_filename
from ..merge.common import OVERALL_STATUSES, UNCLEAR, UNIT_CATEGORIES, missing_count
from ..merge.receipts import ReceiptRow, units_to_fix
from ..merge.summary import Summary
from ..model.findings import ERROR, WARNING, by_severity
from ..model.plan import Period, Plan
from ..model.rates import NOT_MET, RATE_NOTE, is_missing, shown
from ..model.returns import STATUS_LABELS
from ..model.table import Table
from ..model.errors import TemplateError
from ..templating import bundled, environment
from ..xlsx.splice import read_manifest
from ..xlsx.writer import write_atomically
from .summary_book import ALERT, STATUS_COLORS
from .tables import digests

TEMPLATE = "report.html.j2"
UNIT_TEMPLATE = "report_unit.html.j2"  # one unit's findings section
COLORS = {**STATUS_COLORS, UNCLEAR: "#FFC000"}
CHART_UNITS = 22  # bars per chart: a chart with its legend fits an A4 landscape page
BAR_AREA = 600  # px for the longest bar
ROW_H, BAR_H = 24, 15
LIGHT = {"未填或有误", UNCLEAR}  # fills light enough for dark numbers


def render_html(plan: Plan, period: Period, summary: Summary, receipts: list[ReceiptRow],
                generated_at: datetime | None = None, sections: dict[str, str] | None = None) -> str:
    """The report as a string. `sections` (digest -> HTML) holds units' findings sections
    rendered before: those whose inputs are unchanged are taken from it, and it is left
    holding exactly this report's sections."""
    env = environment(autoescape=True)
    env.filters["num"] = num
    context = report_context(plan, period, summary, receipts, generated_at)
    template = env.get_template(TEMPLATE)
    if Path(template.filename).resolve().parent == bundled().resolve():
        context["finding_sections"] = _sections(env, plan, receipts, sections)
        return template.render(**context)
    # an office's own copy (XLTOOLS_TEMPLATES), perhaps older than the sections: it gets the
    # units' findings as data, as before, and a mistake in it is named, not a crash
    context["finding_sections"] = _sections(env, plan, receipts, None)
    look = plan.lookups()
    context["findings"] = [_unit_findings(unit, _contact(look.unit(unit)), rows)
                           for unit, rows in units_to_fix(plan, receipts)]
    try:
        return template.render(**context)
    except Exception as exc:  # noqa: BLE001 - an office's edited template: one clear message
        raise TemplateError(f"报告模板“{template.filename}”有误({type(exc).__name__}:{exc})。"
                            "请改正或移走该模板后重新回收。") from exc


@gc_paused()  # (the page's rows and strings all live until written: the passes find nothing)
def write_html_report(plan: Plan, period: Period, summary: Summary, receipts: list[ReceiptRow],
                      out_dir: str | os.PathLike) -> Path:
    """Write 汇总报告_<period>.html into out_dir (atomically), re-rendering only the units'
    sections whose inputs changed since the last report written there; return its path."""
    path = Path(out_dir) / safe_filename(f"汇总报告_{period.name}", ".html")
    cache = path.with_name(SECTIONS)
    sections = _trusted_sections(read_manifest(cache), path)
    data = render_html(plan, period, summary, receipts, sections=sections).encode("utf-8")
    write_atomically(path, data)
    with contextlib.suppress(OSError):  # without it the next report renders every section: no harm
        cache.write_text(json.dumps({"html_sha256": hashlib.sha256(data).hexdigest(),
                                     "sections": sections}, ensure_ascii=False), encoding="utf-8")
    return path


# {"html_sha256": the report written with them, "sections": {digest of a unit's inputs: HTML}}
SECTIONS = ".xltools-html-sections.json"


def _trusted_sections(cache: dict, path: Path) -> dict[str, str]:
    """The cached sections, only when the report beside them is the one written with them
    and shows each of them: they go into the page as markup, so a cache copied in or edited
    is never worth more than the page itself."""
    sections = cache.get("sections")
    try:
        page = path.read_bytes()
    except OSError:
        return {}
    if hashlib.sha256(page).hexdigest() != cache.get("html_sha256") or not isinstance(sections, dict):
        return {}
    text, at = page.decode("utf-8", "replace"), 0
    for key, html in sections.items():  # in the page's order: one pass
        at = text.find(html, at) if isinstance(key, str) and isinstance(html, str) else -1
        if at < 0:
            return {}
        at += len(html)
    return sections


def _sections(env, plan: Plan, receipts: list[ReceiptRow], cache: dict[str, str] | None) -> list[str]:
    """Each unit's findings section as HTML (escaped by its own template), from `cache`
    when its inputs are unchanged."""
    template = env.get_template(UNIT_TEMPLATE)
    digest = digests(env.loader.get_source(env, UNIT_TEMPLATE)[0])  # (the template's source)
    fresh: dict[str, str] = {}  # (one a unit: the unit is part of its key)
    look = plan.lookups()
    for unit, rows in units_to_fix(plan, receipts):
        contact = _contact(look.unit(unit))
        key = digest(unit, contact, [dataclasses.replace(r, new=False) for r in rows])
        html = (cache or {}).get(key)
        if not isinstance(html, str):
            html = template.render(u=_unit_findings(unit, contact, rows))
        fresh[key] = html
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return list(fresh.values())


# -- the data the template shows --------------------------------------------------------

def report_context(plan: Plan, period: Period, summary: Summary, receipts: list[ReceiptRow],
                   generated_at: datetime | None = None) -> dict:
    """What the template shows but the units' findings sections (rendered apart)."""
    s, c = summary, summary.counts
    by_unit = _records(s.by_unit)
    status_rows = [(r["单位"], [r[k] for k in UNIT_CATEGORIES]) for r in by_unit]
    overall_rows = list(s.overall_counts().items())  # every status, in OVERALL_STATUSES' order
    file_counts = Counter(r.status for r in receipts)
    return {
        "title": f"{plan.period_title(period)}落实情况报告",
        "plan": plan, "period": period, "report_name": form_name(FORM_REPORT, period.id),
        "deadline": date_cn(period.deadline) if period.deadline else "",
        "generated_at": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "counts": c, "cards": _cards(c, s, file_counts),
        "file_counts": [(STATUS_LABELS.get(k, k), file_counts[k]) for k in STATUS_LABELS
                        if file_counts.get(k)],
        # (the period's one count of findings: open files only, 提示 apart)
        "n_files": len(receipts), "n_errors": s.findings.errors,
        "n_warnings": s.findings.warnings, "n_notices": s.findings.notices,
        "categories": list(UNIT_CATEGORIES), "by_unit": by_unit,
        "totals": {k: sum(s.by_unit[k]) for k in ("任务数", *UNIT_CATEGORIES, "错误数", "警告数")},
        "missing": _records(s.missing), "late": _records(s.late),
        "missing_count": missing_count(s.missing["单位"]), "lagging": _records(s.lagging),
        "targets": _targets(s.targets), "rate_note": RATE_NOTE, "not_met": NOT_MET,
        "overall": overall_rows, "overall_total": sum(n for _, n in overall_rows),
        "overall_chart": stacked_bars([("全部任务", [n for _, n in overall_rows])],
                                      [k for k, _ in overall_rows])[0] if overall_rows else None,
        "charts": stacked_bars(status_rows, list(UNIT_CATEGORIES), CHART_UNITS),
        "legend": [(k, COLORS.get(k, "#888")) for k in UNIT_CATEGORIES],
        "overall_legend": [(k, COLORS.get(k, "#888")) for k in OVERALL_STATUSES],
        "files": _files(receipts), "n_new": sum(r.new for r in receipts),
        "stamps": [{"unit": u, "file": f} for u, f in s.stamps.items()],
        "stamps_lacking": [u for u, f in s.stamps.items() if not f], "alert": ALERT,
    }


def _cards(c: dict, s: Summary, file_counts: Counter) -> list[dict]:
    """The figures atop the page (label, value, id); those that may alert do when not 0."""
    cards = [("已报送单位", f"{c.get('reported', 0)}/{c.get('units', 0)}", "reported", False),
             ("镇街指标表", f"{c.get('town_forms', 0)}/{c.get('towns', 0)}", "towns", False),
             # (forms, a unit owing a report and a town form counts twice: not units)
             (official_marks("未报送(份)"), c.get("missing_reports", 0) + c.get("missing_towns", 0),
              "missing", True),
             ("逾期报送", c.get("late", 0), "late", True), ("任务数", c.get("tasks", 0), "tasks", False),
             (official_marks("滞后/未启动(条)"), len(s.lagging), "lagging", True),
             ("收到文件", sum(file_counts.values()), "files", False), ("错误", s.findings.errors, "errors", True)]
    return [{"label": label, "value": value, "id": key, "alert": may and bool(value)}
            for label, value, key, may in cards]


def _targets(t: Table) -> list[dict]:
    """The 量化指标 rows, 完成率 by the rate rule: a percentage, or 达标 / 未达标."""
    rows = _records(t)
    for r in rows:
        v = shown(r["完成率"] if r["完成率"] != "" else None, r["达标"])
        r["完成率"] = f"{v:.1%}" if isinstance(v, float) else (v or "")
    return rows


def _records(t: Table) -> list[dict]:
    return [{k: _clean(v) for k, v in r.items()} for r in t.records()]


def _clean(v):
    """A missing number (None or NaN) as ""."""
    return "" if is_missing(v) else v


def num(v) -> str:
    """A number as people write it: 12, 37.5, 8,000 (text unchanged, "" for nothing)."""
    v = _clean(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if float(v).is_integer():
        return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _files(receipts: list[ReceiptRow]) -> list[dict]:
    from ..model.periods import show_time
    return [{"time": show_time(r.received_at), "unit": r.unit, "form": r.form_label,
             "status": STATUS_LABELS.get(r.status, r.status), "status_code": r.status,
             "late": r.late, "evidence": r.evidence, "new": r.new,
             "errors": r.errors, "warnings": r.warnings, "file": r.display, "note": r.note}
            for r in sorted(receipts, key=lambda r: (r.received_at, r.display))]


def _contact(u) -> str:
    """A unit's 联系人 and 电话 as its findings section shows them (its name resolved by the
    register, aliases too, alike for the bundled template and an office's own)."""
    return "、".join(x for x in ((u.contact, u.phone) if u else ()) if x)


def _unit_findings(unit: str, contact: str, rows: list[ReceiptRow]) -> dict:
    items = [{"file": r.display, "form": r.form_label, "status": STATUS_LABELS.get(r.status, r.status),
              "where": "!".join(x for x in (f.sheet, f.cell) if x),
              "severity": f.severity, "error": f.severity == ERROR,
              "message": f.text, "value": f.value, "code": f.code}
             for r in rows for f in by_severity(r.findings)]
    return {"unit": unit or "未识别单位的文件", "known": bool(unit), "contact": contact,
            "errors": sum(i["error"] for i in items),
            "warnings": sum(i["severity"] == WARNING for i in items), "items": items}


# -- charts -------------------------------------------------------------------------------

def stacked_bars(rows: list[tuple[str, list[int]]], categories: list[str],
                 per_chart: int = 10 ** 9) -> list[dict]:
    """Geometry of horizontal stacked bars (one per row), cut into charts of `per_chart`
    rows; every chart shares one scale so bars compare across pages."""
    if not rows:
        return []
    biggest = max((sum(v) for _, v in rows), default=0) or 1
    label_w = min(220, 16 + 13 * max(len(name) for name, _ in rows))
    scale = BAR_AREA / biggest
    n_charts = -(-len(rows) // per_chart)
    per_chart = -(-len(rows) // n_charts)  # balanced: 45 units -> 15 + 15 + 15, not 22 + 22 + 1
    charts = []
    for start in range(0, len(rows), per_chart):
        bars = []
        for i, (name, values) in enumerate(rows[start:start + per_chart]):
            y = 8 + i * ROW_H
            x, segs = label_w, []
            for cat, n in zip(categories, values):
                if not n:
                    continue
                w = n * scale
                segs.append({"x": round(x, 1), "w": round(w, 1), "n": n, "cat": cat,
                             "color": COLORS.get(cat, "#888"),
                             "ink": "#222" if cat in LIGHT else "#fff",
                             "show": w >= 14})
                x += w
            bars.append({"name": name, "y": y, "ty": y + BAR_H - 3, "segs": segs,
                         "total": sum(values), "end": round(x + 6, 1)})
        charts.append({"bars": bars, "width": label_w + BAR_AREA + 50,
                       "height": 16 + len(bars) * ROW_H, "label_w": label_w, "bar_h": BAR_H,
                       "first": start + 1, "last": start + len(bars)})
    return charts
