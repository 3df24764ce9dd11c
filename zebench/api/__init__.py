"""The JSON API served by ``zebench serve`` as a Datasette plugin: plugin.py (hooks, limits, routes), http.py
(responses, auth, reads and writes), original.py (the seed's paths in the original project's shapes), v2.py
(zebench's richer shapes under /api/v2), writes.py (POST /api/results and /api/results/batch)."""
