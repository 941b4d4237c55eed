"""Reports as one self-contained HTML page: a size map, a layer chart, sortable tables.

:mod:`auger.report.html.report` renders an image's report and an image diff; the pieces
(:mod:`~auger.report.html.page`, :mod:`~auger.report.html.tables`,
:mod:`~auger.report.html.charts`, :mod:`~auger.report.html.treemap`) know nothing of reports, so
another command can build its own page from them. Every name from an image goes through
:mod:`~auger.report.html.escape`.
"""
