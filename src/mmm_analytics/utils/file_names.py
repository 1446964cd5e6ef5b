"""Parts of file names made from names in the data (brands, regions, channels, results).

A name may hold any character and be of any length; a file name may not. Every name that goes into
a file name goes through :func:`file_name_part`, so a figure, an export or a report of a brand of
300 characters, or of ``a/b``, is written like any other.
"""

import hashlib
import re

#: Characters kept in a file name; any run of others becomes ``_``.
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Longest part of a file name (bytes): a stem of four such parts and a time stamp stays within the
#: 255-byte limit of a file name; a longer part keeps its start and ends in a hash of the whole.
MAX_NAME_PART_BYTES = 48


def file_name_part(text: str) -> str:
    """``text`` as part of a file name: letters, digits, ``.``, ``_`` and ``-`` kept, every other run
    ``_``, no leading or trailing ``_`` or ``.`` (never a hidden file), ``_`` when nothing is left, at most
    :data:`MAX_NAME_PART_BYTES` bytes (the start and an 8-character hash of the whole ``text``)."""
    name = UNSAFE.sub("_", text).strip("_.") or "_"
    if len(name.encode()) <= MAX_NAME_PART_BYTES:
        return name
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    start = name.encode()[: MAX_NAME_PART_BYTES - 9].decode(errors="ignore")
    return f"{start}_{digest}"
