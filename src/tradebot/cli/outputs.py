"""Output paths are checked before any work starts.

A backtest of several minutes that ends in "permission denied" on its ``--report`` has
wasted the user's time; so every file or folder a command will write is probed first: its
folder is created (the command would create it anyway) and a scratch file is written and
removed there. What cannot be written ends the command at once in one line naming the
option, the path and the reason.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tradebot.domain.errors import ConfigError

__all__ = ["check_output_file", "check_output_folder"]


def _refuse(option: str, path: Path, why: str) -> ConfigError:
    return ConfigError(f"{option} {path}: {why}", f"give {option} a path you can write to")


def _probe_folder(option: str, shown: Path, folder: Path) -> None:
    """Create ``folder`` if needed and write one scratch file in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _refuse(option, shown, f"{folder} exists and is not a folder") from None
    except NotADirectoryError:
        raise _refuse(option, shown, f"a part of {folder} is a file, not a folder") from None
    except OSError as exc:
        raise _refuse(option, shown, f"cannot create {folder} ({exc.strerror})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tradebot-write-check-"):
            pass
    except OSError as exc:
        raise _refuse(option, shown, f"cannot write in {folder} ({exc.strerror})") from None


def check_output_file(option: str, path: Path | None) -> None:
    """``path`` (given as ``option``) can be written as a file, or ``None`` was given."""
    if path is None:
        return
    if path.is_dir():
        raise _refuse(option, path, "is a folder; name a file")
    _probe_folder(option, path, path.parent)
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(option, path, "exists and is read-only")


def check_output_folder(option: str, path: Path | None) -> None:
    """``path`` (given as ``option``) can hold new files, or ``None`` was given."""
    if path is None:
        return
    _probe_folder(option, path, path)
