"""Study ``forward_descent``: forward-gradient descent on test functions.

Papers: Baydin, Pearlmutter, Syme, Wood, Torr 2022, *Gradients without Backpropagation* (arXiv 2202.08587),
Sec. 5.1 (Beale and Rosenbrock, claim F3); Belouze 2022, *Optimization without Backpropagation* (arXiv
2209.06302): his benchmark protocol of unimodal test functions, optimizers and performance profiles (claim
B2) and the dimension argument on 1/2 ||x||^2 (claim B3).
"""

from benchmarks.papers import BAYDIN, BELOUZE
from benchmarks.study import ExperimentSpec, Study

STUDY = Study(
    name="forward_descent",
    title="Forward-gradient descent: Beale and Rosenbrock, Belouze's protocol, iterations vs dimension",
    papers=(BAYDIN, BELOUZE),
    params_model="benchmarks.forward_descent.params:ForwardDescentParams",
    experiments=(
        ExperimentSpec(
            name="descent_2d",
            module="benchmarks.forward_descent.experiments.descent_2d",
            description="forward-gradient descent and gradient descent on Beale and Rosenbrock (2-D) from jittered "
            "standard starts, all seeds at once: quantiles over seeds of the loss and the distance to the "
            "minimiser every stride iterations, cumulative wall-clock of the batch, final state per seed "
            "(step: iteration)",
            axes=("lr", "start"),
            methods=("descent",),
        ),
        ExperimentSpec(
            name="protocol",
            module="benchmarks.forward_descent.experiments.protocol",
            description="Belouze's protocol: unimodal test functions x dimensions x optimizers x gradient source "
            "(backprop, forward gradient per tangent law), random starts in each function's search box, forward "
            "runs repeated; per run the evaluations to f* + eps, divergence, best and initial gaps to f*",
            axes=("dim", "optimizer", "distribution", "start", "repeat"),
            methods=("descent",),
        ),
        ExperimentSpec(
            name="dimension",
            module="benchmarks.forward_descent.experiments.dimension",
            description="iterations of forward-gradient descent (Gaussian tangents, lr 1/(n+2)) to tolerance x f(x0) "
            "on 1/2||x||^2 against n (step: seed)",
            axes=("dim",),
            methods=("descent",),
        ),
    ),
    claims_module="benchmarks.forward_descent.claims",
    figures_module="benchmarks.forward_descent.figures",
)
