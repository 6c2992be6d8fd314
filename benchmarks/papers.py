"""The papers that more than one study re-tests, defined once (a study's own papers stay in its package).

Baydin et al. 2022 (forward gradients) is shared by ``forward_gradient``, ``forward_descent``,
``forward_training`` and ``forward_variants``; Belouze 2022 by ``forward_gradient`` and ``forward_descent``.
Importing them from here, not from another study's package, keeps a study's pipeline stages independent of the
other studies' code.
"""

from benchmarks.study import Paper

BAYDIN = Paper(
    key="baydin2022",
    title="Gradients without Backpropagation",
    authors="Baydin, Pearlmutter, Syme, Wood, Torr",
    year=2022,
    reference="arXiv:2202.08587",
)
BELOUZE = Paper(
    key="belouze2022",
    title="Optimization without Backpropagation",
    authors="Belouze",
    year=2022,
    reference="arXiv:2209.06302",
)
FLUGEL = Paper(
    key="flugel2024",
    title="Beyond Backpropagation: Optimization with Multi-Tangent Forward Gradients",
    authors="Flügel, Coquelin, Weiel, Debus, Streit, Götz",
    year=2024,
    reference="arXiv:2410.17764",
)
