"""Study ``alopex``: correlation-based stochastic learning without gradients, against full-batch backprop.

Papers: Unnikrishnan & Venugopal 1994, *Alopex: a correlation-based learning algorithm for feedforward and
recurrent neural networks*, Neural Computation 6(3):469-490 (Alopex-94); Bia 2001, *Alopex-B: a new, simpler,
but yet faster version of the Alopex training algorithm*, Int. J. Neural Systems 11(6):497-507 (Alopex-B).
Claims A1-A9: learning the classic Boolean problems, iterations comparable to backprop, encoder scaling,
discontinuous units, a recurrent net, MONK's problems, annealing, the error measure, Alopex-B vs Alopex-94.
"""

from benchmarks.study import ExperimentSpec, Paper, Study

UNNIKRISHNAN = Paper(
    key="unnikrishnan1994",
    title="Alopex: A Correlation-Based Learning Algorithm for Feedforward and Recurrent Neural Networks",
    authors="Unnikrishnan, Venugopal",
    year=1994,
    reference="Neural Computation 6(3):469-490",
)
BIA = Paper(
    key="bia2001",
    title="Alopex-B: A New, Simpler, but yet Faster Version of the Alopex Training Algorithm",
    authors="Bia",
    year=2001,
    reference="International Journal of Neural Systems 11(6):497-507",
)

_RUN_AXES = ("phase", "step_size", "run")
_BOOLEAN = tuple(
    f"datasets/{name}"
    for name in (
        "xor",
        "parity3",
        "parity4",
        "parity5",
        "parity6",
        "encoder_4_2_4",
        "encoder_8_3_8",
        "encoder_16_4_16",
        "encoder_32_5_32",
        "symmetry6",
    )
)

STUDY = Study(
    name="alopex",
    title="Alopex: gradient-free correlation learning vs backprop on the classic Boolean problems",
    papers=(UNNIKRISHNAN, BIA),
    params_model="benchmarks.alopex.params:AlopexStudyParams",
    experiments=(
        ExperimentSpec(
            name="learning_time",
            module="benchmarks.alopex.experiments.learning_time",
            description="per task: a step-size sweep on separate initialisations, then Alopex-94, Alopex-B and "
            "full-batch backprop at their best step sizes from the same initialisations; iterations to the "
            "criterion (censored at the budget) and strided training traces (step: run index or iteration)",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "full_batch_gd", "small_nets"),
            data=_BOOLEAN,
        ),
        ExperimentSpec(
            name="discontinuous",
            module="benchmarks.alopex.experiments.discontinuous",
            description="Heaviside hidden and output units on XOR and 3-bit parity: Alopex-94 vs backprop",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "full_batch_gd", "small_nets"),
            data=("datasets/xor", "datasets/parity3"),
        ),
        ExperimentSpec(
            name="recurrent",
            module="benchmarks.alopex.experiments.recurrent",
            description="an Elman net on temporal XOR, trained by Alopex-94 (and backprop through time); accuracy "
            "on the predictable bits of a held-out stream",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "full_batch_gd", "small_nets"),
            data=("datasets/temporal_xor",),
        ),
        ExperimentSpec(
            name="monks",
            module="benchmarks.alopex.experiments.monks",
            description="MONK's problems 1-3: test accuracy on all 432 patterns, Alopex-94 vs backprop",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "full_batch_gd", "small_nets"),
            data=("datasets/monks1", "datasets/monks2", "datasets/monks3"),
        ),
        ExperimentSpec(
            name="annealing",
            module="benchmarks.alopex.experiments.annealing",
            description="XOR: Alopex-94 with its annealing schedule vs a fixed small temperature",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "small_nets"),
            data=("datasets/xor",),
        ),
        ExperimentSpec(
            name="error_measure",
            module="benchmarks.alopex.experiments.error_measure",
            description="XOR: Alopex-94 on squared error vs the cross-entropy (information-theoretic) error",
            axes=_RUN_AXES,
            curve_axis="step",  # MLflow: traces vs iteration, averaged over runs
            methods=("alopex", "small_nets"),
            data=("datasets/xor",),
        ),
        ExperimentSpec(
            name="iteration_cost",
            module="benchmarks.alopex.experiments.iteration_cost",
            description="wall time of Alopex iterations, of forward passes and of backprop iterations, at 1 seed "
            "and vectorised over many seeds (step: repeat)",
            axes=("seeds_batched",),
            methods=("alopex", "full_batch_gd", "small_nets"),
            data=_BOOLEAN,
        ),
    ),
    claims_module="benchmarks.alopex.claims",
    figures_module="benchmarks.alopex.figures",
)
