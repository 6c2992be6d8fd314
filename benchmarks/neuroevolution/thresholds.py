"""The typed thresholds of the study's claims G1-G7, in one place: each renders its own prose (``describe()``), and
the checks and the figures read the same objects. Where Such et al. 2017 state no number, the band is the
suite's proposal; the reasons are in each claim's notes (:mod:`benchmarks.neuroevolution.claims`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DecodeParity:
    """G1: bit-exact decoding within a framework; PyTorch vs JAX within ``relative`` of the largest |theta|."""

    relative: float = 1e-6
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            "every framework decodes every genome to the same bits whatever the path (twice, through its parent "
            "cache, inside another batch: largest |difference| exactly 0) and within float32 rounding of the "
            "float64 reference (interface A's rigorous bound, every coordinate), and over the compared coordinates the "
            f"largest |PyTorch - JAX| difference is at most {self.relative:g} of the largest |theta| (and the "
            "float64 norms of the whole vectors agree within the same relative tolerance); not reproduced when "
            "either fails (deterministic: no interval)"
        )


@dataclass(frozen=True)
class CompressionRatio:
    """G2: bytes of theta (float32) over bytes of the seed list at least ``low`` at every judged generation count."""

    low: float = 1e4
    generations: tuple[int, ...] = (1, 10, 100, 200)
    actions: int = 18

    def describe(self) -> str:
        """Prose for the report."""
        counts = ", ".join(str(g) for g in self.generations)
        return (
            f"for the Atari DQN net ({self.actions} actions), the measured bytes of theta as float32 over the "
            f"measured bytes of the seed list equal the formula 4 P / (8 (g + 1)) and are at least {self.low:g} at "
            f"g = {counts} generations; not reproduced when the measurement departs from the formula or any judged "
            f"ratio is below {self.low:g} (deterministic: no interval)"
        )


@dataclass(frozen=True)
class ParameterCounts:
    """G3: the Atari DQN net's parameter count per number of actions."""

    counts: dict[int, int] = field(default_factory=lambda: {18: 4_052_658, 4: 4_045_476})

    def describe(self) -> str:
        """Prose for the report."""
        text = ", ".join(f"{count:,} at {actions} actions" for actions, count in self.counts.items())
        return (
            f"the layout's parameter count and the length of theta decoded by every framework both equal {text}; "
            "not reproduced at any difference (exact)"
        )


@dataclass(frozen=True)
class Learns:
    """G4: the GA solves CartPole in most runs and scores clearly above random networks on MinAtar."""

    solved: dict[str, float] = field(default_factory=lambda: {"cartpole": 475.0})
    solved_fraction: float = 0.8
    above_random: dict[str, float] = field(default_factory=lambda: {"minatar_breakout": 2.0, "minatar_asterix": 2.0})
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        solved = ", ".join(f"{env} {value:g}" for env, value in self.solved.items())
        above = ", ".join(f"{env} {factor:g}x" for env, factor in self.above_random.items())
        return (
            f"a family, one member per environment judged: where a 'solved' return is set ({solved}), the "
            f"fraction of runs whose final elite averages at least that return over its final episodes has a "
            f"one-sided {self.confidence:.0%} Clopper-Pearson lower bound of at least {self.solved_fraction:.0%} "
            f"(not reproduced when the upper bound lies below); on MinAtar ({above} the random networks' mean "
            f"score, the first generation's), the one-sided {self.confidence:.0%} Welch lower bound of the mean "
            "final score minus that multiple lies above 0 (not reproduced when the upper bound lies below 0)"
        )


@dataclass(frozen=True)
class NeverBeaten:
    """G5: random search never beats the GA at equal frames: GA - RS >= -margin per environment. On the control
    tasks (a return of +-1 per step) the margin is a fraction of the episode cap; on MinAtar it is in points."""

    margins: dict[str, float] = field(
        default_factory=lambda: {"cartpole": 0.05, "acrobot": 0.05, "minatar_breakout": 1.0, "minatar_asterix": 1.0}
    )
    per_step: tuple[str, ...] = ("cartpole", "acrobot")
    confidence: float = 0.95
    power: float = 0.9

    def margin(self, env: str, cap: float) -> float:
        """The margin in return points on ``env`` at episode cap ``cap``."""
        return self.margins[env] * cap if env in self.per_step else self.margins[env]

    def describe(self) -> str:
        """Prose for the report."""
        margins = ", ".join(
            f"{env} {value:.0%} of the episode cap" if env in self.per_step else f"{env} {value:g} point"
            for env, value in self.margins.items()
        )
        return (
            "on every judged environment, at the common frame budget (the fewest total frames of any GA or random "
            "search run there), the Welch interval of the mean elite score, GA minus random search (one-sided "
            f"{self.confidence:.0%}, Bonferroni over the environments), lies above -margin ({margins}); not "
            "reproduced when an environment's interval lies wholly below -margin"
        )


@dataclass(frozen=True)
class MazeOutcomes:
    """G6: GA-NS reaches the maze's goal in at least ``novelty_at_least`` of runs; the GA and ES in at most
    ``others_at_most``."""

    novelty_at_least: float = 0.5
    others_at_most: float = 0.1
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            "within the common frame budget (the fewest total frames of any run of any method), the fraction of "
            "runs in which some evaluated individual ended within the goal radius: for GA-NS a one-sided "
            f"{self.confidence:.0%} Clopper-Pearson lower bound (Bonferroni over the methods) of at least "
            f"{self.novelty_at_least:.0%}, for the GA and OpenAI-ES an upper bound of at most "
            f"{self.others_at_most:.0%}; not reproduced when any bound lies wholly on the wrong side"
        )


@dataclass(frozen=True)
class Distributed:
    """G7: bytes per generation independent of the parameter count; time per generation falls with workers."""

    bytes_band: tuple[float, float] = (0.9, 1.1)
    speedup_at_least: float = 1.5
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        low, high = self.bytes_band
        return (
            "a family of two: (bytes) the bytes sent plus received per generation on Ray for the 4 M-parameter net "
            f"over those for the small net, generation by generation, has its {self.confidence:.0%} t-interval "
            f"inside [{low:g}, {high:g}]; (speed) the ratio of median seconds per generation, 1 worker over the "
            f"most workers, has its {self.confidence:.0%} bootstrap interval above {self.speedup_at_least:g}; a "
            "member is not reproduced when its interval lies wholly outside its band"
        )


G1 = DecodeParity()
G2 = CompressionRatio()
G3 = ParameterCounts()
G4 = Learns()
G5 = NeverBeaten()
G6 = MazeOutcomes()
G7 = Distributed()
