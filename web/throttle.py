"""Slowing the guessing of tokens, never a student with a valid one.

A lecture hall shares a handful of addresses (eduroam, a campus NAT): an address is never refused for the
requests it makes with valid tokens. What is counted, per address, is the distinct unknown tokens it tried in a
sliding window; once it has tried `limit` of them, a further new unknown token gets 429 (with the seconds to
wait) instead of a lookup, until the window clears. The same mistyped link reloaded is one token, and gets its
404 again. Counted in this process only (several processes each count their own). Memory stays bounded.
"""

from __future__ import annotations

import collections
import hashlib
import threading
import time


class GuessThrottle:
    MAX_ADDRESSES = 10_000

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._tried: dict[str, collections.OrderedDict[bytes, float]] = {}  # address → token digest → when
        self._lock = threading.Lock()

    def unknown(self, address: str, token: str) -> float:
        """Record that `address` asked for an unknown `token`; the seconds it must wait first (0: answer 404)."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()[:16]
        now = time.monotonic()
        with self._lock:
            tried = self._fresh(address, now)
            if digest in tried:
                return 0.0
            if len(tried) >= self.limit:
                return max(next(iter(tried.values())) + self.window - now, 1.0)
            if address not in self._tried:
                self._make_room(now)
                self._tried[address] = tried
            tried[digest] = now
            return 0.0

    def _fresh(self, address: str, now: float) -> collections.OrderedDict[bytes, float]:
        """The address's tokens still inside the window, oldest first."""
        tried = self._tried.get(address, collections.OrderedDict())
        while tried and next(iter(tried.values())) <= now - self.window:
            tried.popitem(last=False)
        if not tried:
            self._tried.pop(address, None)
        return tried

    def _make_room(self, now: float) -> None:
        if len(self._tried) < self.MAX_ADDRESSES:
            return
        for address in [a for a, tried in self._tried.items() if next(reversed(tried.values())) <= now - self.window]:
            del self._tried[address]
        if len(self._tried) >= self.MAX_ADDRESSES:
            self._tried.pop(next(iter(self._tried)))
