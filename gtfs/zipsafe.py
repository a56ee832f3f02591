"""Read the ``.txt`` members of a GTFS source (zip or folder) safely into memory.

Nothing is ever extracted to disk. Every member name of a zip is checked
*before* any member is decompressed: an absolute path or a ``..`` component is
refused, so a hostile archive cannot even be half-read. The uncompressed size is
capped twice: the sizes the archive declares are summed up front, and the bytes
actually inflated are counted while reading (a zip bomb may lie about its
sizes), so an oversized feed is a :class:`~gtfs.errors.FeedError`, not an
exhausted machine.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gtfs.errors import FeedError

#: Default cap on the total uncompressed size of the members read (1 GiB).
DEFAULT_MAX_UNCOMPRESSED_BYTES = 1 << 30

_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class FeedFiles:
    """The raw bytes of the GTFS tables of one source, and its fingerprint.

    ``files`` maps a member name such as ``"stops.txt"`` to its bytes;
    ``sha256`` is the hash of the zip file's bytes, or for a folder of the
    sorted (name, bytes) pairs of its ``.txt`` files.
    """

    source: Path
    files: dict[str, bytes]
    sha256: str


def check_member_name(name: str) -> None:
    """Refuse a zip member name that is absolute or climbs out with ``..``.

    Raises
    ------
    FeedError
        Naming the member.
    """
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        raise FeedError(f"zip member {name!r} has an absolute path; refusing the archive",
                        file=name)
    if ".." in PurePosixPath(norm).parts:
        raise FeedError(f"zip member {name!r} contains '..'; refusing the archive", file=name)


def read_feed_files(path: Path, *, wanted: frozenset[str],
                    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES) -> FeedFiles:
    """Read the members named in ``wanted`` from a GTFS zip or folder.

    Parameters
    ----------
    path
        A ``.zip`` file or a directory holding the ``.txt`` tables at its root.
    wanted
        Member names to read (``"stops.txt"``...); others are ignored.
    max_uncompressed_bytes
        Cap on the total bytes read (after decompression).

    Returns
    -------
    FeedFiles

    Raises
    ------
    FeedError
        For an unsafe member name, a size over the cap or a corrupt archive.
    OSError
        If ``path`` cannot be read.
    """
    if max_uncompressed_bytes <= 0:
        raise FeedError(f"max_uncompressed_bytes: must be positive, got {max_uncompressed_bytes}")
    path = Path(path)
    if path.is_dir():
        return _read_folder(path, wanted, max_uncompressed_bytes)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    return _read_zip(path, wanted, max_uncompressed_bytes)


def _too_big(source: Path, total: int, cap: int) -> FeedError:
    return FeedError(f"uncompressed size {total} bytes exceeds the cap of {cap} bytes "
                     "(max_uncompressed_bytes)", file=source.name)


def _read_zip(path: Path, wanted: frozenset[str], cap: int) -> FeedFiles:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError) as exc:
        # the file itself was just read in full, so OSError here is a corrupt directory
        raise FeedError(f"not a readable zip archive ({exc})", file=path.name) from None
    with zf:
        infos = zf.infolist()
        for info in infos:  # every name checked before anything is inflated
            check_member_name(info.filename)
        prefix = _single_folder(infos, wanted)
        chosen = [i for i in infos
                  if not i.is_dir() and i.filename.startswith(prefix)
                  and i.filename[len(prefix):] in wanted]
        names = [i.filename for i in chosen]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise FeedError(f"zip member {twice!r} appears twice; refusing the archive",
                            file=twice)
        declared = sum(i.file_size for i in chosen)
        if declared > cap:
            raise _too_big(path, declared, cap)
        files: dict[str, bytes] = {}
        budget = cap
        for info in chosen:
            parts: list[bytes] = []
            try:
                with zf.open(info) as member:
                    while True:
                        chunk = member.read(min(_CHUNK, budget + 1))
                        if not chunk:
                            break
                        budget -= len(chunk)
                        if budget < 0:
                            raise _too_big(path, cap - budget, cap)
                        parts.append(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError, ValueError, OSError) as exc:
                # corrupt, truncated, unsupported or encrypted (a bad offset fails to seek)
                raise FeedError(f"cannot decompress member ({exc})", file=info.filename) from None
            files[info.filename[len(prefix):]] = b"".join(parts)
    return FeedFiles(path, files, digest.hexdigest())


def _single_folder(infos: list[zipfile.ZipInfo], wanted: frozenset[str]) -> str:
    """Return ``"name/"`` when the tables sit in one top-level folder, else ``""``."""
    if any(i.filename in wanted for i in infos):
        return ""
    folders = {i.filename.split("/", 1)[0] + "/" for i in infos
               if "/" in i.filename and i.filename.split("/", 1)[1] in wanted}
    return folders.pop() if len(folders) == 1 else ""


def _read_folder(path: Path, wanted: frozenset[str], cap: int) -> FeedFiles:
    members = sorted(p for p in path.iterdir() if p.name in wanted and p.is_file())
    declared = sum(p.stat().st_size for p in members)
    if declared > cap:
        raise _too_big(path, declared, cap)
    digest = hashlib.sha256()
    files: dict[str, bytes] = {}
    budget = cap
    for p in members:
        with p.open("rb") as fh:  # the file may have grown since stat()
            data = fh.read(budget + 1)
        budget -= len(data)
        if budget < 0:
            raise _too_big(path, cap - budget, cap)
        files[p.name] = data
        digest.update(p.name.encode() + b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return FeedFiles(path, files, digest.hexdigest())


def source_sha256(path: Path, *, wanted: frozenset[str]) -> str:
    """Return the fingerprint :func:`read_feed_files` would give, without parsing.

    Cheap (hashing only), so a cache can be consulted before a feed is read.
    """
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for p in sorted(p for p in path.iterdir() if p.name in wanted and p.is_file()):
            data = p.read_bytes()
            digest.update(p.name.encode() + b"\0" + str(len(data)).encode() + b"\0")
            digest.update(data)
        return digest.hexdigest()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
