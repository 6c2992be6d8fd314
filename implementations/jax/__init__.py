"""The JAX implementation of every method: one module per method, mirroring implementations/pytorch/."""
