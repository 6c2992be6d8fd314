"""Step-cost ratios from the ``step_cost`` table (REPORT.md's table and the step_cost figure read them)."""

from __future__ import annotations

import pandas as pd

STEP_KINDS = ("fg_step", "jvp_only", "bp_step", "forward_only")


def step_cost_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Ratios of median step times per (framework, device, distribution): ``fg_over_jvp`` =
    t(fg_step)/t(jvp_only), ``r_f`` = t(fg_step)/t(forward_only), ``r_b`` = t(bp_step)/t(forward_only),
    ``bp_over_fg`` = t(bp_step)/t(fg_step); each t the median of the ``seconds`` rows (NaN when missing)."""
    keys = ["framework", "device", "distribution"]
    columns = [*keys, "fg_over_jvp", "r_f", "r_b", "bp_over_fg"]
    seconds = table[table["measure"] == "seconds"]
    if seconds.empty:
        return pd.DataFrame(columns=columns)
    med = seconds.groupby([*keys, "method"], sort=True)["value"].median().unstack("method")
    med = med.reindex(columns=list(STEP_KINDS))
    out = pd.DataFrame(
        {
            "fg_over_jvp": med["fg_step"] / med["jvp_only"],
            "r_f": med["fg_step"] / med["forward_only"],
            "r_b": med["bp_step"] / med["forward_only"],
            "bp_over_fg": med["bp_step"] / med["fg_step"],
        }
    ).reset_index()
    order = sorted(range(len(out)), key=lambda i: (out["framework"][i] != "pytorch", *out.loc[i, keys]))
    return out.loc[order, columns].reset_index(drop=True)
