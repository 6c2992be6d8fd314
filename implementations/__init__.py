"""The methods, once per framework (pytorch/, jax/), their neutral contracts and the (method, framework) registry."""
