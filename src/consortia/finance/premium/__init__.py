"""The quality premium: a year's scheme as a rules file, evaluated for a CCG from the lake and
the inputs only the CCG holds, every step shown."""
