"""Microsoft Project connectors: Project for the web (Dataverse) and MSPDI XML files.

`DataverseSource` reads Planner premium / Project for the web projects from Dataverse over
OData (httpx; graph-wire.md §4); a scope is a configured project (name or id). Record types,
each payload being the row as the Web API returned it, ``@odata.etag`` included, and
``updated_at`` its ``modifiedon``:

==========================  ======================  ==================================
record type                 table                   external id
==========================  ======================  ==================================
``project``                 msdyn_project           msdyn_projectid
``project_bucket``          msdyn_projectbucket     msdyn_projectbucketid
``project_task``            msdyn_projecttask       msdyn_projecttaskid
``project_checklist_item``  msdyn_projectchecklist  msdyn_projectchecklistid
==========================  ======================  ==================================

Its watermark is JSON, per table: the newest ``modifiedon`` read plus fingerprints of the rows
at the edge (`connectors.project.dataverse_watermark`). Deleted rows are not detected by an
incremental read (Dataverse returns only existing rows, and change tracking, the one way to
learn of deletions, is not used): a full read (``full=True``) yields every existing row, so the
caller may treat rows a full read did not yield as deleted.

`MspdiFileSource` reads Microsoft Project desktop exports (MSPDI XML, parsed with defusedxml,
streamed); a scope is a configured file path. Record types:

=================  =====================================================  ====================
record type        payload                                                external id
=================  =====================================================  ====================
``mspdi_project``  the ``<Project>`` header's simple elements, plus       the path
                   ``SummaryTask`` (the UID 0 task) when present
``mspdi_task``     the ``<Task>``'s elements (UID, ID, Name, OutlineLevel,  ``<path>#<UID>``
                   WBS, Start, Finish, Duration, PercentComplete,
                   Milestone, Summary, ...) and ``PredecessorLinks``
=================  =====================================================  ====================

Its watermark is ``sha256:<hex>`` of the file; ``updated_at`` is the header's ``LastSaved`` in
the configured time zone.
"""

from connectors.project.dataverse_auth import dataverse_scope, dataverse_token_provider
from connectors.project.dataverse_source import DataverseSource
from connectors.project.mspdi_source import MspdiFileSource
from connectors.project.odata import TokenProvider

__all__ = [
    "DataverseSource",
    "MspdiFileSource",
    "TokenProvider",
    "dataverse_scope",
    "dataverse_token_provider",
]
