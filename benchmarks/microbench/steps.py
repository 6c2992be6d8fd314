"""What the step micro-benchmarks time: the cases, and the configured backend with its step callables."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from benchmarks.microbench import layers_option

TANGENT_LAWS = ("gaussian", "rademacher", "sphere")
CASES = (
    ("forward_only", ""),
    ("bp_step", ""),
    ("jvp_only", "gaussian"),
    *(("fg_step", law) for law in TANGENT_LAWS),
)
"""(step, tangent law): the law matters only where tangents are drawn; the JVP alone runs on Gaussian ones."""


class StepBench:
    """The configured backend and training-steps module, with the step callables built once per law."""

    def __init__(
        self,
        framework: str,
        target: str,
        threads: int,
        layers: tuple[int, ...],
        batch: int,
        seed: int,
        rounds: int,
        warmup_rounds: int,
    ) -> None:
        from implementations.registry import load_backend, load_method

        self.framework, self.target, self.threads = framework, target, threads
        self.layers, self.batch, self.seed = layers, batch, seed
        self.rounds, self.warmup_rounds = rounds, warmup_rounds
        self.backend: ModuleType = load_backend(self.framework, self.target, self.threads)
        self.steps_module: ModuleType = load_method("training_steps", self.framework)
        self._built: dict[str, dict[str, Callable[[], None]]] = {}
        self._warm: set[tuple[str, str]] = set()

    def step(self, name: str, distribution: str = TANGENT_LAWS[0]) -> Callable[[], None]:
        """The ``name`` step for tangent law ``distribution``, already called once (compiled, allocated);
        only the steps that are benchmarked get compiled."""
        if distribution not in self._built:
            self._built[distribution] = self.steps_module.step_functions(
                self.layers, self.batch, self.seed, distribution
            )
        if (name, distribution) not in self._warm:
            self._built[distribution][name]()
            self._warm.add((name, distribution))
        return self._built[distribution][name]

    def extra_info(self, step: str, tangents: str) -> dict[str, object]:
        """What each benchmark records beside its timings."""
        return {
            "framework": self.framework,
            "device": self.backend.device_name(),
            "target": self.target,
            "threads": self.threads,
            "layers": layers_option(self.layers),
            "batch": self.batch,
            "seed": self.seed,
            "step": step,
            "tangents": tangents,
            **{f"{library}_version": version for library, version in self.backend.library_versions().items()},
        }
