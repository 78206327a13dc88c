"""An APDU-level emulator of the BELPIC applet (1.7 RSA and 1.8 EC).

It answers like the applet reference manuals in reference/belpic/ say a real
card does, including the awkward parts a reader must handle: ``6Cxx`` when a
READ BINARY asks past the end, ``6B00`` at or beyond it, ``61xx`` + GET
RESPONSE after a signature (the card is T=0), ``63Cx`` / ``6983`` for wrong
and blocked PINs, and the PIN rules for the two keys:

- authentication key (82): "PIN once" — a successful VERIFY at any time
  before in the session;
- non-repudiation key (83): "PIN just before" — at most 0 (applet 1.7) or 1
  (applet 1.8) other command between VERIFY and the signature, and a VERIFY
  used for a non-repudiation signature does not unlock the authentication
  key ("PIN mixed" mode). A wrong PIN or LOG OFF drops every access right.

Power-off, reset and card removal drop the session state; the PIN try
counter survives them, like the card's EEPROM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from eid.layout import BELPIC_AID, Fid, TlvError, encode_tlv, iter_tlv, path_of
from eid.virtual import signing
from eid.virtual.apdu import (
    SW_CLA_NOT_SUPPORTED,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_LC_INCONSISTENT,
    SW_MORE_DATA,
    SW_NO_CURRENT_EF,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_RECORD_NOT_FOUND,
    SW_REFERENCE_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA,
    SW_WRONG_LE,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    SW_WRONG_P1P2_SELECT,
    SW_WRONG_PIN,
    Command,
    MalformedApdu,
    is_valid_pin_block,
    pin_block,
    respond,
)
from eid.virtual.connection import CardRemovedError, VirtualCardConnection
from eid.virtual.image import CardImage

#: Instance AID of the BELPIC applet (applet manuals §2.1 / §2.2).
APPLET_AID = bytes.fromhex("A00000003029057000AD13100101FF")
MF = path_of(Fid.MF)
MAX_TRIES = 3
_ANY_KEY_REFS = (0x82, 0x83)
#: Commands allowed between VERIFY and a non-repudiation signature.
_NONREP_WINDOW = {"1.7": 0, "1.8": 1}


@dataclass
class _Session:
    """Volatile state, lost on power-off / reset (manual §5.1)."""

    current_df: bytes = MF
    current_ef: bytes | None = None
    applet_selected: bool = True  # BELPIC is default-selected after reset
    algorithm: int | None = None
    key_ref: int | None = None
    auth_granted: bool = False
    auth_before_verify: bool = False
    nonrep_armed: bool = False
    since_verify: int = 0
    pending: bytes = b""


class VirtualCard:
    """The emulated card; :meth:`transmit` takes a command APDU, returns a response."""

    def __init__(self, image: CardImage) -> None:
        self.image = image
        self.applet = image.applet
        self.atr = image.atr
        self._files = {bytes.fromhex(p): content for p, content in image.files.items()}
        self._dfs = {p[:i] for p in self._files for i in range(2, len(p), 2)}
        self._pin = pin_block(image.pin)
        self.tries_left = image.pin_tries_left
        self.present = True
        self.apdu_count = 0
        self._remove_after: int | None = None
        self._lock = threading.RLock()
        self._session = _Session()
        self._handlers: dict[tuple[int, int], Callable[[Command], bytes]] = {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0xC0): self._get_response,
            (0x00, 0x20): self._verify,
            (0x00, 0x24): self._change_reference_data,
            (0x00, 0x2C): self._reset_retry_counter,
            (0x00, 0x22): self._mse_set,
            (0x00, 0x2A): self._pso_cds,
            (0x80, 0xE4): self._get_card_data,
            (0x80, 0xE6): self._log_off,
        }
        if self.applet == "1.8":
            self._handlers[(0x00, 0x88)] = self._internal_authenticate
            self._handlers[(0x80, 0xB2)] = self._read_record

    # -- physical events --------------------------------------------------------

    def reset(self) -> None:
        """Power cycle / warm reset: the session is lost, the PIN counter is not."""
        with self._lock:
            self._session = _Session()

    def remove(self) -> None:
        """Take the card out of the reader."""
        with self._lock:
            self.present = False
            self._session = _Session()

    def insert(self) -> None:
        """Put the card back (a fresh session)."""
        with self._lock:
            self.present = True
            self._remove_after = None
            self._session = _Session()

    def remove_after(self, apdus: int) -> None:
        """Remove the card once ``apdus`` more commands have been answered."""
        with self._lock:
            self._remove_after = apdus

    def connection(self) -> VirtualCardConnection:
        """A pyscard-compatible connection to this card, in-process."""
        return VirtualCardConnection(self)

    # -- APDU processing --------------------------------------------------------

    def transmit(self, apdu: bytes) -> bytes:
        """Process one command APDU; raises :class:`CardRemovedError` if removed."""
        with self._lock:
            if not self.present:
                raise CardRemovedError("the card has been removed")
            if self._remove_after is not None:
                if self._remove_after <= 0:
                    self.remove()
                    raise CardRemovedError("the card has been removed")
                self._remove_after -= 1
            self.apdu_count += 1
            return self._process(bytes(apdu))

    def _process(self, apdu: bytes) -> bytes:
        try:
            cmd = Command.parse(apdu)
        except MalformedApdu:
            return respond(SW_WRONG_LENGTH)
        handler = self._handlers.get((cmd.cla, cmd.ins))
        if handler is None:
            known_ins = any(ins == cmd.ins for _, ins in self._handlers)
            bad_cla = cmd.cla not in (0x00, 0x80) or known_ins
            return respond(SW_CLA_NOT_SUPPORTED if bad_cla else SW_INS_NOT_SUPPORTED)
        s = self._session
        if not s.applet_selected and handler != self._select:
            return respond(SW_INS_NOT_SUPPORTED)
        if handler != self._get_response:
            s.pending = b""
        if handler not in (self._verify, self._pso_cds):
            s.since_verify += 1
            if s.since_verify > _NONREP_WINDOW[self.applet]:
                s.nonrep_armed = False
        return handler(cmd)

    # -- file system --------------------------------------------------------

    def _select(self, cmd: Command) -> bytes:
        s = self._session
        if cmd.p2 != 0x0C:
            return respond(SW_WRONG_P1P2_SELECT)
        if cmd.p1 == 0x04:
            return self._select_aid(cmd.data)
        if cmd.p1 in (0x00, 0x02):
            if len(cmd.data) != 2:
                return respond(SW_LC_INCONSISTENT)
            target = self._resolve_fid(cmd.data)
        elif cmd.p1 == 0x08:
            if not cmd.data or len(cmd.data) % 2:
                return respond(SW_LC_INCONSISTENT)
            path = cmd.data if cmd.data.startswith(MF) else MF + cmd.data
            target = path if path in self._files or path in self._dfs else None
        else:
            return respond(SW_WRONG_P1P2_SELECT)
        if target is None:
            return respond(SW_FILE_NOT_FOUND)
        if target in self._dfs:
            s.current_df, s.current_ef = target, None
        else:
            s.current_df, s.current_ef = target[:-2], target
        return respond(SW_OK)

    def _resolve_fid(self, fid: bytes) -> bytes | None:
        """ISO rules for a file identifier: MF, a child, the parent or a sibling DF."""
        cur = self._session.current_df
        if fid == MF:
            return MF
        candidates = [cur + fid]
        if len(cur) > 2:
            parent = cur[:-2]
            candidates += [parent] if parent.endswith(fid) else []
            candidates.append(parent + fid)
        for path in candidates:
            if path in self._files or path in self._dfs:
                return path
        return None

    def _select_aid(self, aid: bytes) -> bytes:
        s = self._session
        if aid == APPLET_AID:
            self._session = _Session(applet_selected=True)
        elif aid == BELPIC_AID and s.applet_selected:
            s.current_df, s.current_ef = MF + path_of(Fid.DF_BELPIC), None
        elif not aid:
            s.applet_selected = False  # the card manager (manual 1.8 §6.6 note)
        else:
            return respond(SW_FILE_NOT_FOUND)
        return respond(SW_OK)

    def _read_binary(self, cmd: Command) -> bytes:
        ef = self._session.current_ef
        if ef is None:
            return respond(SW_NO_CURRENT_EF)
        if cmd.p1 & 0x80:
            return respond(SW_WRONG_P1P2)
        content = self._files[ef]
        offset = (cmd.p1 << 8) | cmd.p2
        if offset >= len(content):
            return respond(SW_WRONG_P1P2)
        wanted = cmd.le or 256
        available = len(content) - offset
        if wanted > available:
            return respond(SW_WRONG_LE | min(available, 0xFF))
        return respond(SW_OK, content[offset : offset + wanted])

    def _read_record(self, cmd: Command) -> bytes:
        """READ RECORD on the TLV files (applet 1.8 §6.8): fields P1..P2 by tag."""
        ef = self._session.current_ef
        if ef is None:
            return respond(SW_NO_CURRENT_EF)
        try:
            fields = iter_tlv(self._files[ef].rstrip(b"\x00"))
        except TlvError:
            return respond(0x6981)  # not a structured EF
        chosen = [(f.tag, f.value) for f in fields if cmd.p1 <= f.tag <= cmd.p2]
        if cmd.p2 < cmd.p1 or not chosen:
            return respond(SW_RECORD_NOT_FOUND)
        data = encode_tlv(chosen)
        if cmd.le is None or cmd.le == 256:  # Le = 00: everything, chained past 256 bytes
            if len(data) <= 256:
                return respond(SW_OK, data)
            self._session.pending = data[256:]
            return respond(SW_MORE_DATA | (len(data) - 256 & 0xFF), data[:256])
        if cmd.le > len(data):
            return respond(SW_WRONG_LE | len(data))
        return respond(SW_OK, data[: cmd.le])

    # -- T=0 response chaining ------------------------------------------------

    def _chain(self, data: bytes) -> bytes:
        """Hold ``data`` for GET RESPONSE and announce its length with 61xx."""
        if not data:
            return respond(SW_OK)
        self._session.pending = data
        return respond(SW_MORE_DATA | (len(data) & 0xFF))

    def _get_response(self, cmd: Command) -> bytes:
        s = self._session
        if not s.pending:
            return respond(SW_CONDITIONS_NOT_SATISFIED)
        wanted = cmd.le or 256
        if wanted > len(s.pending):
            return respond(SW_WRONG_LE | (len(s.pending) & 0xFF))
        data, s.pending = s.pending[:wanted], s.pending[wanted:]
        if s.pending:
            return respond(SW_MORE_DATA | (len(s.pending) & 0xFF), data)
        return respond(SW_OK, data)

    # -- card data and PIN ------------------------------------------------------

    def _get_card_data(self, cmd: Command) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 not in ((0x00, 0x01) if self.applet == "1.8" else (0x00,)):
            return respond(SW_WRONG_P1P2)
        data = self.image.card_data
        if cmd.p2 == 0x01:
            data += bytes([self.tries_left, 0xFF, 0xFF])
        if cmd.le != len(data):
            return respond(SW_WRONG_LE | len(data))
        return respond(SW_OK, data)

    def _verify(self, cmd: Command) -> bytes:
        s = self._session
        if cmd.p1 != 0x00:
            return respond(SW_WRONG_P1P2_SELECT)
        if cmd.p2 != 0x01:
            return respond(SW_REFERENCE_NOT_FOUND)
        if not cmd.data:  # Lc = 0: status only, no try consumed (manual §6.9 / §6.5)
            if self.tries_left == 0:
                return respond(SW_PIN_BLOCKED)
            return respond(SW_OK if s.auth_granted else SW_WRONG_PIN | self.tries_left)
        if len(cmd.data) != 8:
            return respond(SW_WRONG_LENGTH)
        sw = self._check_pin(cmd.data)
        if sw == SW_OK:
            s.auth_before_verify = s.auth_granted
            s.auth_granted = s.nonrep_armed = True
            s.since_verify = 0
        return respond(sw)

    def _check_pin(self, block: bytes) -> int:
        """Compare a PIN block; a wrong one costs a try and drops every access right."""
        if self.tries_left == 0:
            return SW_PIN_BLOCKED
        if block == self._pin:
            self.tries_left = MAX_TRIES
            return SW_OK
        self.tries_left -= 1
        s = self._session
        s.auth_granted = s.nonrep_armed = s.auth_before_verify = False
        return SW_WRONG_PIN | self.tries_left

    def _change_reference_data(self, cmd: Command) -> bytes:
        s = self._session
        if cmd.p1 != 0x00:
            return respond(SW_WRONG_P1P2_SELECT)
        if cmd.p2 != 0x01:
            return respond(SW_REFERENCE_NOT_FOUND)
        if len(cmd.data) != 16:
            return respond(SW_WRONG_LENGTH)
        old, new = cmd.data[:8], cmd.data[8:]
        if not is_valid_pin_block(new):
            return respond(SW_WRONG_DATA)
        sw = self._check_pin(old)
        if sw == SW_OK:
            self._pin = new
            s.auth_granted, s.nonrep_armed = True, False
        return respond(sw)

    def _reset_retry_counter(self, cmd: Command) -> bytes:
        """Unblocking needs the administration role (External Authenticate): refused."""
        return respond(SW_SECURITY_NOT_SATISFIED)

    def _log_off(self, cmd: Command) -> bytes:
        s = self._session
        s.auth_granted = s.nonrep_armed = s.auth_before_verify = False
        return respond(SW_OK)

    # -- signatures ------------------------------------------------------------

    def _mse_set(self, cmd: Command) -> bytes:
        s = self._session
        if (cmd.p1, cmd.p2) != (0x41, 0xB6):
            return respond(SW_WRONG_P1P2)
        if len(cmd.data) != 5:
            return respond(SW_WRONG_LENGTH)
        if cmd.data[0] != 0x04 or cmd.data[1] != 0x80 or cmd.data[3] != 0x84:
            return respond(SW_WRONG_DATA)
        algorithm, key_ref = cmd.data[2], cmd.data[4]
        if algorithm not in signing.ALGORITHMS[self.applet]:
            return respond(SW_WRONG_DATA)
        if key_ref not in _ANY_KEY_REFS:
            return respond(SW_REFERENCE_NOT_FOUND)
        s.algorithm, s.key_ref = algorithm, key_ref
        return respond(SW_OK)

    def _pso_cds(self, cmd: Command) -> bytes:
        s = self._session
        if (cmd.p1, cmd.p2) != (0x9E, 0x9A):
            return respond(SW_WRONG_P1P2)
        if s.algorithm is None or s.key_ref is None:
            return respond(SW_CONDITIONS_NOT_SATISFIED)
        if not self._may_sign(s.key_ref):
            return respond(SW_SECURITY_NOT_SATISFIED)
        if not signing.accepts(self.applet, s.algorithm, cmd.data):
            return respond(SW_WRONG_LENGTH)
        key = self.image.auth_key if s.key_ref == 0x82 else self.image.sign_key
        return self._chain(signing.sign(key, s.algorithm, cmd.data))

    def _may_sign(self, key_ref: int) -> bool:
        """Apply "PIN once" (82) and "PIN just before" + "PIN mixed" (83)."""
        s = self._session
        if key_ref == 0x83:
            allowed = s.nonrep_armed and s.since_verify <= _NONREP_WINDOW[self.applet]
            if s.nonrep_armed:  # that VERIFY was spent on the non-repudiation key
                s.auth_granted = s.auth_before_verify
            s.nonrep_armed = False
            return allowed
        s.nonrep_armed = False
        return s.auth_granted

    def _internal_authenticate(self, cmd: Command) -> bytes:
        """Applet 1.8 §6.11: ECDSA with the basic key (81) over a challenge TLV 94."""
        s = self._session
        if cmd.p2 != 0x81:
            return respond(SW_REFERENCE_NOT_FOUND)
        key = self.image.basic_key
        if key is None:
            return respond(SW_REFERENCE_NOT_FOUND)
        lengths = {0x01: 32, 0x02: 48, 0x04: 64}
        if cmd.p1 not in lengths:
            return respond(SW_WRONG_P1P2)
        data = cmd.data
        if len(data) < 2 or data[0] != 0x94 or data[1] != len(data) - 2:
            return respond(SW_WRONG_DATA)
        if data[1] != lengths[cmd.p1]:
            return respond(SW_WRONG_DATA)
        s.algorithm = s.key_ref = None  # "clears the current Security Environment"
        return self._chain(signing.sign(key, cmd.p1, data[2:]))


class NonEidCard:
    """A card that is not an eID: another ATR, and no BELPIC file system.

    For doctor tests: SELECT answers 6A82 (file not found), every other
    instruction 6D00, any class but 00/80 6E00.
    """

    atr = bytes.fromhex("3B0214 50".replace(" ", ""))
    applet = None

    def __init__(self) -> None:
        self.present = True
        self.apdu_count = 0

    def transmit(self, apdu: bytes) -> bytes:
        """Answer like a card without the BELPIC applet."""
        if not self.present:
            raise CardRemovedError("the card has been removed")
        self.apdu_count += 1
        if len(apdu) < 4:
            return respond(SW_WRONG_LENGTH)
        if apdu[0] not in (0x00, 0x80):
            return respond(SW_CLA_NOT_SUPPORTED)
        return respond(SW_FILE_NOT_FOUND if apdu[1] == 0xA4 else SW_INS_NOT_SUPPORTED)

    def reset(self) -> None:
        """Nothing to forget."""

    def remove(self) -> None:
        """Take the card out."""
        self.present = False

    def insert(self) -> None:
        """Put it back."""
        self.present = True

    def connection(self) -> VirtualCardConnection:
        """A pyscard-compatible connection to this card."""
        return VirtualCardConnection(self)
