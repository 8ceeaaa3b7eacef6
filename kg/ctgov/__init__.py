"""ClinicalTrials.gov study records (API v2 JSON) imported through the write path.

* :mod:`kg.ctgov.records` reads records from files, folders and standard input;
* :mod:`kg.ctgov.values` and :mod:`kg.ctgov.vocabulary` read the registry's strings and codes;
* :mod:`kg.ctgov.reconcile` matches drugs and conditions with those the graph holds;
* :mod:`kg.ctgov.mapping` turns one record into one study's graph;
* :mod:`kg.ctgov.importer` runs all of it in batches through :func:`kg.write.write_studies`.

The importer never reaches the network: a record is imported from what it says, and from what
the store already holds.
"""
