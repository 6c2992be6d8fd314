"""Load and validate ``params.yaml`` before any compute.

Every pipeline stage calls :func:`load_params`; ``dvc exp run -S key=value`` rewrites ``params.yaml`` before
the stages run, so overrides are validated by the same code.  Validation is strict: unknown keys, missing
keys, wrong types (no ``"2"`` -> ``2`` coercion, no ``true`` where an int is expected) and out-of-range
values all raise :class:`ParamsError`, whose message lists *every* problem found, one per line, each naming
the full dotted key, the offending value and what would be valid.

The YAML is read with ruamel.yaml's safe loader (YAML 1.2, the spec DVC writes ``-S`` overrides with: ``1e-05``
is a float; duplicate keys are an error instead of "last one wins") and validated with pydantic. A profile
holds one block per study (``profiles.<profile>.<study>.<experiment>.<key>``); the block models come from
the studies themselves (:func:`params_model`), so adding a study edits nothing here.

Public API: :class:`ParamsError`, :class:`Params` (with :attr:`Params.active`), :func:`load_params`,
:func:`validate_params`, :func:`params_hash`, :func:`flatten_params` and the typer sub-app :data:`app`
(mounted by the main CLI as ``nobp params``).  No framework imports here.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self, get_args

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, unique
from benchmarks.paths import PARAMS_PATH
from benchmarks.study import load_study, study_packages

__all__ = [
    "FRAMEWORKS",
    "PROFILE_NAMES",
    "Params",
    "ParamsError",
    "app",
    "flatten_params",
    "load_params",
    "params_hash",
    "params_model",
    "validate_params",
]

# --------------------------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------------------------

ProfileName = Literal["smoke", "default", "paper"]
Framework = Literal["pytorch", "jax"]

PROFILE_NAMES: tuple[str, ...] = get_args(ProfileName)
FRAMEWORKS: tuple[str, ...] = get_args(Framework)

MAX_THREADS = 1024
SEED_LIMIT = 2**32
TARGET_RE = re.compile(r"cpu|cuda(?::(?:0|[1-9][0-9]*))?")
_TARGET_HINT = "'cpu', 'cuda' or 'cuda:N' with N a non-negative int (e.g. 'cuda:0')"


# --------------------------------------------------------------------------------------------------------
# Models: the top level is fixed; a profile has one block per study, built from the discovered studies
# --------------------------------------------------------------------------------------------------------


class Params(BaseModel):
    """The validated contents of ``params.yaml`` (``profiles`` is typed by :func:`params_model`)."""

    model_config = STRICT

    profile: ProfileName = Field(description=f"one of {choices(PROFILE_NAMES)}, naming a block present in 'profiles'")
    seed: int = Field(ge=0, lt=SEED_LIMIT, description="int with 0 <= seed < 2**32 (4294967296)")
    target: str = Field(description=_TARGET_HINT)
    threads: int = Field(ge=1, le=MAX_THREADS, description=f"int with 1 <= threads <= {MAX_THREADS}")
    frameworks: list[Framework] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(FRAMEWORKS)}"
    )
    profiles: Any = Field(description=f"mapping whose keys are among {choices(PROFILE_NAMES)}, each a profile block")

    _unique = field_validator("frameworks")(unique)

    @field_validator("target")
    @classmethod
    def _target_pattern(cls, value: str) -> str:
        if not TARGET_RE.fullmatch(value):
            raise fail("invalid device string", value=value)
        return value

    @model_validator(mode="after")
    def _profile_present(self) -> Self:
        if getattr(self.profiles, self.profile) is None:
            raise fail(_profile_missing_message(self.profile, self.profiles.present()), "profile", self.profile)
        return self

    @property
    def active(self) -> Any:
        """The profile selected by ``profile`` (attributes: one block per study)."""
        return getattr(self.profiles, self.profile)


class MicrobenchParams(BaseModel):
    """Engine block ``profiles.<profile>.microbench``: the pytest-benchmark micro-benchmarks of the steps
    (the fields of :class:`benchmarks.microbench.BenchSetup`): logistic regression, the MLP and the CNN on
    ``side`` x ``side`` inputs."""

    model_config = STRICT

    side: int = Field(ge=4, multiple_of=4, description="int >= 4, divisible by 4 (image side; inputs side*side)")
    hidden: list[PosInt] = Field(min_length=1, description="non-empty list of ints >= 1 (MLP hidden widths)")
    channels: PosInt = Field(description="int >= 1 (CNN convolution channels)")
    fc: PosInt = Field(description="int >= 1 (CNN fully connected width)")
    batch: PosInt = Field(description="int >= 1")
    rounds: int = Field(ge=3, description="int >= 3 (timed rounds per benchmark)")
    warmup_rounds: int = Field(ge=0, description="int >= 0 (untimed rounds before them)")


class _ProfilesBase(BaseModel):
    model_config = STRICT

    def present(self) -> list[str]:
        """Names of the profiles that are defined."""
        return [name for name in PROFILE_NAMES if getattr(self, name) is not None]


@cache
def params_model(studies: tuple[str, ...] | None = None) -> type[Params]:
    """The Params model whose profiles hold one block per study.

    ``studies=None`` validates every discovered study's block (``nobp params check``, the claims and report
    stages). A tuple validates only those studies' blocks and accepts the others unchecked: an experiment
    stage imports only its own study's params model, so its pipeline dependencies stay exact.
    """
    names = tuple(study_packages()) if studies is None else studies
    blocks = {name: load_study(name).load_params_model() for name in names}
    config = STRICT if studies is None else ConfigDict(**{**STRICT, "extra": "allow"})
    fields = {name: (model, Field(description=block_hint(model))) for name, model in blocks.items()}
    fields["microbench"] = (MicrobenchParams, Field(description=block_hint(MicrobenchParams)))
    profile = create_model("Profile", __config__=config, __doc__="One budget: a block per study.", **fields)
    hint = "mapping with keys " + ", ".join(fields)
    profiles = create_model(
        "Profiles",
        __base__=_ProfilesBase,
        **{name: (profile | None, Field(default=None, description=hint)) for name in PROFILE_NAMES},
    )
    return create_model(
        "Params", __base__=Params, profiles=(profiles, Field(description=Params.model_fields["profiles"].description))
    )


def _profile_missing_message(name: str, present: list[str]) -> str:
    return f"profile '{name}' is not defined under 'profiles' (defined: {', '.join(present) or 'none'})"


# --------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------


class ParamsError(ValueError):
    """``params.yaml`` is missing, unreadable or invalid; the message lists every problem, one per line."""

    def __init__(self, source: str | Path, problems: list[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        n = len(self.problems)
        header = f"{self.source}: {n} problem{'s' if n != 1 else ''}"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def _model_class(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel subclass inside ``annotation`` (unwrapping ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_class(arg)
            if found is not None:
                return found
    return None


def _walk(root: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """Follow ``loc`` through the models from ``root``: (model found at ``loc``, field of the last named key)."""
    cls: type[BaseModel] | None = root
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if cls is None or part not in cls.model_fields:
            return None, None
        info = cls.model_fields[part]
        cls = _model_class(info.annotation)
    return cls, info


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _format_error(root: type[BaseModel], err: Mapping[str, Any]) -> str:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    message = str(err["msg"])
    if kind == "nobp":
        sub = ctx.get("sub") or ""
        if sub.startswith("["):
            loc = (*loc, int(sub[1:-1]))
        elif sub:
            loc = (*loc, sub)
        value = ctx.get("value")
        message = str(ctx["message"])
    if kind == "extra_forbidden":
        parent, _ = _walk(root, loc[:-1])
        where = f"'{_dotted(loc[:-1])}'" if loc[:-1] else "top level"
        valid = ", ".join(parent.model_fields) if parent is not None else "?"
        return f"unknown key '{loc[-1]}' at {where}; valid keys: {valid}"
    _, info = _walk(root, loc)
    hint = info.description if info is not None and info.description else None
    key = _dotted(loc) or "<top level>"
    if kind == "missing":
        return f"{key}: missing key" + (f"; valid: {hint}" if hint else "")
    line = f"{key}: {message}; got {_show(value)}"
    return line + (f"; valid: {hint}" if hint else "")


def _raw_profile_check(data: Mapping[str, Any]) -> str | None:
    """``profile`` must name a block of ``profiles`` -- checked on the raw data so the problem is reported
    even when other parts of the file are invalid (pydantic skips model validators then)."""
    name, profiles = data.get("profile"), data.get("profiles")
    if not (isinstance(name, str) and name in PROFILE_NAMES and isinstance(profiles, Mapping)):
        return None
    if profiles.get(name) is not None:
        return None
    present = [k for k in PROFILE_NAMES if profiles.get(k) is not None]
    return _format_error(
        Params,
        {
            "loc": (),
            "type": "nobp",
            "msg": "",
            "ctx": {"message": _profile_missing_message(name, present), "sub": "profile", "value": name},
        },
    )


def validate_params(data: Any, source: str | Path = "params", studies: tuple[str, ...] | None = None) -> Params:
    """Validate already-parsed data (e.g. a dict from YAML); ``studies`` as in :func:`params_model`.

    Raises :class:`ParamsError` listing every problem found.
    """
    model = params_model(studies)
    if not isinstance(data, Mapping):
        raise ParamsError(source, [f"top level must be a mapping of keys to values; got {_show(data)}"])
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        problems = [_format_error(model, e) for e in exc.errors(include_url=False)]
    extra = _raw_profile_check(data)
    if extra is not None:
        problems.append(extra)
    raise ParamsError(source, list(dict.fromkeys(problems)))


# --------------------------------------------------------------------------------------------------------
# YAML loading
# --------------------------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    """ruamel.yaml's safe loader: YAML 1.2 (the spec DVC writes ``-S`` overrides with, so ``1e-05`` is a
    float and ``yes`` a string) and duplicate keys rejected."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(path, [f"file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError(path, [f"cannot read file: {exc}"]) from None
    try:
        return YAML(typ="safe", pure=True).load(text)
    except DuplicateKeyError as exc:
        key = re.search(r'duplicate key "([^"]*)"', str(exc.problem))
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else "?"
        name = key.group(1) if key else "?"
        raise ParamsError(
            path, [f"duplicate key '{name}' at line {line} (only one value per key is allowed)"]
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        detail = "; ".join(" ".join(str(part).split()) for part in (exc.context, exc.problem) if part)
        raise ParamsError(path, [f"YAML syntax error{where}: {detail}"]) from None
    except YAMLError as exc:
        raise ParamsError(path, [f"YAML syntax error: {' '.join(str(exc).split())}"]) from None


def load_params(path: Path | None = None, studies: tuple[str, ...] | None = None) -> Params:
    """Read and validate ``path`` (default: the repository's ``params.yaml``) -- every study's block, or only
    ``studies``'; raise :class:`ParamsError` listing every problem found."""
    path = Path(path) if path is not None else PARAMS_PATH
    return validate_params(_read_yaml(path), source=path, studies=studies)


# --------------------------------------------------------------------------------------------------------
# Hashing and flattening
# --------------------------------------------------------------------------------------------------------


def _canonical(params: Params) -> Any:
    return params.model_dump(mode="json", exclude_none=True)


def params_hash(params: Params) -> str:
    """First 12 hex digits of the SHA-256 of the canonical JSON of the whole validated config.

    Independent of key order, comments and YAML formatting; any value change changes it.
    """
    blob = json.dumps(_canonical(params), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _flat_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _flatten_into(out: dict[str, str], prefix: str, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten_into(out, f"{prefix}.{k}" if prefix else str(k), v)
    else:
        out[prefix] = _flat_value(value)


def flatten_params(params: Params, active_only: bool = True) -> dict[str, str]:
    """Dotted-key ``{name: str}`` view for MLflow ``log_params``.

    Top-level scalars (``profile``, ``seed``, ``target``, ``threads``, ``frameworks``) plus the active
    profile's blocks as ``estimator.samples``, ``fgd.tolerance`` ...; lists become compact JSON
    (``[1,2,4]``), strings stay bare.  With ``active_only=False`` every defined profile is added too, as
    ``profiles.<name>.<block>.<key>``.
    """
    data = _canonical(params)
    profiles = data.pop("profiles")
    out: dict[str, str] = {}
    _flatten_into(out, "", data)
    _flatten_into(out, "", profiles[params.profile])
    if not active_only:
        _flatten_into(out, "profiles", profiles)
    return out


# --------------------------------------------------------------------------------------------------------
# CLI: `nobp params ...`
# --------------------------------------------------------------------------------------------------------

app = typer.Typer(help="Validate the run configuration (params.yaml).", no_args_is_help=True)


@app.callback()
def _params_group() -> None:
    """Validate the run configuration (params.yaml)."""


@app.command("check")
def check(
    path: Path = typer.Option(PARAMS_PATH, "--path", help="params file to validate", show_default=True),
) -> None:
    """Validate params.yaml; exit 0 if valid, 2 (listing every problem) if not."""
    try:
        params = load_params(path)
    except ParamsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    typer.echo(
        f"params.yaml OK: profile={params.profile}, target={params.target}, threads={params.threads}, "
        f"frameworks={','.join(params.frameworks)}, hash={params_hash(params)}"
    )
