"""The checker's protocol with a port's process: frames, and what each may hold.

A frame is 4 bytes of header length, a JSON header, then the header's ``payload``
bytes (float64 or the inputs' dtype, C order). The checker reads the port's frames
incrementally and within bounds fixed before it reads them: a header of at most
MAX_HEADER bytes, a payload of at most what it asked for. Every field is checked before
use; anything else is a ProtocolError, never a traceback.
"""
import json
import struct
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .adapters import FRAMEWORKS
from .casefile import Case
from .files import loads_strict
from .running import KINDS, Outcome
from .text import one_line

__all__ = ["MAX_HEADER", "ProtocolError", "LoadFailed", "encode", "Reader", "request_frame", "read_request",
           "answer_frame",
           "outcome_of", "load_info"]

MAX_HEADER = 2**16


class ProtocolError(Exception):
    """The other process broke the checker's protocol, or the channel closed."""


class LoadFailed(Exception):
    """The port's process answered that it could not load the port; the message is its reason."""


def encode(header: Dict[str, Any], payload: bytes = b"") -> bytes:
    head = json.dumps(dict(header, payload=len(payload)), allow_nan=False).encode("ascii")
    return struct.pack(">I", len(head)) + head + payload


class Reader:
    """One frame, fed bytes as they come: :meth:`wanted` says how many more it needs
    (never more than the frame), :meth:`feed` takes them, :meth:`frame` is the frame
    once whole. A header over MAX_HEADER bytes, not JSON, or announcing a payload over
    ``max_payload`` is refused as soon as it is read, before its payload is."""

    def __init__(self, max_payload: int) -> None:
        self.max_payload = max_payload
        self.buffer = bytearray()
        self.head = 0  # the header's length, once known
        self.header: Optional[Dict[str, Any]] = None
        self.size = 4  # the bytes of the part being read (length, header or payload)

    def wanted(self) -> int:
        return self.size - len(self.buffer)

    def feed(self, data: bytes) -> None:
        self.buffer += data
        if self.wanted():
            return
        if not self.head and self.header is None:
            (self.head,) = struct.unpack(">I", bytes(self.buffer))
            if not 0 < self.head <= MAX_HEADER:
                raise ProtocolError("a header of %d bytes" % self.head)
            self.buffer, self.size = bytearray(), self.head
        elif self.header is None:
            header = loads_strict(bytes(self.buffer), "a header", ProtocolError)
            payload = header.get("payload") if isinstance(header, dict) else None
            if type(payload) is not int or not 0 <= payload <= self.max_payload:
                raise ProtocolError("a frame of %s payload bytes where at most %d were asked for" % (
                    payload if type(payload) is int else "?", self.max_payload))
            self.header, self.buffer, self.size = header, bytearray(), payload

    def frame(self) -> Optional[Tuple[Dict[str, Any], bytes]]:
        if self.header is None or self.wanted():
            return None
        return self.header, bytes(self.buffer)


def _array_frame(array: np.ndarray) -> Tuple[Dict[str, Any], bytes]:
    data = np.ascontiguousarray(array).tobytes()
    return {"dtype": array.dtype.name, "shape": list(array.shape), "size": len(data)}, data


def _frame_array(header: Any, payload: bytes, dtype: Any) -> np.ndarray:
    shape = header.get("shape") if isinstance(header, dict) else None
    if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and 0 <= s < 2**62 for s in shape):
        raise ProtocolError("a shape that is not a list of sizes")
    if dtype not in ("float16", "float32", "float64"):
        raise ProtocolError("a dtype that is not a float type")
    count = 1
    for s in shape:
        count *= s
    if count * np.dtype(dtype).itemsize != len(payload):
        raise ProtocolError("a payload of %d bytes for shape %s" % (len(payload), tuple(shape)))
    return np.frombuffer(payload, dtype=dtype).reshape(shape).copy()


def request_frame(seq: int, case: Case) -> Tuple[bytes, int]:
    """The request for ``case`` (its inputs, never its expected values), and the most
    payload bytes its answer may have: the values of a result of the expected size."""
    names = ("X", "K", "G") if case.grad else ("X", "K")
    heads, payload = {}, b""
    for name in names:
        heads[name], data = _array_frame(case.inputs[name])
        payload += data
    size = 0 if case.expected is None else int(case.expected.size)
    header = dict(heads, seq=seq, function=case.function, want_value=case.expected is not None, size=size,
                  kwargs={k: list(v) if isinstance(v, tuple) else v for k, v in case.kwargs.items()},
                  grad=case.grad)
    return encode(header, payload), size * 8


def read_request(header: Dict[str, Any], payload: bytes) -> Dict[str, Any]:
    """The child's side: a request's arrays and fields (the checker's own frames)."""
    arrays, start = {}, 0
    for name in ("X", "K", "G"):
        if name in header:
            size = header[name]["size"]
            arrays[name] = _frame_array(header[name], payload[start:start + size], header[name]["dtype"])
            start += size
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in header["kwargs"].items()}
    return dict(header, kwargs=kwargs, **arrays)


def answer_frame(seq: int, outcome: Outcome, size: int) -> bytes:
    """The child's answer: the outcome, with its values only where the result has the
    ``size`` elements the checker can compare (a result of another shape fails by its shape)."""
    header = {"seq": seq, "kind": outcome.kind, "message": outcome.message, "dtype": outcome.dtype,
              "shape": list(outcome.shape), "note": outcome.note}
    values = outcome.values
    return encode(header, b"" if values is None or values.size != size else values.tobytes())


def outcome_of(header: Dict[str, Any], payload: bytes, seq: int) -> Outcome:
    """The Outcome an answer frame reports, each field checked: its sequence number
    (``seq``, the request's: a forged extra frame must not shift later verdicts), its
    kind, texts, dtype, shape and values; else ProtocolError."""
    if header.get("seq") != seq or type(header.get("seq")) is not int or header.get("kind") not in KINDS:
        raise ProtocolError("an answer out of turn")
    message, dtype, note = header.get("message"), header.get("dtype"), header.get("note", "")
    if not (isinstance(message, str) and isinstance(dtype, str) and isinstance(note, str)) or len(dtype) > 40:
        raise ProtocolError("an answer with fields of the wrong types")
    shape = header.get("shape")
    if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and s >= 0 for s in shape):
        raise ProtocolError("an answer with a shape that is not a list of sizes")
    values = _frame_array(header, payload, "float64") if payload else None
    return Outcome(header["kind"], one_line(message, 1000), one_line(dtype, 40), tuple(shape), values,
                   one_line(note, 300))


def load_info(header: Dict[str, Any]) -> Dict[str, Any]:
    """What the child found when it loaded the port, each field checked; ProtocolError
    for a malformed answer, LoadFailed (with the child's reason) for a failed load."""
    if header.get("loaded") is False and set(header) <= {"loaded", "message", "payload"}:
        message = header.get("message")
        raise LoadFailed(one_line(message, 2000) if isinstance(message, str) else "?")
    framework, version, skipped = header.get("framework"), header.get("version"), header.get("skipped")
    if not (header.get("loaded") is True and isinstance(framework, str) and isinstance(version, str)
            and isinstance(skipped, list) and all(isinstance(s, str) for s in skipped) and len(skipped) <= 1000):
        raise ProtocolError("a load answer with fields of the wrong types")
    if framework and framework not in FRAMEWORKS:
        raise ProtocolError("a load answer naming an unknown framework")
    lines: List[str] = [one_line(s, 300) for s in skipped]
    return {"framework": framework, "version": one_line(version, 100), "skipped": lines}
