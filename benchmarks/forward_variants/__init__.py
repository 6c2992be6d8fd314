"""Study ``forward_variants``: variants of the forward gradient -- finite differences through discontinuities,
Rademacher tangents on binary-weight networks, and activity vs weight perturbation.

Papers: Baydin, Pearlmutter, Syme, Wood, Torr 2022, *Gradients without Backpropagation* (arXiv 2202.08587):
claims F10 and F11 test two extensions of its estimator proposed in the notes this project started from (a
finite-difference directional derivative; Rademacher tangents for binary networks), which the paper does
not state. Ren, Kornblith, Liao, Hinton 2023, *Scaling Forward Gradient with Local Losses* (ICLR 2023, arXiv
2210.03310): claim B5, activity perturbation has far lower variance than weight perturbation.
"""

from benchmarks.papers import BAYDIN
from benchmarks.study import ExperimentSpec, Paper, Study

REN = Paper(
    key="ren2023",
    title="Scaling Forward Gradient with Local Losses",
    authors="Ren, Kornblith, Liao, Hinton",
    year=2023,
    reference="ICLR 2023, arXiv:2210.03310",
)

STUDY = Study(
    name="forward_variants",
    title="Forward-gradient variants: finite differences, binary networks, activity perturbation",
    papers=(BAYDIN, REN),
    params_model="benchmarks.forward_variants.params:ForwardVariantsParams",
    experiments=(
        ExperimentSpec(
            name="fd_agreement",
            module="benchmarks.forward_variants.experiments.fd_agreement",
            description="forward and central differences vs the JVP along shared NumPy tangents, on Rosenbrock and "
            "a sigmoid net on digits, over a grid of step sizes (step: tangent)",
            axes=("distribution", "derivative", "epsilon"),
            methods=("forward_gradient", "discrete_nets"),
            data=("datasets/digits",),
        ),
        ExperimentSpec(
            name="step_net",
            module="benchmarks.forward_variants.experiments.step_net",
            description="Heaviside nets on Boolean tasks: finite-difference forward-gradient training (swept eps and "
            "lr, then fresh starts) and backprop from the same starts (step: iteration in traces)",
            axes=("phase", "epsilon", "lr", "run"),
            methods=("discrete_nets",),
            data=("datasets/xor", "datasets/parity3", "datasets/parity4"),
        ),
        ExperimentSpec(
            name="binary_net",
            module="benchmarks.forward_variants.experiments.binary_net",
            description="a sign-weight net on digits: Rademacher forward differences vs straight-through backprop, "
            "each at its swept lr, same starts and minibatches (step: iteration in traces)",
            axes=("phase", "lr", "run"),
            methods=("discrete_nets",),
            data=("datasets/digits",),
        ),
        ExperimentSpec(
            name="perturbation",
            module="benchmarks.forward_variants.experiments.perturbation",
            description="weight- vs activity-perturbed forward gradients of each layer of a ReLU MLP on a digits "
            "batch: moments of the relative squared error",
            axes=("distribution", "layer"),
            methods=("perturbation",),
            data=("datasets/digits",),
        ),
    ),
    claims_module="benchmarks.forward_variants.claims",
    figures_module="benchmarks.forward_variants.figures",
)
