"""Disclosure control: the one release function every figure leaves through, with the rule
each audience is given (`release`), and how a figure declares what it publishes (`publication`)."""
