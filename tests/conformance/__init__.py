"""sockkit.compat against PHP itself."""
