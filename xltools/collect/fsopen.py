"""Opening inbox files and folders without following links, on every platform.

Where the OS has them (Linux, macOS), folders are walked through directory descriptors
and every name is opened relative to its folder with O_NOFOLLOW: a link swapped in
during the walk is refused by the kernel. Where they are missing (Windows: no
O_NOFOLLOW, O_DIRECTORY or dir_fd), a name is opened by path after `lstat` shows it is
no symlink and no reparse point (junctions, OneDrive placeholders), and the opened
file's `fstat` must be the very file `lstat` saw (same st_ino and st_dev). That leaves
only the window between those two calls, which the platform offers no way to close;
swapping a link in there yields a mismatch, refused as a file changed while read.
"""
from __future__ import annotations

import os
import stat


class LinkRefused(OSError):
    """The name is a symlink or a reparse point: never followed."""


class Swapped(OSError):
    """What was opened is not what lstat saw a moment before."""


def descriptors_available() -> bool:
    """Whether folders can be walked by descriptor with links refused by the kernel."""
    return (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")
            and os.open in os.supports_dir_fd and os.scandir in os.supports_fd)


def flags(*names: str) -> int:
    """os.O_RDONLY with each named flag this OS has (O_BINARY: no CRLF translation on Windows)."""
    value = os.O_RDONLY
    for name in ("O_BINARY", *names):
        value |= getattr(os, name, 0)
    return value


def is_link(st: os.stat_result) -> bool:
    """A symlink, or on Windows any reparse point (junction, mount point, cloud placeholder)."""
    attrs = getattr(st, "st_file_attributes", 0) or 0
    return stat.S_ISLNK(st.st_mode) or bool(attrs & stat.FILE_ATTRIBUTE_REPARSE_POINT)


def open_dir(name: str, parent: int | str, path: str) -> int | str:
    """A folder inside `parent` (descriptor, or path where descriptors are missing)."""
    if isinstance(parent, int):
        return os.open(name, flags("O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC"), dir_fd=parent)
    if is_link(os.lstat(path)):
        raise LinkRefused(path)
    return path


def list_dir(folder: int | str) -> list[os.DirEntry]:
    """The entries of a folder, sorted by name; by path, the folder must not change under us."""
    before = None if isinstance(folder, int) else os.lstat(folder)
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    if before is not None:
        after = os.lstat(folder)
        if is_link(after) or (after.st_ino, after.st_dev) != (before.st_ino, before.st_dev):
            raise Swapped(folder)
    return entries


def open_file(name: str, parent: int | str, path: str) -> int:
    """A regular file inside `parent`, opened for reading without following a link."""
    if isinstance(parent, int):
        return os.open(name, flags("O_NOFOLLOW", "O_CLOEXEC", "O_NONBLOCK"), dir_fd=parent)
    return open_checked(path)


def open_checked(path: str, refuse_links: bool = True) -> int:
    """Open by path; the opened file must be the one lstat (or stat, for a named input) saw."""
    before = os.lstat(path) if refuse_links else os.stat(path)
    if refuse_links and is_link(before):
        raise LinkRefused(path)
    fd = os.open(path, flags("O_CLOEXEC", "O_NONBLOCK"))
    try:
        after = os.fstat(fd)
        if (after.st_ino, after.st_dev) != (before.st_ino, before.st_dev):
            raise Swapped(path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_input_dir(path: str) -> int | str:
    """A folder the user named (a link to it is followed): a descriptor, or its path."""
    if descriptors_available():
        return os.open(path, flags("O_DIRECTORY", "O_CLOEXEC"))
    return os.path.realpath(path)  # list_dir then sees the folder itself, not the link


def close(folder: int | str) -> None:
    """Release what open_dir / open_input_dir returned."""
    if isinstance(folder, int):
        os.close(folder)
