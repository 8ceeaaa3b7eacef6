"""The read model behind the GraphQL API: typed dataclasses filled by batched SPARQL.

``model`` holds the dataclasses, ``read`` the batched read functions, ``sparql`` the safe
filling of the ``kg/queries/readmodel/*.rq`` templates. Nothing here knows about HTTP.
"""
