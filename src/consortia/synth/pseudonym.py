"""Synthetic identifiers: a keyed bijection of 63-bit integers, vectorised.

Identifiers are unique by construction (a bijection cannot collide) and look unordered. They
are not a one-way hash and hide nothing: the mixing steps (add the key, then xor-shifts and
odd multiplications by the public splitmix64 constants, modulo 2^63) are each invertible, and
the key is derived from the seed, which the lake's manifest records. Anyone with the seed can map a
pseudonym back to its block and row. That is enough for synthetic data, which describes no
one; real NHS numbers need a keyed one-way hash with a secret key, made at ingest.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MASK = np.uint64((1 << 63) - 1)
_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def key_for(seed: int) -> np.uint64:
    """A 63-bit key derived from the seed."""
    state = np.random.SeedSequence([seed, 0x5EED]).generate_state(1, dtype=np.uint64)[0]
    return np.uint64(state) & _MASK


def pseudonymise(values: npt.NDArray[np.int64], key: np.uint64) -> npt.NDArray[np.int64]:
    """Map non-negative 63-bit integers one-to-one onto pseudonyms in the same range.

    The map is invertible by design (each step is); see the module docstring."""
    x = (values.astype(np.uint64) + key) & _MASK
    x ^= x >> np.uint64(31)
    x = (x * _MULTIPLIERS[0]) & _MASK
    x ^= x >> np.uint64(29)
    x = (x * _MULTIPLIERS[1]) & _MASK
    x ^= x >> np.uint64(32)
    return x.astype(np.int64)


def block_sequence(block: int, count: int) -> npt.NDArray[np.int64]:
    """Identifiers 0… of a block, unique across blocks (block number in the high bits)."""
    return (np.int64(block) << np.int64(32)) + np.arange(count, dtype=np.int64)
