"""Study ``forward_gradient``: the forward-gradient estimator and its tangents.

Papers: Baydin, Pearlmutter, Syme, Wood, Torr 2022, *Gradients without Backpropagation* (arXiv 2202.08587);
Belouze 2022, *Optimization without Backpropagation* (arXiv 2209.06302); Flügel et al. 2024 (orthogonal
projection onto K tangents). Claims F1, F2 (estimator statistics), B1 (tangent choice), B4 (K tangents).
"""

from benchmarks.papers import BAYDIN, BELOUZE, FLUGEL
from benchmarks.study import ExperimentSpec, Study

STUDY = Study(
    name="forward_gradient",
    title="Forward-gradient estimator: bias, variance, tangent choice, K tangents",
    papers=(BAYDIN, BELOUZE, FLUGEL),
    params_model="benchmarks.forward_gradient.params:ForwardGradientParams",
    experiments=(
        ExperimentSpec(
            name="estimator",
            module="benchmarks.forward_gradient.experiments.estimator",
            description="single-tangent forward gradients at a fixed point of test functions and an MLP loss, samples "
            "sized per configuration: moments of the squared error, |cosine| and error along grad f, the mean "
            "error per coordinate, per-block errors of the K-sample means (step: coordinate or block)",
            axes=("dim", "distribution", "k"),
            methods=("forward_gradient",),
            data=("datasets/digits",),
        ),
        ExperimentSpec(
            name="projection",
            module="benchmarks.forward_gradient.experiments.projection",
            description="K Gaussian tangents combined by averaging vs orthogonal projection (repeats sized per K)",
            axes=("dim", "distribution", "k"),
            methods=("forward_gradient",),
        ),
        ExperimentSpec(
            name="fgd",
            module="benchmarks.forward_gradient.experiments.fgd",
            description="forward-gradient descent iterations to a target, per tangent distribution (step: start)",
            axes=("dim", "distribution"),
            methods=("descent",),
        ),
    ),
    claims_module="benchmarks.forward_gradient.claims",
    figures_module="benchmarks.forward_gradient.figures",
)
