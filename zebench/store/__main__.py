"""python -m zebench.store: the frozen SQL of the next migrations that rebuild, from the current definitions, the
counts and sums (store.sql.summaries_sql) and the causes of unsuccessful runs (store.sql.causes_sql), as source to
paste into store/schema.py (docs/development.md): a migration holds the one whose output changed (both when a count
both use changed)."""

from .sql import causes_sql, python_literal, summaries_sql

print(python_literal("_M0NN", summaries_sql()), end="")
print(python_literal("_M0NN_CAUSES", causes_sql()), end="")
