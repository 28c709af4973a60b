"""The platforms' JWK Sets: fetched over HTTPS when first needed, cached, fetched again when an id_token names
a key id the cache lacks (the platform rotated its keys), at most once per REFETCH_AFTER seconds per platform."""

from __future__ import annotations

import threading
import time
from typing import Any

FETCH_TIMEOUT = 5.0  # seconds
MAX_AGE = 3600.0  # seconds a fetched set is trusted without a new fetch
REFETCH_AFTER = 10.0  # seconds between fetches of one set, so unknown key ids cannot make us hammer the platform


class KeySetError(Exception):
    """The key set could not be had or holds no such key; the message is the launch's reason."""


class PlatformKeys:
    """The cache of every platform's JWK Set (per process: it is a cache, the platform holds the truth)."""

    def __init__(self, fetch: Any = None, refetch_after: float = REFETCH_AFTER) -> None:
        self._fetch, self.refetch_after = fetch or _fetch, refetch_after
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}  # URL → (fetched at, kid → PyJWK)
        self._lock = threading.Lock()

    def key(self, url: str, kid: str) -> Any:
        """The platform's public key `kid` (a PyJWK); KeySetError when the set cannot be read or lacks it."""
        with self._lock:
            cached = self._sets.get(url)
        fresh = cached is not None and time.monotonic() - cached[0] < MAX_AGE
        if fresh and kid in cached[1]:  # type: ignore[index]
            return cached[1][kid]  # type: ignore[index]
        if cached is None or not fresh or time.monotonic() - cached[0] >= self.refetch_after:
            cached = (time.monotonic(), self._read(url))
            with self._lock:
                self._sets[url] = cached
        if kid not in cached[1]:
            raise KeySetError(f"unknown kid {kid[:80]!r}: the platform's key set ({url}) has no such key")
        return cached[1][kid]

    def _read(self, url: str) -> dict[str, Any]:
        import jwt

        try:
            data = self._fetch(url)
            keys = jwt.PyJWKSet.from_dict(data).keys
        except (jwt.exceptions.PyJWKSetError, jwt.exceptions.PyJWKError, ValueError, TypeError,
                AttributeError) as error:
            raise KeySetError(f"the platform's key set ({url}) is not a usable JWK Set: {error}") from None
        return {key.key_id: key for key in keys if key.key_id}


def _fetch(url: str) -> Any:
    import httpx

    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise KeySetError(f"cannot fetch the platform's key set ({url}): {error}") from None
