"""inngest-lint: a linter that knows the Inngest Python SDK's rules.

It reads source with libcst (never importing or running it), collects per-file facts, then runs
project-wide rules over the merged facts, and prints flake8-style findings.
"""

# The one place the version lives: pyproject.toml reads it (setuptools dynamic version), the CLI,
# SARIF and the cache key import it. CONTRIBUTING.md says how a release bumps it.
__version__ = "0.1.0"

__all__ = ["__version__"]
