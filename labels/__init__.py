"""Label rendering: GS1 element strings, PDF (ReportLab) and ZPL; data in, bytes out.

The label kinds arrive with the labels issue. This package imports nothing of `wms`.
"""
