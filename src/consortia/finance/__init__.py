"""Money: what each CCG should have (weighted capitation), what it is given (pace of change),
and every step between, printable and machine-readable so anyone can recompute it."""
