"""The GraphQL API: ``/graphql`` serves queries and GraphiQL.

``types`` and ``queries`` define the public schema (IDs are IRIs; names are a contract: extend,
never rename), ``loaders`` batch every read through :mod:`kg.readmodel` so nested queries cost
a fixed number of store queries, ``context`` holds the per-request loaders and deadline,
``limits`` the protections, ``schema`` assembles them and prints the SDL committed as
``api/schema.graphql``. ``examples/readme_query.graphql`` is the query the README shows and
``benchmarks/graphql_latency.py`` times.
"""
