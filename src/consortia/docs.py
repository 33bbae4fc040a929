"""Generated documentation: the data dictionary (from the schema) and the CLI reference.

`consortia docs` writes them; a test fails when the committed files differ from what the
code would write, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from consortia.errors import ExitCode
from consortia.schema.codes import ALL_CODE_LISTS
from consortia.schema.datasets import DATASETS
from consortia.schema.model import Dataset
from consortia.schema.reference_tables import REFERENCE_TABLES, provenance
from consortia.synth import params
from consortia.synth.targets import targets

DATA_INTRO = """\
# Data dictionary

*Generated from `consortia.schema` by `consortia docs`; do not edit by hand.*

A lake is a folder with one sub-folder per dataset, each holding Parquet files. No dataset
holds a name, address or NHS number. In a synthetic lake, patient identifiers are a keyed
bijection of a row counter whose mixing steps are public: unique and unordered, but reversible
by anyone who knows the seed the key is derived from — a pseudonym, not a one-way hash, and
derived from no NHS number. A lake made by `consortia ingest` from extracts holds a keyed
one-way hash (HMAC-SHA256) of each NHS number instead, under a key kept apart from the lake
([ingest.md](ingest.md)); an extract has the columns below with `nhs_number` in place of
`patient_id`. `consortia check --data LAKE` checks a lake against every rule below and names
the file, row, field and rule of each break.

Consortia keeps two notes of its own beside the datasets, both safe to delete (they are made
again when needed) and both void the moment a part changes (they name each part by its size,
modification time and inode, as git's index does): `_checked.json`, the stamp of a clean
check, so a pack does not check an unchanged lake again; and `_derived/`, results over every
patient in the lake (the reference populations and rates every CCG is compared with, and
practice-level counts each CCG's figures are sliced from; the registrations with their
patients' columns, so that join is made once) and each figure's SQL, named by the
code that made them, so every CCG's pack after the first reads them instead of the whole lake.
A lake that cannot be written is checked and computed afresh each time.
"""

SYNTH_INTRO = """\
## The synthetic health economy

`consortia synth` generates a lake of this shape with the statistical structure of an English
health economy in 2013/14 and 2014/15. Levels are calibrated (at run time, on a fixed
England-like reference population) to the published figures below; shapes — how rates vary
with age, sex, deprivation, long-term conditions, latent frailty, prior use, season and
practice — are the generator's stated assumptions, in `consortia/synth/params.py` and the
catalogues beside it. The calibration tests check generated lakes against each target within
its tolerance.

`--preset england` generates England's shape: 211 CCGs whose registered lists have the median,
smallest and largest of the ONS mid-2012 CCG populations (221,000; 63,100; 869,400), 56 million
patients in about 7,900 practices (`consortia/synth/presets.py`). Patients are generated in
blocks of about 50,000, each written as it finishes, so memory stays bounded whatever the size.
The lake is written beside its destination (`.LAKE.partial`) and moved into place only when
complete; a run that is interrupted or killed keeps the blocks it finished there, and the same
command run again goes on from them (every part is written whole and has one name, so none is
torn or written twice; a run with another seed or size starts afresh).

Emergency admission follows a documented risk equation: admissions in a year are Poisson
with rate = level × age–sex rate × exp(deprivation + Σ register log rate ratios + frailty +
practice effect + {prior_emergency} × min(prior emergency admissions, {emergency_cap}) +
{prior_ae} × min(prior A&E attendances, {ae_cap})). Each patient's true second-year rate and
probability of at least one admission are written to the ground-truth folder
(`LAKE-truth/emergency_risk/`), with each practice's true effects and the practices made
outlying (`practice_effects.parquet`), each CCG's true local investment per head, and the
model's levels (`model.json`).

The population moves as a real one does. Deaths follow an ageing (Gompertz) hazard through the
period, less a yearly mortality improvement, with each winter's excess as ONS published it
(December–March). Practices close or merge: a closing practice's patients re-register that day
at up to three nearby practices of the same CCG (a merger sends them all to one), the patient
row shows their latest practice and `registration` each registration; payments follow the list
quarter by quarter, pro rata in the quarter of closure and none after. Each CCG's age structure
follows its region's share aged 65 and over. Disease registers keep the QOF business rules'
register conditions: minimum ages {min_ages}; earliest diagnosis dates {earliest}; no entry
before birth.

Primary diagnoses come from catalogues beside the generator (`emergency_diagnoses.csv`, about
430 ICD-10 codes weighted by chapter and age group, some open only to infants or to women of
child-bearing age; `elective_procedures.csv`, about 160 diagnoses with their procedures), each
grouped to an HRG priced in the tariff. No spell starts while the same patient is an inpatient
(a later admission waits for the discharge); outpatient clinics run on working days, with a
few Saturday clinics and none on bank holidays; A&E attendances carry their department type
(1 major, 2 single specialty, 3 minor injury unit or walk-in centre), and only type 1
departments admit.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _dataset_section(dataset: Dataset) -> list[str]:
    lines = [f"### `{dataset.name}`", "", f"{dataset.description} One row per {dataset.grain[8:]}."]
    if dataset.key:
        lines.append(f"Key: {', '.join(f'`{k}`' for k in dataset.key)}.")
    lines += ["", "| column | type | description | rules |", "|---|---|---|---|"]
    for c in dataset.columns:
        rules = "; ".join(c.rules())
        lines.append(f"| `{c.name}` | {c.dtype} | {_cell(c.description)} | {_cell(rules)} |")
    if dataset.checks:
        lines += [
            "",
            "Row rules: " + "; ".join(_cell(check.rule) for check in dataset.checks) + ".",
        ]
    return [*lines, ""]


def data_dictionary() -> str:
    """docs/data.md."""
    lines = [DATA_INTRO, "## Datasets", ""]
    for dataset in DATASETS.values():
        lines += _dataset_section(dataset)
    lines += ["## Code lists", ""]
    for code_list in ALL_CODE_LISTS:
        source = f" ({code_list.source})" if code_list.source else ""
        lines += [f"### `{code_list.name}`{source}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{code}` | {_cell(meaning)} |" for code, meaning in code_list.codes.items()]
        lines.append("")
    lines += ["## Reference tables", "", "Shipped in `consortia/schema/reference/`.", ""]
    sources = provenance()
    for dataset in REFERENCE_TABLES.values():
        lines += _dataset_section(dataset)
        entry = sources.get(dataset.name, {})
        lines += _provenance_lines(entry)
    intro = SYNTH_INTRO.format(
        prior_emergency=params.PRIOR_EMERGENCY_COEF,
        emergency_cap=params.PRIOR_EMERGENCY_CAP,
        prior_ae=params.PRIOR_AE_COEF,
        ae_cap=params.PRIOR_AE_CAP,
        min_ages=", ".join(f"{c} {a}+" for c, a in params.CONDITION_MIN_AGE.items()),
        earliest=", ".join(f"{c} from {d:%-d %B %Y}" for c, d in params.CONDITION_EARLIEST.items()),
    )
    lines += [
        intro,
        "| target | value | unit | tolerance | source | status |",
        "|---|---|---|---|---|---|",
    ]
    for t in targets().values():
        source = (
            f"[{_cell(t.source)}]({t.url}) ({t.published})"
            if t.url.startswith("http")
            else _cell(t.source)
        )
        tolerance = f"±{t.tolerance:.0%}"
        lines.append(
            f"| `{t.name}` | {t.value:g} | {_cell(t.unit)} | {tolerance} | {source} | {t.status} |"
        )
    notes = [t for t in targets().values() if t.note]
    if notes:
        lines += ["", "Notes on the targets:", ""]
        lines += [f"- `{t.name}`: {_cell(t.note)}" for t in notes]
    return "\n".join(lines).rstrip() + "\n"


def _provenance_lines(entry: dict[str, Any]) -> list[str]:
    if not entry:
        return []
    lines = []
    parts = {k: v for k, v in entry.items() if not isinstance(v, dict)}
    if parts:
        lines.append(_source_line(parts))
    for name, sub in entry.items():
        if isinstance(sub, dict):
            lines.append(f"- value set `{name}`: " + _source_line(sub)[2:])
    return [*lines, ""]


def _source_line(entry: dict[str, Any]) -> str:
    title = entry.get("title", "")
    url = entry.get("url", "")
    linked = f"[{_cell(title)}]({url})" if str(url).startswith("http") else _cell(title)
    extra = f" {_cell(entry['notes'])}" if entry.get("notes") else ""
    licence = f" Licence: {entry['licence']}." if entry.get("licence") else ""
    published = f"{entry.get('publisher', '')}, {entry.get('published', '')}"
    return f"- Source: {linked}, {published}.{licence}{extra}"


def cli_reference(app: typer.Typer) -> str:
    """docs/cli.md: every command's --help, and the exit codes."""
    command = typer.main.get_group(app)
    command.rich_markup_mode = None  # plain text help, as a terminal without colour shows it
    lines = [
        "# Command-line reference",
        "",
        "*Generated from the commands' own help by `consortia docs`; do not edit by hand.*",
        "",
        "## Exit codes",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    meanings = {
        ExitCode.OK: "success",
        ExitCode.INTERNAL: "an internal error (a bug: please report it)",
        ExitCode.USAGE: "a bad argument or option; the one-line message says which",
        ExitCode.DATA: "bad or missing input data; the message names the file, row, field and rule",
        ExitCode.RESOURCES: "the engine ran out of the memory it may use; the message says why",
    }
    lines += [f"| {int(code)} | {meaning} |" for code, meaning in meanings.items()]
    lines += ["", *_settings_section()]
    context = command.make_context(
        "consortia", [], resilient_parsing=True, terminal_width=88, max_content_width=88
    )
    lines += ["## `consortia`", "", "```", command.get_help(context), "```", ""]
    for name in sorted(command.list_commands(context)):
        sub = command.get_command(context, name)
        if sub is None:
            continue
        sub.rich_markup_mode = None  # type: ignore[attr-defined]
        sub_context = sub.make_context(
            name,
            [],
            parent=context,
            resilient_parsing=True,
            terminal_width=88,
            max_content_width=88,
        )
        lines += [f"## `consortia {name}`", "", "```", sub.get_help(sub_context), "```", ""]
        lines += _subcommands(sub, sub_context, f"consortia {name}")
    return "\n".join(lines).rstrip() + "\n"


def _settings_section() -> list[str]:
    """Every setting a command reads from the environment, from the settings model itself."""
    from consortia.config import Settings

    prefix = Settings.model_config.get("env_prefix", "")
    lines = ["## Settings", "", "Read from the environment by every command.", ""]
    lines += ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "see meaning"
        else:
            default = "unset" if field.default is None else f"`{field.default}`"
        variable = f"`{prefix}{name.upper()}`"
        lines.append(f"| {variable} | {default} | {_cell(field.description or '')} |")
    return [*lines, ""]


def _subcommands(group: Any, context: Any, prefix: str) -> list[str]:
    """The help of each command of a command group (e.g. `consortia gov`)."""
    lines: list[str] = []
    for name in getattr(group, "commands", {}):
        sub = group.get_command(context, name)
        sub.rich_markup_mode = None
        sub_context = sub.make_context(
            name,
            [],
            parent=context,
            resilient_parsing=True,
            terminal_width=88,
            max_content_width=88,
        )
        lines += [f"### `{prefix} {name}`", "", "```", sub.get_help(sub_context), "```", ""]
    return lines


def write_generated(folder: Path, app: typer.Typer) -> list[Path]:
    """Write the generated documents into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("data.md", data_dictionary()), ("cli.md", cli_reference(app))):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
