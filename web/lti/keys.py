"""The tool's signing keys: a JSON file beside the bank (`cnnquiz lti keygen`), kept out of git.

The newest key signs (access-token requests, deep-linking responses); every key in the file is published in
the tool's JWK Set, so rotating is: `lti keygen` again (a new key signs, the old one stays published while
platforms refresh their cache), later `lti keygen --retire-old` (only the newest remains).
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "cnnquiz-lti-keys"
KEY_BITS = 2048
ALGORITHM = "RS256"


class KeyFileMissing(RuntimeError):
    """No usable key file; the message says to run `cnnquiz lti keygen`."""


@dataclass(frozen=True)
class ToolKey:
    kid: str
    created: str
    private_pem: str

    def private_key(self) -> Any:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        return load_pem_private_key(self.private_pem.encode(), password=None)

    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        jwk = RSAAlgorithm.to_jwk(self.private_key().public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class ToolKeys:
    keys: tuple[ToolKey, ...]  # oldest first; the last one signs

    @property
    def signing(self) -> ToolKey:
        return self.keys[-1]

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set: every key of the file, the signing one first."""
        return {"keys": [key.public_jwk() for key in reversed(self.keys)]}

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT of `claims`, signed RS256 by the newest key (its kid in the header)."""
        import jwt

        return jwt.encode(claims, self.signing.private_key(), algorithm=ALGORITHM, headers={"kid": self.signing.kid})


def new_key() -> ToolKey:
    """A fresh RSA key; its kid is the RFC 7638 thumbprint of its public JWK."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return ToolKey(_thumbprint(private.public_key()), datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                   pem)


def _thumbprint(public_key: Any) -> str:
    import base64
    import hashlib

    from jwt.algorithms import RSAAlgorithm

    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({name: jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")


def load_keys(path: Path) -> ToolKeys:
    """The key file; KeyFileMissing (one line saying what to do) when it is absent or damaged."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        keys = tuple(ToolKey(str(k["kid"]), str(k["created"]), str(k["private_key"])) for k in data["keys"])
        if data.get("format") != FORMAT or not keys:
            raise ValueError("not a cnnquiz LTI key file")
    except FileNotFoundError:
        raise KeyFileMissing(f"{path}: no LTI signing key; run `cnnquiz lti keygen` (beside the bank)") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyFileMissing(f"{path}: unreadable LTI key file ({error}); make a new one with "
                             "`cnnquiz lti keygen`") from None
    return ToolKeys(keys)


def save_keys(path: Path, keys: ToolKeys) -> None:
    """Write the key file readable by its owner only (replaced atomically)."""
    data = {"format": FORMAT, "keys": [{"kid": k.kid, "created": k.created, "private_key": k.private_pem}
                                       for k in keys.keys]}
    temporary = Path(path).with_name(Path(path).name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1)
    os.replace(temporary, path)


def rotate(path: Path, retire_old: bool = False) -> ToolKeys:
    """Add a new signing key to the file (making it if needed); with `retire_old`, keep only the newest key
    instead (no new key). Returns what the file now holds."""
    try:
        current = load_keys(path).keys
    except KeyFileMissing:
        if Path(path).exists():
            raise
        current = ()
    if retire_old:
        if not current:
            raise KeyFileMissing(f"{path}: no LTI key to keep; run `cnnquiz lti keygen` first")
        keys = ToolKeys(current[-1:])
    else:
        keys = ToolKeys((*current, new_key()))
    save_keys(path, keys)
    return keys
