"""What every local fake of an outside service shares: ``with`` starts it and stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class LocalService:
    """A fake outside service run in this process. Subclasses define ``start`` (returning
    the service, listening) and ``stop`` (nothing left running); ``with`` calls both, so a
    test that fails half-way leaves no thread or port behind."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
