"""python -m zebench.store: the frozen SQL of the next migration that rebuilds the counts and sums from the current
definitions (store.sql.summaries_sql), as source to paste into store/schema.py (docs/development.md)."""

from .sql import python_literal, summaries_sql

print(python_literal("_M0NN", summaries_sql()), end="")
