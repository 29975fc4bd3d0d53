"""moto's server, with S3's ranged GET reading only the range asked for.

moto 5 answers `GET ... Range: bytes=a-b` by reading the whole object out of its buffer and slicing it; S3
reads the range. For a restore of a million objects each of its hundreds of 1 MiB member reads then copied
the whole 233 MB archive (about 135 ms each here) on the core the recovery API server runs on, which S3 never
costs. Here a single `bytes=first-[last]` range of a plain GET is read from the object's buffer under its
lock; every other request (no range, several ranges, a suffix range, partNumber, HEAD) is moto's own code.
What the answer holds is unchanged: moto's own range handling still decides status, headers and bounds
(tests/integration/standin-s3.test.ts checks each form of range against the object's bytes).
"""
import re
import sys
import threading

from moto.s3 import models, responses
from moto.server import main

_SINGLE_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_lazy = threading.local()


class _RangeReader:
    """What moto's range handling needs of the body: its length and the slice asked for, read on demand."""

    def __init__(self, key):
        self._key = key

    def __len__(self):
        return self._key.size

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("only a contiguous slice of an object is read")
        start, stop, _ = item.indices(self._key.size)
        with self._key.lock:
            self._key._value_buffer.seek(start)
            return self._key._value_buffer.read(max(0, stop - start))


_value = models.FakeKey.value


def _value_or_reader(self):
    if getattr(_lazy, "on", False):
        return _RangeReader(self)
    return _value.fget(self)


models.FakeKey.value = property(_value_or_reader, _value.fset)

_get_object = responses.S3Response.get_object


def _get_object_ranged(self):
    match = _SINGLE_RANGE.match(self.headers.get("range", "") or "")
    ranged = (
        match is not None
        and (match.group(2) == "" or int(match.group(2)) >= int(match.group(1)))
        and not self._get_int_param("partNumber")
    )
    _lazy.on = ranged
    try:
        status, headers, body = _get_object(self)
    finally:
        _lazy.on = False
    if isinstance(body, _RangeReader) and status != 200:
        # Not answered with the object (e.g. 304): nothing to slice; moto's own answer.
        return _get_object(self)
    return status, headers, body


responses.S3Response.get_object = _get_object_ranged

if __name__ == "__main__":
    main(sys.argv[1:])
