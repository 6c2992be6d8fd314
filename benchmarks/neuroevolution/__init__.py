"""Study ``neuroevolution``: the Deep GA, random search, novelty search and OpenAI-ES on small RL tasks.

Papers: Such, Madhavan, Conti, Lehman, Stanley, Clune 2017, *Deep Neuroevolution: Genetic Algorithms Are a
Competitive Alternative for Training Deep Neural Networks for Reinforcement Learning*, arXiv:1712.06567 (the GA
and its seed-list encoding, Sec. 3; random search and GA-NS, Sec. 4); Salimans, Ho, Chen, Sidor, Sutskever 2017,
*Evolution Strategies as a Scalable Alternative to Reinforcement Learning*, arXiv:1703.03864 (OpenAI-ES, the
shared noise table); Lehman & Stanley 2011, *Abandoning Objectives: Evolution through the Search for Novelty
Alone* (novelty search, the deceptive maze). Claims G1-G7: the encoding (decode determinism and parity, the
compression, the Atari net's size), the GA learning control and MinAtar tasks, random search never beating the
GA, novelty search escaping a deceptive maze, and the distributed GA's bytes and speed-up.
"""

from benchmarks.study import ExperimentSpec, Paper, Study

SUCH = Paper(
    key="such2017",
    title="Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep Neural Networks "
    "for Reinforcement Learning",
    authors="Such, Madhavan, Conti, Lehman, Stanley, Clune",
    year=2017,
    reference="arXiv:1712.06567",
)
SALIMANS = Paper(
    key="salimans2017",
    title="Evolution Strategies as a Scalable Alternative to Reinforcement Learning",
    authors="Salimans, Ho, Chen, Sidor, Sutskever",
    year=2017,
    reference="arXiv:1703.03864",
)
LEHMAN = Paper(
    key="lehman2011",
    title="Abandoning Objectives: Evolution through the Search for Novelty Alone",
    authors="Lehman, Stanley",
    year=2011,
    reference="Evolutionary Computation 19(2):189-223",
)

_SEARCH_AXES = ("run", "generation", "individual")
_SEARCH_METHODS = ("neuroevolution", "policy_genomes", "control_envs")

STUDY = Study(
    name="neuroevolution",
    title="Deep neuroevolution: the GA, random search, novelty search and OpenAI-ES without gradients",
    papers=(SUCH, SALIMANS, LEHMAN),
    params_model="benchmarks.neuroevolution.params:NeuroevolutionParams",
    experiments=(
        ExperimentSpec(
            name="encoding",
            module="benchmarks.neuroevolution.experiments.encoding",
            description="seed-list genomes of a few generations decoded twice, through a parent cache and in "
            "another batch, for the CartPole MLP and the Atari DQN net; sampled coordinates of theta for the "
            "PyTorch-vs-JAX comparison, the float64 reference's error, parameter counts and bytes of theta vs the "
            "seed list per generation count",
            axes=("generations", "genome", "coordinate"),
            methods=("policy_genomes",),
        ),
        ExperimentSpec(
            name="control",
            module="benchmarks.neuroevolution.experiments.control",
            description="CartPole-v1 and Acrobot-v1 with MLP policies: the GA, random search and OpenAI-ES, per "
            "generation best, mean and elite fitness, frames, wall time and bytes (step: generation), the final "
            "score of each run and the first generation's random networks",
            axes=_SEARCH_AXES,
            methods=_SEARCH_METHODS,
            curve_axis="generation",  # MLflow: per-generation curves of each run
        ),
        ExperimentSpec(
            name="minatar",
            module="benchmarks.neuroevolution.experiments.minatar",
            description="MinAtar Breakout and Asterix with the MinAtar conv net: the GA, random search and "
            "OpenAI-ES (per generation records as in control)",
            axes=_SEARCH_AXES,
            methods=_SEARCH_METHODS,
            curve_axis="generation",
        ),
        ExperimentSpec(
            name="maze",
            module="benchmarks.neuroevolution.experiments.maze",
            description="the deceptive maze: GA-NS, the GA and OpenAI-ES; per generation the individuals within "
            "the goal radius, the final positions of the last population",
            axes=_SEARCH_AXES,
            methods=_SEARCH_METHODS,
            curve_axis="generation",
        ),
        ExperimentSpec(
            name="scaling",
            module="benchmarks.neuroevolution.experiments.scaling",
            description="GA generations on Ray: bytes sent and received per generation for a small and a "
            "4 M-parameter MLP; seconds per generation in-process and on 1 and 2 Ray workers",
            axes=("engine", "workers", "generation"),
            methods=_SEARCH_METHODS,
            curve_axis="generation",
        ),
        ExperimentSpec(
            name="throughput",
            module="benchmarks.neuroevolution.experiments.throughput",
            description="generations per second of our GA beside a library GA on the same CartPole MLP, "
            "population and episode cap (JAX: evosax SimpleGA with its gymnax rollout; PyTorch: EvoTorch's "
            "GeneticAlgorithm), timed interleaved in one process (step: repeat)",
            axes=("engine",),
            methods=(*_SEARCH_METHODS, "ga_baselines"),
        ),
    ),
    claims_module="benchmarks.neuroevolution.claims",
    figures_module="benchmarks.neuroevolution.figures",
)
