"""OData query options as Dataverse reads them, checked against a `Table`.

``$select``, ``$filter``, ``$orderby``, ``$top``, ``$count``, ``$skiptoken`` and the
``Prefer`` preferences (``odata.maxpagesize``, ``odata.include-annotations``).
"""
