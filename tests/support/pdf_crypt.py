"""PDFs encrypted with the PDF standard security handler (revision 2, 40-bit RC4: ISO 32000-1
7.6.3, algorithms 2-4), as a "protect" setting of a PDF printer or an office suite writes them:
with a password to open (`user`), or only a password against changes (`owner`, the file opens
without one). For tests of what the checker makes of them; no PDF library writes them for us."""

from __future__ import annotations

import hashlib
import struct
from typing import Sequence

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_ID = bytes(range(16))
_PERMISSIONS = -44  # print and copy refused, as such files usually are


def rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def encrypted_pdf(lines: Sequence[str], user: str = "", owner: str = "owner") -> bytes:
    """A one-page PDF showing `lines` (Helvetica), encrypted: `user` is the password to open it
    ("" opens without one), `owner` the password against changes."""
    o_value = rc4(hashlib.md5(_padded(owner or user)).digest()[:5], _padded(user))
    key = hashlib.md5(_padded(user) + o_value + struct.pack("<i", _PERMISSIONS) + _ID).digest()[:5]
    u_value = rc4(key, _PAD)

    def sealed(number: int, data: bytes) -> bytes:
        return rc4(hashlib.md5(key + number.to_bytes(3, "little") + b"\x00\x00").digest()[:10], data)

    text = "BT /F1 12 Tf 14 TL 72 740 Td " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    stream = sealed(4, text.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <" + u_value.hex().encode()
        + b"> /P %d >>" % _PERMISSIONS,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, _ID.hex().encode(), _ID.hex().encode(), xref))
    return bytes(out)
