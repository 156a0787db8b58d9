"""A small HTTP client for DingTalk's enterprise app robot API (``/v1.0``).

It fetches the app's access token with ``POST /v1.0/oauth2/accessToken``, keeps it for the run
(one :class:`TokenCache` per run, shared by every client of the same app), refreshes it before
``expireIn`` runs out, and on ``InvalidAuthentication`` (or HTTP 401) fetches a new one and tries
once more. Every other failure comes back as a classified
:class:`~msgspec_dd.dingtalk.app_errors.AppError` value: pacing, backoff and the ledger belong to
the transport that wraps this client. The clock and the HTTP session are injected; the base URL
too (:func:`api_base` reads ``MSGSPEC_DD_API_BASE`` at the CLI's edge). The app secret and the
tokens never appear in a result, an error or a ``repr``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from msgspec_dd.config import AppRobot, read_env
from msgspec_dd.dingtalk import wire
from msgspec_dd.dingtalk.app_errors import REFRESH_TOKEN, AppError, app_error
from msgspec_dd.dingtalk.errcodes import Kind
from msgspec_dd.errors import ConfigError
from msgspec_dd.redaction import redact

DEFAULT_API_BASE = "https://api.dingtalk.com"
#: The environment variable that replaces :data:`DEFAULT_API_BASE` (the sandbox, a proxy, tests).
API_BASE_ENV = "MSGSPEC_DD_API_BASE"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
#: Fetch a new token this many seconds before the current one expires (clock skew, slow calls).
REFRESH_MARGIN = 300.0
#: DingTalk pages ``readUserIds`` by at most this many.
MAX_PAGE = 200

TOKEN_PATH = "/v1.0/oauth2/accessToken"
SEND_PATH = "/v1.0/robot/groupMessages/send"
RECALL_PATH = "/v1.0/robot/groupMessages/recall"
QUERY_PATH = "/v1.0/robot/groupMessages/query"


def api_base(environ: Mapping[str, str]) -> str:
    """The API's base URL: ``MSGSPEC_DD_API_BASE`` when set, else https://api.dingtalk.com."""
    return (environ.get(API_BASE_ENV, "").strip() or DEFAULT_API_BASE).rstrip("/")


@dataclass(frozen=True)
class AppCredentials:
    """An app's key and secret, read from the environment by the caller. The secret is never shown."""

    app_key: str
    app_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, robot: str, app: AppRobot, environ: Mapping[str, str] | None = None) -> AppCredentials:
        """Read robot ``robot``'s key and secret from the variables ``app`` names.

        Raises :class:`ConfigError` (exit 2) naming the unset variable, before anything is sent.
        """
        return cls(_required(robot, app.app_key_env, "AppKey", environ),
                   _required(robot, app.app_secret_env, "AppSecret", environ))


@dataclass(frozen=True)
class RecallResult:
    """What ``groupMessages/recall`` answered: the keys recalled, and why the others were not."""

    recalled: tuple[str, ...]
    failed: Mapping[str, str]


@dataclass(frozen=True)
class ReadStatus:
    """What ``groupMessages/query`` answered, every page of ``readUserIds`` together."""

    send_status: str
    read_user_ids: tuple[str, ...]


@dataclass
class _Token:
    value: str = field(repr=False)
    refresh_at: float


class TokenCache:
    """Access tokens per app key, for one run. Thread-safe: robots are served concurrently."""

    def __init__(self) -> None:
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}

    def fetching(self, app_key: str) -> threading.Lock:
        """Held while a token of ``app_key`` is fetched, so robots of one app fetch it once."""
        with self._lock:
            return self._fetching.setdefault(app_key, threading.Lock())

    def get(self, app_key: str, now: float) -> str | None:
        """The cached token of ``app_key`` while it is fresh, else None."""
        with self._lock:
            token = self._tokens.get(app_key)
            return token.value if token is not None and now < token.refresh_at else None

    def put(self, app_key: str, value: str, now: float, expire_in: float) -> None:
        """Keep ``value`` until shortly before ``expire_in`` seconds from ``now`` run out.

        The margin is at most half the lifetime: DingTalk hands back the same token until it
        expires, so a token fetched late in its life must still be used for a while.
        """
        margin = min(REFRESH_MARGIN, expire_in / 2)
        with self._lock:
            self._tokens[app_key] = _Token(value, now + expire_in - margin)

    def drop(self, app_key: str, value: str) -> None:
        """Forget ``value`` (DingTalk refused it), unless another thread already replaced it."""
        with self._lock:
            token = self._tokens.get(app_key)
            if token is not None and token.value == value:
                del self._tokens[app_key]


class AppClient:
    """One app's calls to the robot API. ``send``, ``recall`` and ``query`` return a value or a
    classified :class:`AppError`; they never raise for an answer or a network failure."""

    def __init__(
        self,
        credentials: AppCredentials,
        *,
        base_url: str = DEFAULT_API_BASE,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        tokens: TokenCache | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.session = session if session is not None else requests.Session()
        self.clock = clock
        self.tokens = tokens if tokens is not None else TokenCache()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AppClient(app_key={self.credentials.app_key!r}, base_url={self.base_url!r})"

    # -- the API ---------------------------------------------------------------------------------

    def send(self, body: Mapping[str, Any] | bytes) -> str | AppError:
        """Post a ``groupMessages/send`` body (or its encoding, posted as it is); its
        ``processQueryKey``, or the error."""
        answer = self._call(SEND_PATH, body if isinstance(body, bytes) else wire.encode(body))
        if isinstance(answer, AppError):
            return answer
        key = answer.get("processQueryKey")
        return key if isinstance(key, str) and key else _malformed(SEND_PATH)

    def recall(self, keys: list[str], *, robot_code: str, conversation: str) -> RecallResult | AppError:
        """Recall the messages ``keys`` (at most 20) from the group ``conversation``."""
        body = {"openConversationId": conversation, "robotCode": robot_code, "processQueryKeys": keys}
        answer = self._call(RECALL_PATH, wire.encode(body))
        if isinstance(answer, AppError):
            return answer
        failed = answer.get("failedResult")
        recalled = answer.get("successResult")
        return RecallResult(
            tuple(str(key) for key in recalled) if isinstance(recalled, list) else (),
            {str(k): str(v) for k, v in failed.items()} if isinstance(failed, Mapping) else {},
        )

    def query(self, key: str, *, robot_code: str, conversation: str,
              page_size: int = MAX_PAGE) -> ReadStatus | AppError:
        """The send status of message ``key`` and everyone who has read it (every page)."""
        base = {"processQueryKey": key, "openConversationId": conversation, "robotCode": robot_code,
                "maxResults": page_size}
        readers: list[str] = []
        status = ""
        next_token: str | None = None
        while True:
            page = base | ({"nextToken": next_token} if next_token else {})
            answer = self._call(QUERY_PATH, wire.encode(page))
            if isinstance(answer, AppError):
                return answer
            status = str(answer.get("sendStatus", status))
            readers.extend(str(user) for user in answer.get("readUserIds") or ())
            next_token = answer.get("nextToken") if answer.get("hasMore") else None
            if not next_token:
                return ReadStatus(status, tuple(readers))

    # -- plumbing --------------------------------------------------------------------------------

    def _call(self, path: str, body: bytes) -> dict[str, Any] | AppError:
        """POST ``body`` with a valid token; on an auth refusal, once more with a new token."""
        for _attempt in range(2):
            token = self._token()
            if isinstance(token, AppError):
                return token
            answer = self._post(path, body, {TOKEN_HEADER: token})
            if not isinstance(answer, AppError) or answer.kind is not REFRESH_TOKEN:
                return answer
            self.tokens.drop(self.credentials.app_key, token)
        return answer

    def _token(self) -> str | AppError:
        cached = self.tokens.get(self.credentials.app_key, self.clock())
        if cached is not None:
            return cached
        with self.tokens.fetching(self.credentials.app_key):
            # Another robot of this app may have fetched it while this one waited.
            return self.tokens.get(self.credentials.app_key, self.clock()) or self._fetch_token()

    def _fetch_token(self) -> str | AppError:
        body = {"appKey": self.credentials.app_key, "appSecret": self.credentials.app_secret}
        now = self.clock()
        answer = self._post(TOKEN_PATH, wire.encode(body), {})
        if isinstance(answer, AppError):
            return answer
        token, expire_in = answer.get("accessToken"), answer.get("expireIn")
        if not isinstance(token, str) or not token or not isinstance(expire_in, (int, float)):
            return _malformed(TOKEN_PATH)
        self.tokens.put(self.credentials.app_key, token, now, float(expire_in))
        return token

    def _post(self, path: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any] | AppError:
        try:
            reply = self.session.post(self.base_url + path, data=body, headers={**wire.HEADERS, **headers},
                                      timeout=self.timeout)
        except requests.RequestException as err:
            text = redact(f"{type(err).__name__}: {err}", self._secrets(headers))
            return AppError(0, "connection", text, "", Kind.RETRYABLE,
                            "could not reach DingTalk's API: check the network (and MSGSPEC_DD_API_BASE)")
        try:
            data = reply.json()
        except ValueError:
            data = None
        if 200 <= reply.status_code < 300 and isinstance(data, dict) and "code" not in data:
            return data
        error = app_error(reply.status_code, data)  # DingTalk's text, in case it quotes a credential
        return replace(error, message=redact(error.message, self._secrets(headers)))

    def _secrets(self, headers: Mapping[str, str]) -> list[str]:
        return [self.credentials.app_secret, *headers.values()]


def _required(robot: str, name: str, what: str, environ: Mapping[str, str] | None) -> str:
    value = read_env(name, environ)
    if value is None:
        raise ConfigError(f"robot {robot!r}: environment variable {name} is not set. Set it to the "
                          f"app's {what} (from the DingTalk developer console).")
    return value


def _malformed(path: str) -> AppError:
    return AppError(200, "malformed", f"{path} answered without the expected fields", "",
                    Kind.RETRYABLE, "DingTalk's answer was not understood: try again later")
