"""Confluence connector: the pages and content properties a push writes (KPI summaries).

`ConfluenceSite` drives atlassian-python-api against Cloud (REST v2, ``/wiki/api/v2``) or
Data Center (REST v1, ``/rest/api``), every request retried by one `RetryPolicy` and mapped
onto `connectors.errors` (`failures`). Pages are found by space and title, created under a
parent, and updated in place with version + 1 (a stale version is a `StaleWriteError`);
content properties carry the ownership markers.
"""

from connectors.confluence.pages import PageInfo, PropertyInfo
from connectors.confluence.site import ConfluenceAuth, ConfluenceFlavour, ConfluenceSite

__all__ = ["ConfluenceAuth", "ConfluenceFlavour", "ConfluenceSite", "PageInfo", "PropertyInfo"]
