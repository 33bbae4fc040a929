"""At the most CCGs synth accepts, every organisation code is distinct and keeps its pattern."""

from __future__ import annotations

import re

import numpy as np

from consortia.schema.datasets import CCG_CODE, PRACTICE_CODE, PROVIDER_CODE
from consortia.synth.economy import MAX_CCGS
from consortia.synth.organisations import organisations


def test_codes_stay_distinct_and_valid_at_the_most_ccgs() -> None:
    orgs = organisations(np.random.default_rng(1), patients=MAX_CCGS * 2_000, n_ccgs=MAX_CCGS)
    for codes, pattern in (
        (orgs.ccgs.code, CCG_CODE),
        (orgs.practices.code, PRACTICE_CODE),
        (orgs.providers.code, PROVIDER_CODE),
    ):
        assert len(set(codes)) == len(codes)
        assert all(re.fullmatch(pattern, code) for code in codes)
    assert len(orgs.ccgs.code) == MAX_CCGS
