"""A user's configuration file (TOML) validated into a model: one line naming the file, the
key and the rule for the first thing wrong, never a traceback."""

from __future__ import annotations

import tomllib
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from consortia.errors import DataError

Model = TypeVar("Model", bound=BaseModel)


def parse_toml(model: type[Model], name: str, text: str, rule: str) -> Model:
    """`text` (the file `name`) as `model`; TOML syntax and the model's rules checked."""
    try:
        return model.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise DataError(str(error), file=name, rule="TOML syntax") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise DataError(message, file=name, field=field, rule=rule) from None
