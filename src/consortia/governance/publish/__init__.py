"""The governance record as people read it: minutes, plans, registers and an index, as HTML
pages in the NHS design system that print cleanly, each fact naming the audit entries that
wrote it. Published only from a record the audit log proves."""

from consortia.governance.publish.write import publish_record

__all__ = ["publish_record"]
