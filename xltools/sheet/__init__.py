"""Workbook layouts as data (Workbook, Sheet, Cell, Merge, styles, print pieces), below the stages.

Generators and report builders make these; `xltools.xlsx.writer` turns them into files.
Imports only `xltools.model`.
"""
