"""The PyTorch implementation of every method: one module per method, mirroring implementations/jax/."""
