"""Teams below ``/graph/v1.0``: channels, channel messages, replies and message delta.

Each endpoint honours the query options Graph documents for it and refuses the others with
OData's 400 (graph-wire.md §3): channels take ``$filter`` and ``$select``; the message list
``$top`` (default 20, at most 50) and ``$expand=replies``; replies ``$top``; delta ``$top``,
``$skip``, ``$filter`` and ``$expand``. Lists page newest first through absolute
``@odata.nextLink`` URLs (`paging`).

Posting is refused: the sandbox's token is app-only, and Graph lets an application post a
channel message only to import history into a channel in migration mode, answering 401
otherwise (chatmessage-post.md; graph-wire.md §3). Graph checks that before it reads the body
or looks up the channel, so every POST gets that 401.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flywheel_sync.sandbox.graph.directory import team_not_found
from flywheel_sync.sandbox.graph.odata import (
    FilterPolicy,
    context_url,
    matches,
    parse_filter,
    project,
    quoted_key,
    refuse_unsupported_options,
    selected,
)
from flywheel_sync.sandbox.graph.teams import delta
from flywheel_sync.sandbox.graph.teams.paging import (
    PageToken,
    decode_token,
    encode_token,
    newest_first_page,
    page_size,
)
from flywheel_sync.sandbox.graph.teams.resources import delta_item, replies_scope, with_replies
from flywheel_sync.sandbox.graph.teams.store import ChannelThreads, JsonObject, TeamsStore
from flywheel_sync.sandbox.graph.wire import GraphError, guarded, next_link

__all__ = ["APP_ONLY_POST", "teams_routes"]

APP_ONLY_POST = (
    "Message POST is allowed in application-only context only for import purposes. Refer to "
    "https://docs.microsoft.com/microsoftteams/platform/graph-api/import-messages/"
    "import-external-messages-to-teams for more details."
)
_CHANNEL_FILTERS = FilterPolicy(
    resource="channel",
    operators={
        "eq": frozenset({"displayName", "membershipType", "id", "description"}),
        "startswith": frozenset({"displayName"}),
    },
    code="BadRequest",
)
_CHANNEL_PROPERTIES = (
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "email",
    "isArchived",
    "isFavoriteByDefault",
    "layoutType",
    "membershipType",
    "migrationMode",
    "originalCreatedDateTime",
    "summary",
    "tenantId",
    "webUrl",
)
_MESSAGE_PROPERTIES = (
    "id",
    "replyToId",
    "etag",
    "messageType",
    "createdDateTime",
    "lastModifiedDateTime",
    "lastEditedDateTime",
    "deletedDateTime",
    "subject",
    "summary",
    "chatId",
    "importance",
    "locale",
    "webUrl",
    "policyViolation",
    "eventDetail",
    "from",
    "body",
    "channelIdentity",
    "attachments",
    "mentions",
    "reactions",
    "messageHistory",
)
_CHAT_MESSAGE = "microsoft.graph.chatMessage"


def _expands_replies(request: Request) -> bool:
    raw = request.query_params.get("$expand")
    if raw is None:
        return False
    if raw.strip().lower() != "replies":
        raise GraphError(
            400,
            "BadRequest",
            f"Parsing OData Select and Expand failed: Could not find a property named "
            f"'{raw.strip()}' on type '{_CHAT_MESSAGE}'.",
        )
    return True


def _message_not_found(message_id: str) -> GraphError:
    return GraphError(404, "NotFound", f"Message '{message_id}' was not found in the channel.")


class _Teams:
    """The handlers over one `TeamsStore`."""

    def __init__(self, store: TeamsStore) -> None:
        self.store = store

    def _threads(self, request: Request) -> ChannelThreads:
        team_id = request.path_params["team_id"]
        channel_id = request.path_params["channel_id"]
        if not self.store.is_team(team_id):
            raise team_not_found(team_id)
        threads = self.store.threads(team_id, channel_id)
        if threads is None:
            raise GraphError(
                404, "NotFound", f"Channel '{channel_id}' was not found in team '{team_id}'."
            )
        return threads

    def _root(self, request: Request, threads: ChannelThreads) -> JsonObject:
        message_id = request.path_params["message_id"]
        root = threads.root(message_id)
        if root is None:
            raise _message_not_found(message_id)
        return root

    @staticmethod
    def _messages_fragment(threads: ChannelThreads) -> str:
        return f"teams('{threads.team_id}')/channels('{quoted_key(threads.channel_id)}')/messages"

    async def list_channels(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$filter", "$select"))
        team_id = request.path_params["team_id"]
        if not self.store.is_team(team_id):
            raise team_not_found(team_id)
        names = selected(request, _CHANNEL_PROPERTIES, "microsoft.graph.channel", "BadRequest")
        raw_filter = request.query_params.get("$filter")
        clauses = parse_filter(raw_filter, _CHANNEL_FILTERS) if raw_filter is not None else []
        found = [project(c, names) for c in self.store.channels() if matches(c, clauses)]
        return JSONResponse(
            {
                "@odata.context": context_url(request, f"teams('{team_id}')/channels", names),
                "@odata.count": len(found),
                "value": found,
            }
        )

    async def get_channel(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$select",))
        threads = self._threads(request)
        names = selected(request, _CHANNEL_PROPERTIES, "microsoft.graph.channel", "BadRequest")
        fragment = f"teams('{threads.team_id}')/channels/$entity"
        return JSONResponse(
            {"@odata.context": context_url(request, fragment, names)}
            | project(threads.channel, names)
        )

    async def list_messages(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$top", "$expand", "$skiptoken"))
        threads = self._threads(request)
        scope = f"messages:{threads.channel_id}"
        skiptoken = request.query_params.get("$skiptoken")
        if skiptoken is None:
            top, expand, after = page_size(request), _expands_replies(request), None
        else:
            token = decode_token(skiptoken, scope)
            top, expand, after = token.top, token.expand, token.after
        page, more = newest_first_page(threads.roots, top=top, after=after)
        value = [with_replies(request, threads, m) if expand else m for m in page]
        body: JsonObject = {
            "@odata.context": context_url(request, self._messages_fragment(threads)),
            "@odata.count": len(value),
        }
        if more:
            following = PageToken(scope=scope, after=str(page[-1]["id"]), top=top, expand=expand)
            body["@odata.nextLink"] = next_link(request, {"$skiptoken": encode_token(following)})
        return JSONResponse({**body, "value": value})

    async def get_message(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$select", "$expand"))
        threads = self._threads(request)
        names = selected(request, _MESSAGE_PROPERTIES, _CHAT_MESSAGE, "BadRequest")
        root = self._root(request, threads)
        message = with_replies(request, threads, root) if _expands_replies(request) else root
        fragment = f"{self._messages_fragment(threads)}/$entity"
        return JSONResponse(
            {"@odata.context": context_url(request, fragment, names)} | project(message, names)
        )

    async def list_replies(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$top", "$skiptoken"))
        threads = self._threads(request)
        root = self._root(request, threads)
        scope = replies_scope(str(root["id"]))
        skiptoken = request.query_params.get("$skiptoken")
        if skiptoken is None:
            top, after = page_size(request), None
        else:
            token = decode_token(skiptoken, scope)
            top, after = token.top, token.after
        replies = threads.replies_to(str(root["id"]))
        page, more = newest_first_page(replies, top=top, after=after)
        fragment = f"{self._messages_fragment(threads)}('{root['id']}')/replies"
        body: JsonObject = {
            "@odata.context": context_url(request, fragment),
            "@odata.count": len(page),
        }
        if more:
            following = PageToken(scope=scope, after=str(page[-1]["id"]), top=top)
            body["@odata.nextLink"] = next_link(request, {"$skiptoken": encode_token(following)})
        return JSONResponse({**body, "value": page})

    async def get_reply(self, request: Request) -> Response:
        refuse_unsupported_options(request, ("$select",))
        threads = self._threads(request)
        names = selected(request, _MESSAGE_PROPERTIES, _CHAT_MESSAGE, "BadRequest")
        root = self._root(request, threads)
        reply_id = request.path_params["reply_id"]
        reply = next((r for r in threads.replies_to(str(root["id"])) if r["id"] == reply_id), None)
        if reply is None:
            raise _message_not_found(reply_id)
        fragment = f"{self._messages_fragment(threads)}('{root['id']}')/replies/$entity"
        return JSONResponse(
            {"@odata.context": context_url(request, fragment, names)} | project(reply, names)
        )

    def _delta_state(self, request: Request, threads: ChannelThreads) -> delta.DeltaRound:
        query = request.query_params
        now = self.store.now
        if "$skiptoken" in query:
            return delta.decode_round(query["$skiptoken"], "skip", threads.channel_id)
        if "$deltatoken" in query:
            finished = delta.decode_round(query["$deltatoken"], "delta", threads.channel_id)
            return delta.next_round(threads, finished, now=now)
        top = page_size(request)
        if top == 0:
            raise GraphError(400, "BadRequest", "The $top query option must be from 1 to 50.")
        skip = query.get("$skip", "0")
        if not skip.isdigit():
            raise GraphError(
                400,
                "BadRequest",
                f"Invalid value '{skip}' for $skip query option found. "
                "The $skip query option requires a non-negative integer value.",
            )
        since = delta.changed_since(query["$filter"]) if "$filter" in query else None
        return delta.first_round(
            threads, now=now, since=since, skip=int(skip), top=top, expand=_expands_replies(request)
        )

    async def message_delta(self, request: Request) -> Response:
        refuse_unsupported_options(
            request, ("$top", "$skip", "$filter", "$expand", "$skiptoken", "$deltatoken")
        )
        threads = self._threads(request)
        state = self._delta_state(request, threads)
        page, following = delta.page_of(threads, state)
        value = [delta_item(with_replies(request, threads, m) if state.expand else m) for m in page]
        body: JsonObject = {"@odata.context": context_url(request, "Collection(chatMessage)")}
        if following is not None:
            token = delta.encode_round(following, "skip")
            body["@odata.nextLink"] = next_link(request, {"$skiptoken": token})
        else:
            token = delta.encode_round(state, "delta")
            body["@odata.deltaLink"] = next_link(request, {"$deltatoken": token})
        return JSONResponse({**body, "value": value})

    async def post_message(self, request: Request) -> Response:
        raise GraphError(401, "Unauthorized", APP_ONLY_POST)


def teams_routes(store: TeamsStore) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``."""
    teams = _Teams(store)
    channel = "/teams/{team_id}/channels/{channel_id}"
    message = f"{channel}/messages/{{message_id}}"
    return [
        Route("/teams/{team_id}/channels", guarded(teams.list_channels), methods=["GET"]),
        Route(channel, guarded(teams.get_channel), methods=["GET"]),
        # Delta before {message_id}: "delta()" would otherwise be read as a message id.
        Route(f"{channel}/messages/delta()", guarded(teams.message_delta), methods=["GET"]),
        Route(f"{channel}/messages/delta", guarded(teams.message_delta), methods=["GET"]),
        Route(f"{channel}/messages", guarded(teams.list_messages), methods=["GET"]),
        Route(f"{channel}/messages", guarded(teams.post_message), methods=["POST"]),
        Route(message, guarded(teams.get_message), methods=["GET"]),
        Route(f"{message}/replies", guarded(teams.list_replies), methods=["GET"]),
        Route(f"{message}/replies", guarded(teams.post_message), methods=["POST"]),
        Route(f"{message}/replies/{{reply_id}}", guarded(teams.get_reply), methods=["GET"]),
    ]
