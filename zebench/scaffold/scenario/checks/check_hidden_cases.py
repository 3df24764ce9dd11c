"""Hidden cases the agent never sees. zebench runs this with the workspace as working directory and on
PYTHONPATH, so the agent's code imports as it is; exit 0 = passed, anything printed is kept as the message."""

import sys

from wordcount import word_count

CASES = {"one": 1, "   ": 0, "line\nbreaks\r\nand\ttabs": 4, "no-break\u00a0space": 2, " trailing ": 1}

failures = [f"word_count({text!r}) = {word_count(text)}, expected {expected}"
            for text, expected in CASES.items() if word_count(text) != expected]
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
