"""``tradebot users``: who may sign in to the HTTP API, from the machine it runs on.

``invite`` prints a one-time code (the setup code while nobody is registered, else an
invitation) — shown once, stored only as its hash. ``list``, ``passkeys NAME`` show users
and their passkeys (never key material); ``disable NAME`` stops a user at once (their
access tokens fail their next check, their refresh tokens are revoked) and ``enable NAME``
lets them back; ``revoke-passkey NAME PASSKEY_ID`` revokes one passkey (never the last).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.adapters.sql.auth_rows import AuthRows, UserRecord

__all__ = ["users_app"]

users_app = typer.Typer(help="Users of the HTTP API and their passkeys.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _rows() -> AuthRows:
    from tradebot.adapters.sql.auth_rows import AuthRows
    from tradebot.service.database import open_database

    return AuthRows(open_database(settings_of().store.url))


def _user(rows: AuthRows, name: str) -> UserRecord:
    found = rows.user_named(name.strip().lower())
    if found is None:
        raise ConfigError(f"no user named {name!r}", "list them with `tradebot users list`")
    return found


def _when(stamp: datetime | None) -> str:
    return "—" if stamp is None else f"{stamp:%Y-%m-%d %H:%M}"


def _now() -> datetime:
    from tradebot.adapters.clock import utc_now

    return utc_now()


@users_app.command("invite")
def invite() -> None:
    """A one-time code to register with: the setup code while there is no user yet."""
    try:
        from tradebot.api.auth.invites import Invites
    except ImportError as exc:
        raise ConfigError(
            f"users invite needs {exc.name or 'the API packages'}, which is not installed",
            "pip install 'tradebot[api]'",
        ) from exc
    ttl = timedelta(seconds=settings_of().api.setup_code_ttl_s)
    issued = Invites(_rows(), ttl, _now).issue(None)
    what = "setup code (first user)" if issued.kind == "setup" else "invitation"
    console.print(
        f"{what}: {issued.code} (one use, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC)",
        highlight=False,
    )


@users_app.command("list")
def list_users() -> None:
    """Every user, oldest first."""
    rows = _rows()
    table = Table(title="Users")
    table.add_column("name", no_wrap=True)
    for column in ("display name", "status", "passkeys", "created (UTC)", "id"):
        table.add_column(column, no_wrap=column == "id")
    for user in rows.users():
        table.add_row(
            user.name,
            user.display_name,
            "disabled" if user.disabled else "active",
            str(len(rows.passkeys(user.id))),
            _when(user.created_at),
            user.id,
        )
    console.print(table)


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Stop a user at once: tokens refused, refresh tokens revoked."""
    rows = _rows()
    user = _user(rows, name)
    rows.set_disabled(user.id, True, _now())
    console.print(f"{user.name} is disabled; their sessions are revoked", highlight=False)


@users_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Let a disabled user sign in again (with their passkeys)."""
    rows = _rows()
    user = _user(rows, name)
    rows.set_disabled(user.id, False, _now())
    console.print(f"{user.name} may sign in again", highlight=False)


@users_app.command("passkeys")
def passkeys(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """A user's passkeys, revoked ones included (no key material)."""
    rows = _rows()
    user = _user(rows, name)
    table = Table(title=f"Passkeys of {user.name}")
    table.add_column("id", no_wrap=True)
    for column in ("name", "created (UTC)", "last used", "revoked", "synced"):
        table.add_column(column)
    for key in rows.passkeys(user.id, include_revoked=True):
        table.add_row(
            key.id,
            key.name,
            _when(key.created_at),
            _when(key.last_used_at),
            _when(key.revoked_at),
            "yes" if key.backed_up else "no",
        )
    console.print(table)


@users_app.command("revoke-passkey")
def revoke_passkey(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    passkey_id: Annotated[str, typer.Argument(help="The passkey's id (`users passkeys NAME`).")],
) -> None:
    """Revoke one passkey of a user (never their last: disable the user instead)."""
    rows = _rows()
    user = _user(rows, name)
    outcome = rows.revoke_passkey(user.id, passkey_id, _now())
    if outcome == "missing":
        raise ConfigError(
            f"{user.name} has no active passkey {passkey_id!r}",
            f"list them with `tradebot users passkeys {user.name}`",
        )
    if outcome == "last":
        raise ConfigError(
            f"that is the last passkey of {user.name}: revoking it would lock them out",
            f"to stop them, `tradebot users disable {user.name}`",
        )
    console.print(f"passkey {outcome.name!r} of {user.name} is revoked", highlight=False)
