"""The method contract, benchopt style: one generic test runs every contract's checks on every framework.

For each contract in ``implementations/contracts/`` (found by scanning that package) and each framework in
``implementations.registry.FRAMEWORKS``: the module ``implementations.<framework>.<contract>`` exists and
exports every member of the contract's Protocol with the same parameter names and defaults; it passes the
contract's single-framework checks (shapes, dtypes, determinism, formulas); and all frameworks pass the
contract's parity checks on identical NumPy-drawn inputs (tolerances derived from float32 rounding in each
check's docstring).
"""

from __future__ import annotations

import pytest

from implementations.contracts import CONTRACTS
from implementations.contracts._common import protocol_problems
from implementations.registry import FRAMEWORKS
from tests.implementations.conftest import implementation

EXPORTS = [(name, fw) for name in CONTRACTS for fw in FRAMEWORKS]
SINGLE = [(name, check, fw) for name, c in CONTRACTS.items() for check in c.SINGLE_CHECKS for fw in FRAMEWORKS]
PARITY = [(name, check) for name, c in CONTRACTS.items() for check in c.PARITY_CHECKS]


@pytest.mark.parametrize("contract,framework", EXPORTS, ids=[f"{n}-{fw}" for n, fw in EXPORTS])
def test_exports_the_protocol(contract, framework):
    problems = protocol_problems(CONTRACTS[contract].PROTOCOL, implementation(contract, framework))
    assert not problems, problems


@pytest.mark.parametrize("contract,check,framework", SINGLE, ids=[f"{n}-{c.__name__}-{fw}" for n, c, fw in SINGLE])
def test_single_framework_check(contract, check, framework):
    check(implementation(contract, framework))


@pytest.mark.parametrize("contract,check", PARITY, ids=[f"{n}-{c.__name__}" for n, c in PARITY])
def test_parity_check(contract, check):
    check({fw: implementation(contract, fw) for fw in FRAMEWORKS})


def test_every_method_has_a_check():
    for name, contract in CONTRACTS.items():
        assert contract.SINGLE_CHECKS or contract.PARITY_CHECKS, name
