"""The demo's working folder: a new or empty one, or a previous demo's, started afresh.

The demo writes its configuration, store and report into one folder. Running it again in the
same folder must start clean (a store left from another day's sandbox would disagree with the
new one), but the demo must never delete what it did not write. So the folder is marked
(`MARKER`) when the demo first uses it, and a folder that holds anything without that mark is
refused. In a marked folder only the demo's own store and report are removed; the rest of its
files are written again, and files a person added are left alone.

Errors::

    Exception
    └── DemoFolderError    the folder is not the demo's to use: choose another
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["MARKER", "REPORT_NAME", "STORE_FOLDER", "DemoFolderError", "prepare_folder"]

MARKER = ".flywheel-demo"
"""The file that says the demo made this folder."""

STORE_FOLDER = ".flywheel"
"""Where the demo configuration's SQLite store lives (``sqlite:///.flywheel/state.db``)."""

REPORT_NAME = "flywheel-report.html"
"""The demo's HTML report."""

_LISTED = 5


class DemoFolderError(Exception):
    """The folder cannot hold the demo: it is a file, or it holds someone else's files."""


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def prepare_folder(folder: Path) -> bool:
    """Make ``folder`` ready for a demo run; True when a previous demo's state was removed.

    Raises:
        DemoFolderError: ``folder`` is a file, or is not empty and was not made by the demo.
        OSError: The folder cannot be created or cleaned.
    """
    if folder.exists() and not folder.is_dir():
        raise DemoFolderError(f"{folder} is a file; give the demo a folder to work in")
    names = sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []
    if names and MARKER not in names:
        raise DemoFolderError(
            f"{folder} is not empty and was not made by 'flywheel-sync demo' (it holds "
            f"{_listing(names)}); give the demo a new or empty folder"
        )
    for name in (STORE_FOLDER, REPORT_NAME):
        _remove(folder / name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "Made by 'flywheel-sync demo'. Running the demo here again starts afresh: it removes "
        f"{STORE_FOLDER}/ and {REPORT_NAME} and writes the configuration again.\n",
        encoding="utf-8",
    )
    return bool(names)
