"""Open XML validity (issue 15): the workbooks the demo writes pass openxml-audit, a port of
Microsoft's Open XML SDK validator (the 汇总表's chart once had 18 empty <c:dLbls/> errors)."""
from __future__ import annotations

from pathlib import Path

import pytest

from xltools import api

audit = pytest.importorskip("openxml_audit", reason="openxml-audit (pip install -e .[test])")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    api.demo(out)
    return out


def _written(out: Path) -> list[Path]:
    """Every workbook xltools wrote, one period's forms standing for the other three (same
    code, another period name); the units' files (回收/, 台账_archive/) are not ours."""
    files = [p for p in sorted(out.rglob("*.xlsx"))
             if not {"回收", "台账_archive"} & set(p.relative_to(out).parts)]
    periods = sorted({p.parent.name for p in files if p.parent.parent == out
                      and p.parent.name.endswith("季度")})
    return [p for p in files if p.parent.name not in periods[1:]]


def test_every_written_workbook_passes_open_xml_validation(demo_dir):
    files = _written(demo_dir)
    kinds = {p.name.split("_")[0] for p in files}
    assert {"附件1", "附件2", "附件3", "发送清单.xlsx", "办理方案", "季度报表", "镇街指标", "汇总表",
            "校验报告"} <= kinds, kinds
    validator = audit.OpenXmlValidator()
    bad = {}
    for p in files:
        errors = [e for e in validator.validate(p).errors if str(e.severity).lower().endswith("error")]
        if errors:
            bad[str(p.relative_to(demo_dir))] = [(e.part_uri, e.path, e.description) for e in errors[:3]]
    assert not bad, bad
