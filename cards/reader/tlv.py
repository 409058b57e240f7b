"""Minimal BER-TLV reading (ISO 7816-4 / SP 800-73-4 data objects)."""

from __future__ import annotations


def parse(data: bytes) -> dict[int, bytes]:
    """Top-level TLVs of `data` as {tag: value}; tags of one or two bytes, lengths up to 82xxxx."""
    objects: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            tag = (tag << 8) | data[i]
            i += 1
        length = data[i]
        i += 1
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + length > len(data):
            raise ValueError("TLV length runs past the data")
        objects[tag] = data[i : i + length]
        i += length
    return objects


def encode(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes((n,))
    elif n <= 0xFF:
        length = bytes((0x81, n))
    else:
        length = bytes((0x82,)) + n.to_bytes(2, "big")
    return tag_bytes + length + value
