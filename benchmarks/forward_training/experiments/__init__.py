"""The study's experiments: each module defines ``run(ctx) -> DataFrame`` under the table contract."""
