"""Study ``forward_training``: forward gradients on real training, cost per step, memory and depth.

Paper: Baydin, Pearlmutter, Syme, Wood, Torr 2022, *Gradients without Backpropagation* (arXiv 2202.08587):
forward-gradient descent (Alg. 1, the forward gradient (grad f . v) v of Eq. 1-3 from one JVP) against
backprop on MNIST with multinomial logistic regression, a 784-1024-1024-10 ReLU MLP and a CNN (Sec. 5.2).
Claims F4 (a forward-gradient step is cheaper), F5 (training up to twice as fast at the same learning rate),
F6 (comparable loss at the same learning rate), F7 (counter-claim: with tuned learning rates backprop needs
2-4x fewer iterations), F8 (peak memory), F9 (the speed-up shrinks with depth).
"""

from benchmarks.papers import BAYDIN
from benchmarks.study import ExperimentSpec, Study

STUDY = Study(
    name="forward_training",
    title="Forward gradients on real training: cost per step, memory, depth, training speed",
    papers=(BAYDIN,),
    params_model="benchmarks.forward_training.params:ForwardTrainingParams",
    experiments=(
        ExperimentSpec(
            name="step_cost",
            module="benchmarks.forward_training.experiments.step_cost",
            description="wall time of one step per kind (f, JVP, FG, FD-FG, BP, K tangents, hand-written "
            "references) on logistic regression, the MLP and the CNN, kinds interleaved (step: round)",
            axes=("model", "distribution", "k"),
            methods=("step_costs",),
            data=("datasets/mnist", "datasets/digits", "datasets/mnist1d"),
        ),
        ExperimentSpec(
            name="depth",
            module="benchmarks.forward_training.experiments.depth",
            description="wall time of f, an FG step and a BP step of MLPs of increasing depth (step: round)",
            axes=("depth", "distribution"),
            methods=("step_costs",),
            data=("datasets/mnist", "datasets/digits", "datasets/mnist1d"),
        ),
        ExperimentSpec(
            name="memory",
            module="benchmarks.forward_training.experiments.memory",
            description="peak memory of one FG and one BP step by a mechanism that sees the framework's "
            "allocations, per model, and for the MLP vs batch and depth",
            axes=("model", "depth", "batch", "distribution", "mechanism"),
            methods=("step_costs",),
            data=("datasets/mnist", "datasets/digits", "datasets/mnist1d"),
        ),
        ExperimentSpec(
            name="same_lr",
            module="benchmarks.forward_training.experiments.same_lr",
            description="FG-SGD vs BP-SGD at the paper's learning rate and schedule, paired runs per model: "
            "loss vs iterations and wall-clock, test loss (step: iterations)",
            axes=("model", "lr", "distribution"),
            methods=("minibatch_training",),
            data=("datasets/mnist", "datasets/digits", "datasets/mnist1d"),
        ),
        ExperimentSpec(
            name="tuned_lr",
            module="benchmarks.forward_training.experiments.tuned_lr",
            description="learning-rate sweep per method, then paired runs at each method's selected rate: "
            "iterations to a target training loss (step: iterations)",
            axes=("model", "lr", "phase", "distribution"),
            methods=("minibatch_training",),
            data=("datasets/mnist", "datasets/digits", "datasets/mnist1d"),
        ),
    ),
    claims_module="benchmarks.forward_training.claims",
    figures_module="benchmarks.forward_training.figures",
)
