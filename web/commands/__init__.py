"""Sub-commands of the ``tsunagu`` CLI, one module per command group."""
