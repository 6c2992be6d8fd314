"""Load and validate ``params.yaml`` before any compute.

Every pipeline stage calls :func:`load_params`; ``dvc exp run -S key=value`` rewrites ``params.yaml`` before
the stages run, so overrides are validated by the same code.  Validation is strict: unknown keys, missing
keys, wrong types (no ``"2"`` -> ``2`` coercion, no ``true`` where an int is expected) and out-of-range
values all raise :class:`ParamsError`, whose message lists *every* problem found, one per line, each naming
the full dotted key, the offending value and what would be valid.

The YAML is read with PyYAML's safe loader, amended in two ways:

* floats follow YAML 1.2 (the spec DVC writes with): ``1e-05`` is a float, whereas plain YAML 1.1 reads it
  as a string.  ``dvc exp run -S profiles.smoke.fgd.tolerance=1e-5`` writes exactly that form.
* duplicate mapping keys are an error instead of "last one wins".

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
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args

import typer
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from benchmarks.paths import PARAMS_PATH

__all__ = [
    "DISTRIBUTIONS",
    "FRAMEWORKS",
    "FUNCTIONS",
    "NETWORKS",
    "PROFILE_NAMES",
    "EstimatorParams",
    "FgdParams",
    "Params",
    "ParamsError",
    "Profile",
    "Profiles",
    "ProjectionParams",
    "StepCostParams",
    "app",
    "flatten_params",
    "load_params",
    "params_hash",
    "validate_params",
]

# --------------------------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------------------------

ProfileName = Literal["smoke", "default", "paper"]
Framework = Literal["pytorch", "jax"]
Function = Literal["quadratic", "rosenbrock"]
Network = Literal["mlp_digits"]
Distribution = Literal["gaussian", "rademacher", "sphere"]

PROFILE_NAMES: tuple[str, ...] = get_args(ProfileName)
FRAMEWORKS: tuple[str, ...] = get_args(Framework)
FUNCTIONS: tuple[str, ...] = get_args(Function)
NETWORKS: tuple[str, ...] = get_args(Network)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)

MAX_THREADS = 1024
SEED_LIMIT = 2**32
TARGET_RE = re.compile(r"cpu|cuda(?::(?:0|[1-9][0-9]*))?")
_TARGET_HINT = "'cpu', 'cuda' or 'cuda:N' with N a non-negative int (e.g. 'cuda:0')"


def _choices(names: tuple[str, ...]) -> str:
    return ", ".join(repr(n) for n in names)


def _fail(message: str, sub: str = "", value: Any = None) -> PydanticCustomError:
    """A validation error; ``sub`` (``"ks"``, ``"[3]"``) is appended to the error's location."""
    return PydanticCustomError("nobp", "{message}", {"message": message, "sub": sub, "value": value})


def _check_unique(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise _fail(f"duplicate entry (already listed before index {i})", f"[{i}]", v)
        seen.add(v)
    return values


def _check_increasing(values: list[int]) -> list[int]:
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            raise _fail(f"not strictly increasing: {values[i]} follows {values[i - 1]}", f"[{i}]", values[i])
    return values


_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

PosInt = Annotated[int, Field(ge=1)]


# --------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------


class EstimatorParams(BaseModel):
    """F1, F2, B1 (variance): forward-gradient samples at one point per task."""

    model_config = _STRICT

    functions: list[Function] = Field(
        min_length=1, description=f"non-empty list of unique names from {_choices(FUNCTIONS)}"
    )
    dims: list[Annotated[int, Field(ge=2)]] = Field(
        min_length=1, description="non-empty list of unique ints >= 2 (rosenbrock needs >= 2)"
    )
    network: Network = Field(description=f"one of {_choices(NETWORKS)}")
    distributions: list[Distribution] = Field(
        min_length=1, description=f"non-empty list of unique names from {_choices(DISTRIBUTIONS)}"
    )
    samples: int = Field(ge=64, description="int >= 64, at least 2 * max(ks)")
    ks: list[PosInt] = Field(
        min_length=1,
        description="non-empty, strictly increasing list of ints >= 1 with samples // max(ks) >= 2",
    )

    _unique = field_validator("functions", "dims", "distributions")(_check_unique)
    _increasing = field_validator("ks")(_check_increasing)

    @model_validator(mode="after")
    def _ks_fit_samples(self) -> Self:
        top = self.ks[-1]
        if top > self.samples:
            raise _fail(f"max(ks) = {top} exceeds samples = {self.samples}", "ks", self.ks)
        if self.samples // top < 2:
            raise _fail(
                f"samples // max(ks) = {self.samples} // {top} = {self.samples // top} replicate block(s); need >= 2",
                "ks",
                self.ks,
            )
        return self


class ProjectionParams(BaseModel):
    """B4: K tangents, mean vs orthogonal projection."""

    model_config = _STRICT

    dim: int = Field(ge=2, description="int >= 2, at least max(ks)")
    ks: list[PosInt] = Field(min_length=1, description="non-empty, strictly increasing list of ints >= 1, each <= dim")
    repeats: int = Field(ge=2, description="int >= 2")

    _increasing = field_validator("ks")(_check_increasing)

    @model_validator(mode="after")
    def _ks_fit_dim(self) -> Self:
        if self.ks[-1] > self.dim:
            raise _fail(f"max(ks) = {self.ks[-1]} exceeds dim = {self.dim}", "ks", self.ks)
        return self


class FgdParams(BaseModel):
    """B1 (iterations): forward-gradient descent on 1/2 |x|^2."""

    model_config = _STRICT

    dims: list[PosInt] = Field(min_length=1, description="non-empty list of unique ints >= 1")
    distributions: list[Distribution] = Field(
        min_length=1, description=f"non-empty list of unique names from {_choices(DISTRIBUTIONS)}"
    )
    seeds: int = Field(ge=2, description="int >= 2")
    max_iterations: int = Field(ge=1, description="int >= 1")
    tolerance: float = Field(gt=0.0, lt=1.0, description="float with 0 < tolerance < 1 (e.g. 1.0e-6)")

    _unique = field_validator("dims", "distributions")(_check_unique)


class StepCostParams(BaseModel):
    """Cost of a forward-gradient step over the JVP alone (MLP, one batch)."""

    model_config = _STRICT

    layers: list[PosInt] = Field(min_length=2, description="list of >= 2 ints >= 1 (layer widths)")
    batch: int = Field(ge=1, description="int >= 1")
    repeats: int = Field(ge=3, description="int >= 3")
    warmup: int = Field(ge=0, description="int >= 0")


class Profile(BaseModel):
    """One budget: exactly the blocks ``estimator``, ``projection``, ``fgd``, ``step_cost``."""

    model_config = _STRICT

    estimator: EstimatorParams = Field(description="mapping with keys " + ", ".join(EstimatorParams.model_fields))
    projection: ProjectionParams = Field(description="mapping with keys " + ", ".join(ProjectionParams.model_fields))
    fgd: FgdParams = Field(description="mapping with keys " + ", ".join(FgdParams.model_fields))
    step_cost: StepCostParams = Field(description="mapping with keys " + ", ".join(StepCostParams.model_fields))


_PROFILE_HINT = "mapping with keys " + ", ".join(Profile.model_fields)


class Profiles(BaseModel):
    """The available profiles; any subset of smoke/default/paper."""

    model_config = _STRICT

    smoke: Profile | None = Field(default=None, description=_PROFILE_HINT)
    default: Profile | None = Field(default=None, description=_PROFILE_HINT)
    paper: Profile | None = Field(default=None, description=_PROFILE_HINT)

    def present(self) -> list[str]:
        """Names of the profiles that are defined."""
        return [name for name in PROFILE_NAMES if getattr(self, name) is not None]


class Params(BaseModel):
    """The validated contents of ``params.yaml``."""

    model_config = _STRICT

    profile: ProfileName = Field(description=f"one of {_choices(PROFILE_NAMES)}, naming a block present in 'profiles'")
    seed: int = Field(ge=0, lt=SEED_LIMIT, description="int with 0 <= seed < 2**32 (4294967296)")
    target: str = Field(description=_TARGET_HINT)
    threads: int = Field(ge=1, le=MAX_THREADS, description=f"int with 1 <= threads <= {MAX_THREADS}")
    frameworks: list[Framework] = Field(
        min_length=1, description=f"non-empty list of unique names from {_choices(FRAMEWORKS)}"
    )
    profiles: Profiles = Field(
        description=f"mapping whose keys are among {_choices(PROFILE_NAMES)}, each a profile block"
    )

    _unique = field_validator("frameworks")(_check_unique)

    @field_validator("target")
    @classmethod
    def _target_pattern(cls, value: str) -> str:
        if not TARGET_RE.fullmatch(value):
            raise _fail("invalid device string", value=value)
        return value

    @model_validator(mode="after")
    def _profile_present(self) -> Self:
        if getattr(self.profiles, self.profile) is None:
            raise _fail(_profile_missing_message(self.profile, self.profiles.present()), "profile", self.profile)
        return self

    @property
    def active(self) -> Profile:
        """The profile selected by ``profile``."""
        prof = getattr(self.profiles, self.profile)
        assert prof is not None  # guaranteed by validation
        return prof


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


def _walk(loc: tuple[str | int, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """Follow ``loc`` through the models: (model found at ``loc``, field of the last named key)."""
    cls: type[BaseModel] | None = Params
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


def _format_error(err: Mapping[str, Any]) -> str:
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
        parent, _ = _walk(loc[:-1])
        where = f"'{_dotted(loc[:-1])}'" if loc[:-1] else "top level"
        valid = ", ".join(parent.model_fields) if parent is not None else "?"
        return f"unknown key '{loc[-1]}' at {where}; valid keys: {valid}"
    _, info = _walk(loc)
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
        {
            "loc": (),
            "type": "nobp",
            "msg": "",
            "ctx": {"message": _profile_missing_message(name, present), "sub": "profile", "value": name},
        }
    )


def validate_params(data: Any, source: str | Path = "params") -> Params:
    """Validate already-parsed data (e.g. a dict from YAML).

    Raises :class:`ParamsError` listing every problem found.
    """
    if not isinstance(data, Mapping):
        raise ParamsError(source, [f"top level must be a mapping of keys to values; got {_show(data)}"])
    try:
        return Params.model_validate(data, strict=True)
    except ValidationError as exc:
        problems = [_format_error(e) for e in exc.errors(include_url=False)]
    extra = _raw_profile_check(data)
    if extra is not None:
        problems.append(extra)
    raise ParamsError(source, list(dict.fromkeys(problems)))


# --------------------------------------------------------------------------------------------------------
# YAML loading
# --------------------------------------------------------------------------------------------------------

# YAML 1.2 core-schema floats (what DVC's ruamel writes and reads): '1e-05', '1.0e-6', '.5', '.inf', '.nan'.
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[0-9][0-9_]*[eE][-+]?[0-9]+)
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 floats and duplicate-key detection."""

    duplicates: list[str]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                continue
            if key in seen:
                self.duplicates.append(
                    f"duplicate key {key!r} at line {key_node.start_mark.line + 1}"
                    " (YAML would silently keep the last one)"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))
# Floats must win over ints for '1e5'-style scalars: put the float resolver first in each bucket.
for _bucket in _Loader.yaml_implicit_resolvers.values():
    _bucket.sort(key=lambda entry: entry[0] != "tag:yaml.org,2002:float")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(path, [f"file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError(path, [f"cannot read file: {exc}"]) from None
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        detail = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise ParamsError(path, [f"YAML syntax error{where}: {detail}"]) from None
    except yaml.YAMLError as exc:
        raise ParamsError(path, [f"YAML syntax error: {' '.join(str(exc).split())}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ParamsError(path, loader.duplicates)
    return data


def load_params(path: Path = PARAMS_PATH) -> Params:
    """Read and validate ``params.yaml``; raise :class:`ParamsError` listing every problem found."""
    path = Path(path)
    return validate_params(_read_yaml(path), source=path)


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
