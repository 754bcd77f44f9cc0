"""`python -m inngest_lint` runs the same CLI as the `inngest-lint` script."""

from inngest_lint.cli import run

if __name__ == "__main__":
    run()
