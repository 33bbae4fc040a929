"""`python -m consortia` runs the command."""

from consortia.cli import entry

entry()
