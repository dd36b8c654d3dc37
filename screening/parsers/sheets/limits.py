"""The spreadsheet parsers' limits, in one place.

The code reads them as ``limits.NAME`` when it runs, never copies them at import, so a test
changes a limit with ``monkeypatch.setattr(limits, "MAX_CELLS", …)`` on this module. XML members
are bounded by `screening.parsers.xmlsafe` (`MAX_XML_PART` a member, `MAX_XML_TOTAL` a workbook).
"""

from __future__ import annotations

MAX_ENTRIES = 5000  # members of an .xlsx: more than this and nothing is read (as for a docx)
MAX_CELLS = 500_000  # cells with a value (or formula) read from one workbook; a budget sheet has a few hundred
MAX_XLS_AREA = 5_000_000  # python-calamine holds each .xls sheet as a dense grid (~56 bytes a cell): rows × columns, summed
MAX_MERGES = 20_000  # merged ranges of one sheet looked at (which cells a merge covers)
