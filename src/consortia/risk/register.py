"""The case-management register a practice keeps from its list: the rule of the avoiding
unplanned admissions enhanced service (2014/15 to 2016/17), which asked each practice to keep
a register of at least 2% of its adults aged 18 and over (domain.md, risk stratification)."""

from __future__ import annotations

ADULT = 18  # the register counts adults: aged 18 and over
SHARE = 0.02  # its size: at least 2% of the practice's adults
