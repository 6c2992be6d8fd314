"""The experiments of the ``forward_variants`` study (one module each, ``run(ctx) -> DataFrame``)."""
