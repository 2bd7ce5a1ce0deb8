"""The few WordprocessingML details python-docx has no API for, each in one small function.

Everything else in xltools.word goes through python-docx's own objects; these functions
only add or set single elements, so a test can pin the XML each one writes.
"""
from __future__ import annotations

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn


def east_asia_font(rpr_parent, name: str) -> None:
    """Set the East Asian font of a run or style (python-docx's font.name sets ASCII only)."""
    rpr_parent.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def page_field(paragraph) -> None:
    """Append a PAGE field (the page number Word and LibreOffice compute) to a paragraph."""
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/>'
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>'
        '<w:fldChar w:fldCharType="separate"/><w:t xml:space="preserve">1</w:t>'
        '<w:fldChar w:fldCharType="end"/></w:r>'))


def doc_grid(section, line_pitch_twips: int | None, char_space: int = 0) -> None:
    """The section's 文档网格: lines and characters per page (docGrid linesAndChars);
    with None, no grid (an annex: LibreOffice lays long tables out on a grid very slowly)."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if line_pitch_twips is None:
        if grid is not None:
            sect.remove(grid)
        return
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))
    grid.set(qn("w:charSpace"), str(char_space))


def default_size(doc, points: float) -> None:
    """Document defaults: the font size the character grid counts in; Chinese text."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr.get_or_add_sz().set(qn("w:val"), str(round(points * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:  # Chinese line-breaking rules (no 。at a line's start)
        lang.set(qn("w:eastAsia"), "zh-CN")


def row_flags(row, header: bool = False) -> None:
    """A table row never split across pages; a header row also repeated on every page."""
    trpr = row._tr.get_or_add_trPr()
    for name in ["w:cantSplit", *(["w:tblHeader"] if header else [])]:
        if trpr.find(qn(name)) is None:
            trpr.append(OxmlElement(name))


def bottom_rule(paragraph) -> None:
    """A rule under a paragraph: the red 版头 分隔线 (1.5 pt) under the 发文字号."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = parse_xml(f'<w:pBdr {nsdecls("w")}>'
                    '<w:bottom w:val="single" w:sz="12" w:space="6" w:color="FF0000"/></w:pBdr>')
    # schema order: pBdr comes before these (python-docx keeps its own in order)
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:snapToGrid", "w:spacing", "w:ind",
                              "w:jc", "w:outlineLvl", "w:rPr", "w:sectPr")
