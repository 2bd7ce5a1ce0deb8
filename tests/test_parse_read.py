"""Reading notice files: encodings, .docx with a table, .doc without LibreOffice, bad files."""
from __future__ import annotations

import pytest

from xltools.parse import parse_notice_file
from xltools import office
from xltools.parse.read import decode_text, docx_content, read_notice_full

TEXT = "附件1\n\n一、主要工作目标\n\n1.地区生产总值增长8.5%。(责任单位:区发改局、各镇人民政府)\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le",
                                      "utf-16-be"])
def test_encodings_are_detected(tmp_path, encoding):
    p = tmp_path / "notice.txt"
    p.write_bytes(TEXT.encode(encoding))
    text, _, findings = read_notice_full(p)
    assert text.replace("\ufeff", "") == TEXT and findings == []
    r = parse_notice_file(p)
    assert r.plan is not None and r.plan.tasks[0].responsible_units == ["区发改局", "各镇人民政府"]


def test_damaged_bytes_are_reported_not_raised():
    text, findings = decode_text("区发改局".encode("gb18030") + b"\xff\xff\x81")
    assert text.startswith("区发改局")
    assert [f.code for f in findings] == ["notice-encoding-damaged"]


def test_docx_with_paragraphs_and_a_table(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("附件1")
    doc.add_paragraph("一、主要工作目标")
    doc.add_paragraph("1.地区生产总值增长8.5%。(责任单位:区发改局)")
    doc.add_paragraph("2.全社会固定资产投资增长12%。(责任单位:区发改局、区财政局)")
    doc.add_paragraph("附件2")
    table = doc.add_table(rows=4, cols=4)
    rows = [["责任单位", "序号", "全年目标任务", "责任领导"],
            ["区发改局", "1", "地区生产总值增长8.5%。", "王    飞"],
            ["", "2", "全社会固定资产投资增长12%。", ""],
            ["区财政局", "2", "全社会固定资产投资增长12%。", ""]]
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            table.cell(r, c).text = v
    table.cell(1, 0).merge(table.cell(2, 0))  # 区发改局 over two rows
    table.cell(1, 3).merge(table.cell(3, 3))  # the leader over the block
    table.cell(1, 3).text = "王    飞"
    path = tmp_path / "notice.docx"
    doc.save(path)
    text = docx_content(path)[0]
    assert text.count("区发改局") == 3  # twice in annex 1, once (merged) in the table
    r = parse_notice_file(path)
    assert [t.number for t in r.plan.tasks] == ["1", "2"]
    assert [(e.unit, e.leader, [n for n, _, _ in e.tasks]) for e in r.annex2] == [
        ("区发改局", "王飞", ["1", "2"]), ("区财政局", "王飞", ["2"])]
    assert r.plan.unit("区财政局").leader == "王飞"


def test_doc_without_libreoffice_gives_a_clear_message(tmp_path, monkeypatch):
    p = tmp_path / "notice.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0 not really a doc")
    monkeypatch.setattr(office, "find_soffice", lambda: None)  # not on PATH nor installed
    r = parse_notice_file(p, convert=office.docx_converter())
    assert r.plan is None
    assert [f.code for f in r.findings] == ["notice-needs-libreoffice"]
    assert "LibreOffice" in r.findings[0].message


def test_missing_and_unreadable_files(tmp_path):
    r = parse_notice_file(tmp_path / "nope.txt")
    assert r.plan is None and r.findings[0].code == "notice-unreadable"
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 broken zip")
    r = parse_notice_file(bad)
    assert r.plan is None and r.findings[0].code == "notice-unreadable"


@pytest.mark.office
def test_doc_through_libreoffice(tmp_path):
    if not office.find_soffice():
        pytest.skip("LibreOffice not installed")
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("1.地区生产总值增长8.5%。(责任单位:区发改局)")
    src = tmp_path / "n.docx"
    doc.save(src)
    import subprocess
    subprocess.run(["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path),
                    str(src)], check=False, capture_output=True, timeout=180)
    if not (tmp_path / "n.doc").exists():
        pytest.skip("LibreOffice could not write .doc here")
    r = parse_notice_file(tmp_path / "n.doc", convert=office.docx_converter())
    assert r.plan is not None and r.plan.tasks[0].responsible_units == ["区发改局"]


def test_register_as_a_path(tmp_path):
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    seed = root / "tests" / "data" / "seed_000_shashi_2019.txt"
    r = parse_notice_file(seed, register=root / "xltools" / "examples" / "shashi-2019" / "units.yaml")
    assert r.value is r.plan and r.plan.unit("锣场镇人民政府").name == "锣场镇"
    bad = tmp_path / "units.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    r = parse_notice_file(seed, register=bad)
    assert r.plan is not None and r.findings[0].code == "register-unreadable"


@pytest.mark.as_user
def test_unreadable_notices_and_registers_are_explained_in_chinese(tmp_path):
    """What a clerk reads when a notice or a unit list cannot be read: Chinese, and where
    the list went wrong; not the library's words and paths (PackageNotFoundError …,
    "while parsing a flow sequence"), which --debug still shows."""
    import re

    from xltools.model.errors import PlanFileError, settings
    from xltools.planfile import load_plan

    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 broken zip")
    message = parse_notice_file(bad).findings[0].message
    assert "Word" in message and not re.search(r"[A-Za-z]{4,}Error|Package|/tmp", message)
    seed = __import__("pathlib").Path(__file__).resolve().parent / "data" / "seed_000_shashi_2019.txt"
    for name, text in (("units.yaml", "units:\n  - name: 区发改局\n  - [1, 2\n"),
                       ("units.json", '{"units": [1,\n')):
        (tmp_path / name).write_text(text, encoding="utf-8")
        got = parse_notice_file(seed, register=tmp_path / name).findings[0]
        assert got.code == "register-unreadable" and "行附近" in got.message, got.message
        assert not re.search(r"[A-Za-z]{7,}", got.message.replace(name, "")), got.message
        with pytest.raises(PlanFileError, match="行附近") as e:
            load_plan(tmp_path / name)
        assert "while parsing" not in str(e.value) and "Expecting" not in str(e.value)
    # a file another program holds open (Windows refuses to share it): not "damaged"
    from xltools.planfile import load_plan as load
    import pathlib

    def locked(*_a, **_k):
        raise PermissionError(13, "Permission denied")
    plan_file = tmp_path / "units.yaml"
    real = pathlib.Path.read_text
    pathlib.Path.read_text = locked
    try:
        with pytest.raises(PlanFileError, match="正被其他程序") as e:
            load(plan_file)
        got = parse_notice_file(seed, register=plan_file).findings[0].message
    finally:
        pathlib.Path.read_text = real
    assert "正被其他程序" in got and "损坏" not in str(e.value) + got
    settings.debug = True  # (the maintainer's view: the library's words as well)
    try:
        assert "Error" in parse_notice_file(bad).findings[0].message
    finally:
        settings.debug = False
