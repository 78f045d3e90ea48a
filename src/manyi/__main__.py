"""`python -m manyi` runs the `manyi` command."""

from manyi.cli.main import main

main()
