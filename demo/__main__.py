"""``python -m demo`` (``make demo``): the sandbox until Ctrl-C."""

from demo.runner import main

main()
