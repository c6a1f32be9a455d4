"""What clients read before writing: projects, issue types, and create and edit metadata.

- ``GET /project`` and ``GET /project/{key}`` (the latter with its ``issueTypes``, which the
  ``jira`` library reads to turn an issue type name into an id).
- ``GET /issuetype`` and ``GET /issuetype/{id}``.
- ``GET /issue/createmeta/{project}/issuetypes[/{id}]``: paged (``maxResults`` ≤ 200). Cloud
  names the list ``issueTypes`` / ``fields``; Data Center names it ``values`` and adds
  ``isLast``, which is what the ``jira`` library's ``project_issue_types`` pages over.
- ``GET /issue/{key}/editmeta``: the fields an edit may set, keyed by id.

Every settable field is on every screen. Option, priority and issue type fields carry
``allowedValues``; a sub-task needs a parent, and epics take none.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.demo.jira_model import (
    JiraFieldDef,
    JiraIssueType,
    JiraProject,
    JsonObject,
)
from flywheel_sync.sandbox.handlers import Handler
from flywheel_sync.sandbox.jira.catalog import field_json
from flywheel_sync.sandbox.jira.field_input import FieldInput
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.sandbox.jira.wire import (
    BadRequest,
    api_version,
    base_url,
    issue_not_found,
    jira_error,
)
from flywheel_sync.sandbox.jira.writes import guarded

__all__ = ["JiraMetadata"]

CREATEMETA_PAGE = 50
CREATEMETA_LIMIT = 200


class JiraMetadata:
    """Metadata handlers over one store; ``cloud`` picks Cloud's or Data Center's page shape."""

    def __init__(self, store: JiraStore, *, cloud: bool) -> None:
        self.store = store
        self.cloud = cloud
        self._inputs = FieldInput(store, version="3", cloud=cloud)

    def _project(self, key_or_id: str) -> JiraProject | None:
        """The project with this id or key (any case), or None."""
        wanted = key_or_id.upper()
        return next((p for p in self.store.site.projects if wanted in (p.key, p.id)), None)

    @staticmethod
    def _links(request: Request) -> tuple[str, str]:
        return base_url(request), api_version(request)

    def type_json(self, kind: JiraIssueType, request: Request) -> JsonObject:
        """One issue type as ``GET /issuetype`` lists it."""
        base, version = self._links(request)
        return {
            "self": f"{base}/rest/api/{version}/issuetype/{kind.id}",
            "id": kind.id,
            "description": kind.description,
            "iconUrl": f"{base}/images/icons/issuetypes/{kind.name.lower().replace('-', '')}.png",
            "name": kind.name,
            "subtask": kind.subtask,
            "hierarchyLevel": kind.hierarchy_level,
        }

    def _types_of(self, project: JiraProject) -> list[JiraIssueType]:
        return [t for t in self.store.site.issue_types if t.id in project.issue_type_ids]

    def project_json(self, project: JiraProject, request: Request, *, full: bool) -> JsonObject:
        """A project as ``GET /project/{key}`` (``full``) or ``GET /project`` returns it."""
        base, version = self._links(request)
        avatar = f"{base}/secure/projectavatar?pid={project.id}&size="
        result: JsonObject = {
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": f"{base}/rest/api/{version}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "avatarUrls": {
                f"{px}x{px}": avatar + size
                for px, size in ((48, "large"), (24, "small"), (16, "xsmall"), (32, "medium"))
            },
            "projectTypeKey": project.project_type_key,
            "simplified": False,
            "style": "classic",
            "isPrivate": False,
            "properties": {},
        }
        expand = request.query_params.get("expand", "")
        if full or "issueTypes" in expand:
            result["issueTypes"] = [self.type_json(t, request) for t in self._types_of(project)]
        if full:
            result |= {
                "description": project.description,
                "lead": self._user_json(project.lead_account_id, request),
                "components": [],
                "assigneeType": "UNASSIGNED",
                "versions": [],
                "roles": {},
            }
        return result

    def _user_json(self, account_id: str, request: Request) -> JsonObject:
        base, version = self._links(request)
        user = self.store.site.user(account_id)
        result: JsonObject = {
            "self": f"{base}/rest/api/{version}/user?accountId={account_id}",
            "accountId": account_id,
            "displayName": user.display_name if user else account_id,
            "active": user.active if user else False,
        }
        if not self.cloud and user is not None:
            result |= {"name": user.name, "key": user.name}
        return result

    def _allowed(
        self, definition: JiraFieldDef, kinds: list[JiraIssueType], request: Request
    ) -> list[JsonObject] | None:
        base, version = self._links(request)
        if definition.options:
            link = f"{base}/rest/api/{version}/customFieldOption"
            return [
                {"self": f"{link}/{option_id}", "value": value, "id": option_id}
                for value, option_id in zip(definition.options, definition.option_ids, strict=True)
            ]
        if definition.id == "priority":
            return [
                {"self": f"{base}/rest/api/{version}/priority/{p.id}", "name": p.name, "id": p.id}
                for p in self.store.site.priorities
            ]
        if definition.id == "issuetype":
            return [self.type_json(kind, request) for kind in kinds]
        return None

    def _field_meta(
        self,
        definition: JiraFieldDef,
        *,
        required: bool,
        kinds: list[JiraIssueType],
        request: Request,
    ) -> JsonObject:
        meta: JsonObject = {
            "required": required,
            "schema": field_json(definition)["schema"],
            "name": definition.name,
            "key": definition.id,
            "operations": list(self._inputs.operations(definition)),
            "hasDefaultValue": definition.id == "priority",
        }
        allowed = self._allowed(definition, kinds, request)
        if allowed is not None:
            meta["allowedValues"] = allowed
        if definition.id == "priority":
            medium = next(p for p in self.store.site.priorities if p.name == "Medium")
            meta["defaultValue"] = {"name": medium.name, "id": medium.id}
        return meta

    def _screen(self, kind: JiraIssueType, *, creating: bool) -> list[JiraFieldDef]:
        """The fields a create (or edit) of an issue of ``kind`` may set, in site order."""
        skipped = {"parent"} if kind.hierarchy_level >= 1 else set()
        if not creating:
            skipped.add("project")
        return [
            d for d in self.store.site.fields if self._inputs.settable(d) and d.id not in skipped
        ]

    @staticmethod
    def _required(definition: JiraFieldDef, kind: JiraIssueType, *, creating: bool) -> bool:
        if definition.id == "summary":
            return True
        if definition.id == "parent":
            return kind.subtask
        return creating and definition.id in ("project", "issuetype")

    def _page(self, request: Request, items: list[JsonObject], name: str) -> Response:
        text = request.query_params.get("maxResults") or str(CREATEMETA_PAGE)
        start_text = request.query_params.get("startAt") or "0"
        if not text.isdigit() or not start_text.isdigit():
            raise BadRequest("The parameters 'startAt' and 'maxResults' must be whole numbers.")
        if int(text) > CREATEMETA_LIMIT:
            limit = CREATEMETA_LIMIT
            raise BadRequest(f"Parameter 'maxResults' must not exceed the limit '{limit}'")
        start, size = int(start_text), int(text)
        chosen = items[start : start + size]
        body: JsonObject = {"maxResults": size, "startAt": start, "total": len(items)}
        if self.cloud:
            body[name] = chosen
        else:
            body |= {"isLast": start + len(chosen) >= len(items), "values": chosen}
        return JSONResponse(body)

    async def projects(self, request: Request) -> Response:
        """``GET /project``: every project."""
        return JSONResponse(
            [self.project_json(p, request, full=False) for p in self.store.site.projects]
        )

    async def project(self, request: Request) -> Response:
        """``GET /project/{project}``: one project with its issue types, or 404."""
        wanted = request.path_params["project"]
        project = self._project(wanted)
        if project is None:
            return jira_error(404, f"No project could be found with key '{wanted}'.")
        return JSONResponse(self.project_json(project, request, full=True))

    async def issue_types(self, request: Request) -> Response:
        """``GET /issuetype``: every issue type of the site."""
        return JSONResponse([self.type_json(t, request) for t in self.store.site.issue_types])

    async def issue_type(self, request: Request) -> Response:
        """``GET /issuetype/{id}``."""
        wanted = request.path_params["type"]
        kind = next((t for t in self.store.site.issue_types if t.id == wanted), None)
        if kind is None:
            return jira_error(404, f"The issue type with id '{wanted}' does not exist.")
        return JSONResponse(self.type_json(kind, request))

    def _create_context(self, request: Request) -> tuple[JiraProject, list[JiraIssueType]]:
        wanted = request.path_params["project"]
        project = self._project(wanted)
        if project is None:
            raise BadRequest(f"No project could be found with key '{wanted}'.")
        return project, self._types_of(project)

    async def create_types(self, request: Request) -> Response:
        """``GET /issue/createmeta/{project}/issuetypes``."""
        _, kinds = self._create_context(request)
        return self._page(request, [self.type_json(k, request) for k in kinds], "issueTypes")

    async def create_fields(self, request: Request) -> Response:
        """``GET /issue/createmeta/{project}/issuetypes/{type}``."""
        project, kinds = self._create_context(request)
        wanted = request.path_params["type"]
        kind = next((k for k in kinds if k.id == wanted), None)
        if kind is None:
            raise BadRequest(
                f"The issue type with id '{wanted}' does not exist in project '{project.key}'."
            )
        fields = []
        for definition in self._screen(kind, creating=True):
            meta = self._field_meta(
                definition,
                required=self._required(definition, kind, creating=True),
                kinds=kinds,
                request=request,
            )
            fields.append({"fieldId": definition.id, **meta})
        return self._page(request, fields, "fields")

    async def edit_fields(self, request: Request) -> Response:
        """``GET /issue/{issue}/editmeta``."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        with self.store.lock:
            type_id, project_key = str(issue.fields["issuetype"]["id"]), issue.project_key
        kind = next(t for t in self.store.site.issue_types if t.id == type_id)
        project = self._project(project_key)
        kinds = [k for k in self._types_of(project) if k.subtask == kind.subtask] if project else []
        fields: dict[str, Any] = {
            d.id: self._field_meta(
                d, required=self._required(d, kind, creating=False), kinds=kinds, request=request
            )
            for d in self._screen(kind, creating=False)
        }
        return JSONResponse({"fields": fields})

    def routes(self) -> list[Route]:
        """Metadata routes, for both REST versions."""
        table: list[tuple[str, Handler]] = [
            ("/project", self.projects),
            ("/project/{project}", self.project),
            ("/issuetype", self.issue_types),
            ("/issuetype/{type}", self.issue_type),
            ("/issue/createmeta/{project}/issuetypes", self.create_types),
            ("/issue/createmeta/{project}/issuetypes/{type}", self.create_fields),
            ("/issue/{issue}/editmeta", self.edit_fields),
        ]
        return [
            Route(f"/rest/api/{version}{path}", guarded(handler), methods=["GET"])
            for version in ("2", "3")
            for path, handler in table
        ]
