"""A personalised card's complete content, and its JSON bundle.

A :class:`CardImage` is everything the emulator needs: ATR, GET CARD DATA
answer, every file by absolute path, the private keys, the PIN and its try
counter. The sandbox portal builds one and hands it to a virtual card over
HTTP as JSON (:meth:`CardImage.to_json`), keys as PKCS#8 PEM.

The PIN here is the *card's* reference data for a sandbox card, not a
person's secret; still, it is kept out of ``repr``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization

from eid.layout import PATHS, Fid, decode_tlv, encode_tlv, path_of
from eid.pki.storage import PrivateKey, load_key_pem

FORMAT = "monespace-card-image/v1"


def full_path(name_or_path: str | bytes) -> str:
    """Absolute path (with 3F00) in upper-case hex, from a ``PATHS`` name or a path."""
    if isinstance(name_or_path, str) and name_or_path in PATHS:
        return (path_of(Fid.MF) + PATHS[name_or_path]).hex().upper()
    raw = bytes.fromhex(name_or_path) if isinstance(name_or_path, str) else name_or_path
    if not raw.startswith(path_of(Fid.MF)):
        raw = path_of(Fid.MF) + raw
    return raw.hex().upper()


@dataclass(frozen=True)
class CardImage:
    """The content of one card (see module docstring)."""

    applet: str
    atr: bytes
    card_data: bytes  # the 0x1C-byte GET CARD DATA answer (P2=00)
    files: dict[str, bytes]  # absolute path hex ("3F00DF014031") -> content
    auth_key: PrivateKey = field(repr=False)
    sign_key: PrivateKey = field(repr=False)
    basic_key: PrivateKey | None = field(default=None, repr=False)  # applet 1.8
    pin: str = field(default="1234", repr=False)
    pin_tries_left: int = 3

    def file(self, name_or_path: str | bytes) -> bytes:
        """A file's content by ``layout.PATHS`` name ("identity") or path."""
        return self.files[full_path(name_or_path)]

    def with_file(self, name_or_path: str | bytes, content: bytes) -> CardImage:
        """A copy with one file replaced (e.g. a corrupted one for tests)."""
        files = dict(self.files)
        files[full_path(name_or_path)] = content
        return dataclasses.replace(self, files=files)

    def with_pin_tries(self, tries_left: int) -> CardImage:
        """A copy whose PIN has ``tries_left`` tries (0 = blocked)."""
        return dataclasses.replace(self, pin_tries_left=tries_left)

    def tamper(self, name: str = "identity") -> CardImage:
        """A copy with one field changed *after* the register signed it.

        ``identity``: a letter of the surname changes; ``address``: a letter
        of the street; ``photo``: one byte inside the JPEG's comment. The TLV
        structure stays valid, so only the signature or hash check can tell.
        """
        content = self.file(name)
        if name in ("identity", "address"):
            tag = 0x07 if name == "identity" else 0x01
            fields = decode_tlv(content)  # trailing zero padding is skipped
            value = fields[tag]
            fields[tag] = bytes([value[0] ^ 0x01]) + value[1:]
            padding = len(content) - len(encode_tlv(fields))
            return self.with_file(name, encode_tlv(fields) + b"\x00" * max(padding, 0))
        if name == "photo":
            i = content.index(b"monespace")
            return self.with_file(name, content[:i] + b"M" + content[i + 1 :])
        raise ValueError(f"cannot tamper with {name!r} (identity, address or photo)")

    # -- JSON bundle -----------------------------------------------------------

    def to_json(self) -> str:
        """Serialise to the bundle format ``monespace-card-image/v1``."""
        return json.dumps(self.to_dict(), indent=1)

    def to_dict(self) -> dict[str, Any]:
        """The bundle as a JSON-compatible dict."""
        keys = {"authentication": self.auth_key, "signature": self.sign_key}
        if self.basic_key is not None:
            keys["basic"] = self.basic_key
        return {
            "format": FORMAT,
            "applet": self.applet,
            "atr": self.atr.hex().upper(),
            "card_data": self.card_data.hex().upper(),
            "pin": self.pin,
            "pin_tries_left": self.pin_tries_left,
            "files": {p: base64.b64encode(c).decode() for p, c in sorted(self.files.items())},
            "keys": {n: _pem(k) for n, k in keys.items()},
        }

    @classmethod
    def from_json(cls, text: str | bytes) -> CardImage:
        """Load a bundle; raises ``ValueError`` with a clear message if malformed."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"card image is not JSON: {exc.msg}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> CardImage:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a card image (expected format {FORMAT!r})")
        if data.get("applet") not in ("1.7", "1.8"):
            raise ValueError("card image applet must be 1.7 or 1.8")
        pin = data.get("pin")
        if not (isinstance(pin, str) and pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValueError("card image PIN must be 4 to 12 digits")
        try:
            keys = data["keys"]
            return cls(
                applet=str(data["applet"]),
                atr=bytes.fromhex(data["atr"]),
                card_data=bytes.fromhex(data["card_data"]),
                files={
                    full_path(p): base64.b64decode(c, validate=True)
                    for p, c in data["files"].items()
                },
                auth_key=load_key_pem(keys["authentication"].encode()),
                sign_key=load_key_pem(keys["signature"].encode()),
                basic_key=load_key_pem(keys["basic"].encode()) if "basic" in keys else None,
                pin=str(data["pin"]),
                pin_tries_left=int(data["pin_tries_left"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"card image is missing or has a malformed field: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"card image has an invalid value: {exc}") from None


def _pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
