"""A bearer token got by the OAuth 2.0 password grant (RFC 6749 section 4.3).

SMA's EV Charger asks for it so: POST the form grant_type=password, username, password to the
token path; the answer holds access_token, expires_in (s) and refresh_token. The token is
refreshed (grant_type refresh_token, section 6) shortly before it expires, and the box is logged
in to afresh when the refresh fails or a request is refused with 401.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

# Refresh this long before the token expires, so no request goes out with a stale one.
EXPIRY_MARGIN_S = 30.0

type FormPost = Callable[[dict[str, str]], Awaitable[Any]]


class PasswordGrantToken:
    """The current access token of one box; `post` sends a form to its token path."""

    def __init__(
        self,
        post: FormPost,
        username: str,
        password: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Nothing is sent until the first header is asked for."""
        self._post = post
        self._username = username
        self._password = password
        self._clock = clock
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self.logins = 0

    def forget(self) -> None:
        """The box refused the token: log in again next time."""
        self._access = None
        self._refresh = None

    async def header(self) -> str:
        """The Authorization header value, logging in or refreshing first where needed."""
        if self._access is not None and self._clock() < self._expires_at - EXPIRY_MARGIN_S:
            return f"Bearer {self._access}"
        answer: Any = None
        if self._refresh is not None:
            try:
                answer = await self._post(
                    {"grant_type": "refresh_token", "refresh_token": self._refresh}
                )
            except ValueError:
                answer = None
        if not _is_token(answer):
            self.logins += 1
            answer = await self._post(
                {"grant_type": "password", "username": self._username, "password": self._password}
            )
            if not _is_token(answer):
                raise ValueError("the token answer has no access_token")
        self._access = str(answer["access_token"])
        refresh = answer.get("refresh_token")
        self._refresh = str(refresh) if refresh else None
        expires_in = answer.get("expires_in")
        # Without expires_in the token is kept until the box refuses it.
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else math.inf
        self._expires_at = self._clock() + lifetime
        return f"Bearer {self._access}"


def _is_token(answer: Any) -> bool:
    return isinstance(answer, dict) and isinstance(answer.get("access_token"), str)
