"""Composition root: builds the kernel with the adapters of a mode. Imports adapters freely;
nothing imports it but the CLI and the API."""
