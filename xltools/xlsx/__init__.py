"""The Excel boundary: the only package that imports xlsxwriter, openpyxl or python-calamine."""
