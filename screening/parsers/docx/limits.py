"""The docx parser's limits, in one place (see `package` for what each guards and why).

The code reads them as ``limits.NAME`` when it runs, never copies them at import, so a test
changes a limit with ``monkeypatch.setattr(limits, "MAX_MEDIA_PART", …)`` on this module. The
XML members have their own bounds in `screening.parsers.xmlsafe` (`MAX_XML_PART`, …).
"""

from __future__ import annotations

MB = 1024 * 1024
MAX_ENTRIES = 5000  # the whole archive: more members than this and nothing is read
MAX_MEDIA_PART = 64 * MB  # one picture (or other non-XML member) larger than this, inflated, is not inflated
MAX_TOTAL_BYTES = 500 * MB  # pictures and other non-XML members inflated in all (XML: xmlsafe's own bounds)
MAX_PICTURE_PROBLEMS = 20  # pictures reported one by one; any more are counted in one more problem
MAX_DOCVAR = 2000  # longer document variables are add-in data blobs, not text
