"""``tradebot config show|set|history``.

``set`` and ``history`` work on the configured database's audit trail, through the same
:class:`~tradebot.service.config_changes.ConfigService` as the API: a change from the
command line is checked, refused and recorded exactly as one over the API would be (the
paths an operator may change, secrets refused, all of an update or none of it), with
``source`` ``cli`` and the OS user as its actor. The settings in effect are this
process's (file, environment) with the trail replayed over them. A running server replays
the trail when it starts: it does not see a change made here before then (the command
says so).
"""

from __future__ import annotations

import getpass
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.config import masked_dump
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.service.config_changes import ConfigChange, ConfigService

__all__ = ["config_app", "parse_assignment"]

config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")

_SOURCE = "cli"


@config_app.command("show")
def config_show() -> None:
    """Print the effective configuration as YAML, secrets masked (``config show > bot.yaml``
    gives a file ``--config`` reads back: written as is, never wrapped or styled)."""
    text = yaml.safe_dump(masked_dump(settings_of()), sort_keys=False, width=10_000)
    typer.echo(text.rstrip())


@config_app.command("set")
def config_set(
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="PATH=VALUE pairs, e.g. risk.max_open_positions=5 risk.tier=moderate "
            "notifications.channels='[log, telegram]' (values read as YAML scalars or JSON).",
            metavar="PATH=VALUE...",
        ),
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why: kept with each change.")
    ] = None,
) -> None:
    """Change settings, audited: all of them or none; prints the changes made."""
    changes = dict(parse_assignment(text) for text in assignments)
    try:
        made = _service().update(changes, actor=_actor(), source=_SOURCE, reason=reason)
    except ConfigError as exc:
        raise _for_the_cli(exc) from None
    if not made:
        console.print("no change: the values given are already in effect", highlight=False)
        return
    table = Table(title="Configuration changed")
    for column in ("path", "previous", "new"):
        table.add_column(column, overflow="fold")
    for change in made:
        table.add_row(change.path, _shown(change.previous), _shown(change.new))
    console.print(table)
    console.print(
        "a running `tradebot serve` takes these within seconds; a `tradebot paper|live` "
        "session at its next start",
        highlight=False,
    )


@config_app.command("history")
def config_history(
    path: Annotated[
        str | None,
        typer.Option("--path", help="Only paths starting with this (risk. or risk.tier)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows shown.")] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of a table.")
    ] = False,
) -> None:
    """The audit trail of configuration changes, newest first."""
    changes = list(_service().changes(path, limit=limit).items)
    if as_json:
        for change in changes:
            typer.echo(json.dumps(_record(change), sort_keys=True, ensure_ascii=False))
        return
    if not changes:
        console.print("no configuration changes recorded", highlight=False)
        return
    table = Table(title="Configuration changes (newest first)")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("path", no_wrap=True)
    table.add_column("previous → new", overflow="fold")
    for column in ("actor", "source", "reason"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            f"{change.ts:%Y-%m-%d %H:%M:%S}",
            change.path,
            f"{_shown(change.previous)} → {_shown(change.new)}",
            escape(change.actor),
            change.source,
            escape(change.reason or ""),
        )
    console.print(table)


# --- parsing ---------------------------------------------------------------------------


class _ScalarLoader(yaml.SafeLoader):
    """YAML with the 1.2 core schema's scalars: ``true``/``false``, ``null``/``~``/empty,
    decimal, octal (``0o``) and hex (``0x``) integers and floats — not YAML 1.1's
    sexagesimals (``21:30`` would read as 1290), its dates, nor yes/no and on/off, which
    stay text."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's own class table


_SCALARS = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", [*"tTfF"]),
    ("null", r"^(?:~|null|Null|NULL|)$", [*"~nN", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", [*"-+0123456789"]),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        [*"-+0123456789."],
    ),
)
for _name, _pattern, _first in _SCALARS:
    _ScalarLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_name}", re.compile(_pattern), _first)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    return int(text, 0) if text.lower().startswith(("0o", "0x")) else int(text)


_ScalarLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_assignment(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` as (path, value): the value read as a YAML scalar, flow list or
    mapping, or JSON (``5``, ``0.25``, ``true``, ``null``, ``moderate``, ``[log, email]``);
    an empty value is ``null``. :class:`ConfigError` for text that is neither."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ConfigError(
            f"expected PATH=VALUE, got {text!r}", "e.g. tradebot config set risk.tier=moderate"
        )
    try:
        value = yaml.load(raw, Loader=_ScalarLoader)  # a SafeLoader: builds plain values only
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "not YAML or JSON"
        raise ConfigError(
            f"cannot read the value of {path}: {problem}",
            "quote text with spaces or colons, e.g. risk.tier=moderate or x='\"a: b\"'",
        ) from None
    return path, value


# --- the service -----------------------------------------------------------------------


def _service() -> ConfigService:
    from tradebot.service.config_changes import ConfigService
    from tradebot.service.database import open_database

    settings = settings_of()
    return ConfigService(open_database(settings.store.url), settings)


def _for_the_cli(exc: ConfigError) -> ConfigError:
    """The service's refusal, worded for this command rather than the API (same rules)."""
    hint = exc.hint.replace("GET /api/trading/config", "`tradebot config show`")
    return ConfigError(exc.message.replace(" over the API", ""), hint)


def _actor() -> str:
    """Who runs the command: the OS user, else ``cli`` (a container without a user)."""
    try:
        return getpass.getuser() or _SOURCE
    except (KeyError, OSError, ImportError):
        return _SOURCE


def _shown(value: Any) -> str:
    return escape(json.dumps(value, ensure_ascii=False))


def _record(change: ConfigChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "ts": _iso(change.ts),
        "path": change.path,
        "previous": change.previous,
        "new": change.new,
        "actor": change.actor,
        "source": change.source,
        "reason": change.reason,
    }


def _iso(ts: datetime) -> str:
    return ts.isoformat()
