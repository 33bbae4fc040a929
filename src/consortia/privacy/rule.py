"""The small-number rules the release applies, one for each audience, as the CCG sets them.

The public's rule is NHS Digital's (counts of 1 to 7 withheld, the rest rounded to the nearest
5) or stricter: a CCG may withhold more and round coarser, never less. The rule for what the
commissioning roles read (the governing body, whose papers are often published with its
meetings) is exact by default and may be set anywhere from exact up to the public's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from consortia.config import Settings
from consortia.errors import UsageError


@dataclass(frozen=True)
class Rule:
    """Counts of people from 1 to `threshold` withheld (0: none); the rest rounded to the
    nearest `multiple` (1: as they are)."""

    threshold: int
    multiple: int

    @property
    def exact(self) -> bool:
        """Whether the rule leaves every count as it is."""
        return self.threshold == 0 and self.multiple == 1

    def words(self) -> str:
        """What the rule does to counts, in words."""
        said = []
        if self.threshold:
            said.append(f"counts of 1 to {self.threshold} are withheld")
        if self.multiple > 1:
            said.append(
                f"{'other ' if self.threshold else ''}counts rounded to the nearest {self.multiple}"
            )
        return " and ".join(said) or "counts are as counted"


STANDARD = Rule(threshold=7, multiple=5)  # NHS Digital's HES rule; OpenSAFELY's release policy
EXACT = Rule(threshold=0, multiple=1)


@dataclass(frozen=True)
class Rules:
    """The rule for each audience: the public's and the commissioning roles' (internal)."""

    public: Rule = STANDARD
    internal: Rule = EXACT

    def __post_init__(self) -> None:
        public, internal = self.public, self.internal
        if public.threshold < STANDARD.threshold or public.multiple % STANDARD.multiple:
            raise UsageError(
                f"the public's small-number rule may be stricter than counts of 1 to "
                f"{STANDARD.threshold} withheld and the rest rounded to {STANDARD.multiple}, "
                f"never looser (set: 1 to {public.threshold}, rounded to {public.multiple})"
            )
        if (
            not 0 <= internal.threshold <= public.threshold
            or internal.multiple < 1
            or (public.multiple % internal.multiple)
        ):
            raise UsageError(
                "the commissioning roles' rule runs from exact (withhold none, round to 1) to "
                f"the public's (withhold 1 to {public.threshold}, round to {public.multiple}; "
                "its rounding a divisor of the public's); set: withhold 1 to "
                f"{internal.threshold}, round to {internal.multiple}"
            )


def rules_of(settings: Settings) -> Rules:
    """The rules a process's settings set (a one-line error if they would loosen one)."""
    return Rules(
        public=Rule(settings.public_threshold, settings.public_multiple),
        internal=Rule(settings.internal_threshold, settings.internal_multiple),
    )
