"""The study's experiments: each module's ``run(ctx)`` returns one tidy table for one framework."""
