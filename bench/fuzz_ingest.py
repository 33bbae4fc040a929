"""Fuzz the extract readers of `consortia ingest` with coverage-guided inputs (atheris).

Every input is read as a CSV extract and as a Parquet extract of a dataset the input picks;
reading may end only in records, quarantined records, or a `DataError` naming the file —
anything else (an uncaught exception, a record lost or invented) stops the run with the input
that caused it. The seed inputs are each dataset's header followed by rows in the quirks
extracts arrive with. Issue 14 asks for a million inputs: `make fuzz` runs that many (about
ten minutes on two cores); `--runs N` runs fewer.
Run: `.venv/bin/python bench/fuzz_ingest.py [--runs 1000000]` (needs the `fuzz` extra).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["consortia.ingest", "csv"]):
    from consortia.errors import DataError
    from consortia.ingest.pseudonym import Key
    from consortia.ingest.read import csv_batches, parquet_batches
    from consortia.schema import extract
    from consortia.schema.datasets import DATASETS

KEY = Key(b"\x00" * 32)
NAMES = list(DATASETS)


def _records(data: bytes, dataset: str, parquet: bool) -> None:
    """Read `data` whole; check that every record came out once (loaded or set aside)."""
    declared = DATASETS[dataset]
    reader = parquet_batches if parquet else csv_batches
    lines: list[int] = []
    try:
        for batch in reader(io.BytesIO(data), "fuzz", declared, KEY):
            lines += batch.records.column("_line").to_pylist()
            lines += [q.line for q in batch.quarantined]
    except DataError:
        return
    if len(lines) != len(set(lines)):
        raise AssertionError(f"a record was read twice: {sorted(lines)[:20]}")


def one_input(data: bytes) -> None:
    """The fuzzer's target: the first byte picks the dataset and the format."""
    if not data:
        return
    _records(data[1:], NAMES[data[0] % len(NAMES)], parquet=bool(data[0] & 0x80))


def seeds(folder: Path) -> None:
    """Seed inputs: each dataset's header and a few rows with the extracts' quirks."""
    for index, name in enumerate(NAMES):
        header = ",".join(extract.columns(DATASETS[name]))
        rows = [
            header,
            ",".join("943 476 5919" if c == extract.IDENTIFIER else "x" for c in header.split(",")),
            '"a\r\nb",=1,,' + "9" * 25,
        ]
        for number, text in enumerate(("\n".join(rows), "\ufeff" + "\r\n".join(rows))):
            (folder / f"{name}-{number}").write_bytes(bytes([index]) + text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    arguments = parser.parse_args()
    corpus = Path(tempfile.mkdtemp(prefix="consortia-fuzz-"))
    seeds(corpus)
    atheris.Setup(
        [
            sys.argv[0],
            f"-runs={arguments.runs}",
            "-max_len=4096",
            "-print_final_stats=1",
            str(corpus),
        ],
        one_input,
    )
    atheris.Fuzz()


if __name__ == "__main__":
    main()
