"""Options shared by several commands, declared once, and the helpers every command uses.

Every option reads an environment variable ZEBENCH_<COMMAND>_<OPTION> (``--max-turns`` of ``zebench run``:
ZEBENCH_RUN_MAX_TURNS) besides the documented shared ones (ZEBENCH_DB, ZEBENCH_SUITES_DIR, ...), which are read
first. Use ``option`` (not ``click.option``) so that an option gets its variable.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..constants import DEFAULT_DB_PATH, ENV_PREFIX

if TYPE_CHECKING:
    from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
#: The group's settings: its commands' contexts derive ZEBENCH_<COMMAND> from its prefix (a command given a prefix
#: of its own would lose the command's name in its variables).
GROUP_CONTEXT_SETTINGS: dict[str, Any] = {**CONTEXT_SETTINGS, "auto_envvar_prefix": ENV_PREFIX}


class EnvOption(click.Option):
    """An option that also reads ZEBENCH_<COMMAND>_<OPTION>, named after its long flag (click's own automatic
    name uses the Python parameter name: ZEBENCH_LIST_AS_JSON for ``--json``)."""

    def auto_envvar(self, ctx: click.Context) -> str | None:
        if not self.allow_from_autoenv or ctx.auto_envvar_prefix is None:
            return None
        longs = [o for o in self.opts if o.startswith("--")]
        if not longs:
            return None
        return f"{ctx.auto_envvar_prefix}_{longs[0][2:].replace('-', '_').upper()}"

    def resolve_envvar_value(self, ctx: click.Context) -> str | None:
        rv = click.Parameter.resolve_envvar_value(self, ctx)  # the explicit variables, in order
        if rv is not None:
            return rv
        name = self.auto_envvar(ctx)
        return (os.environ.get(name) or None) if name else None


option = functools.partial(click.option, cls=EnvOption)


def fail(message: str) -> NoReturn:
    """Bad usage or bad input: the message in red on stderr, exit status 2 (nothing was run or written)."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def note(message: str) -> None:
    """A note on stderr (``message`` may say it is a "warning: ..." itself)."""
    click.secho(message if message.startswith("warning: ") else f"note: {message}", fg="yellow", err=True)


def suites_dir_option(f: F) -> F:
    return option(
        "--suites-dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="ZEBENCH_SUITES_DIR",
        default=None,
        show_envvar=True,
        help="Directory holding <suite>/scenarios/<scenario>/ and <suite>/prompts/<scenario>/ "
        "[default: ./data/suites or ./suites when present, else the suites bundled with zebench].",
    )(f)


def database_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A --db given on the command line or in the environment must be in a folder that exists: a mistyped path
    is an error (exit 2), never folders created where it points. The default, ./data/zebench.db, is the exception
    (its folder is created when needed), whether it is given or not."""
    if value is None or param.name is None:
        return value
    source = ctx.get_parameter_source(param.name)
    if source == click.core.ParameterSource.DEFAULT or value.absolute() == DEFAULT_DB_PATH.absolute():
        return value  # the default place, named or not
    parent = value.parent
    if not parent.is_dir():
        given = "'--db'"
        if source == click.core.ParameterSource.ENVIRONMENT:
            names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or [])
            if isinstance(param, EnvOption) and (auto := param.auto_envvar(ctx)):
                names.append(auto)
            given += f" (from {next((n for n in names if os.environ.get(n)), 'the environment')})"
        raise click.BadParameter(
            f"{str(value)!r}: the folder {str(parent)!r} does not exist (create it first: zebench creates the "
            "database file, never its folders)",
            ctx,
            param_hint=given,
        )
    return value


def db_option(f: F) -> F:
    return option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="ZEBENCH_DB",
        default=DEFAULT_DB_PATH,
        show_default=True,
        show_envvar=True,
        callback=database_path,
        help="SQLite database file (in a folder that exists).",
    )(f)


def json_option(help: str = "Print JSON.") -> Callable[[F], F]:
    return option("--json", "as_json", is_flag=True, help=help)


def concurrency_option(f: F) -> F:
    return option(
        "--concurrency",
        "-j",
        default=4,
        show_default=True,
        type=click.IntRange(1),
        envvar="ZEBENCH_CONCURRENCY",
        show_envvar=True,
        help="Runs at once.",
    )(f)


def timeout_option(f: F) -> F:
    return option(
        "--timeout",
        "timeout_seconds",
        type=click.FloatRange(min=0, min_open=True),
        help="Per-run timeout in seconds, overriding each scenario's timeout_minutes.",
    )(f)


def sandbox_option(help: str) -> Callable[[F], F]:
    return option(
        "--sandbox",
        type=click.Choice(["auto", "bwrap", "none"]),
        default="auto",
        show_default=True,
        envvar="ZEBENCH_SANDBOX",
        show_envvar=True,
        help=help,
    )


def alpha_option(help: str) -> Callable[[F], F]:
    return option(
        "--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True, help=help
    )


def sandbox_mode(requested: str) -> str:
    """The sandbox commands will run in (``--sandbox``), warning when auto falls back to none; exit 2 when the
    requested one cannot be used."""
    from ..isolation.sandbox import SandboxError, resolve_local_mode

    try:
        mode, warning = resolve_local_mode(requested)
    except SandboxError as exc:
        fail(str(exc))
    if warning:
        warn(warning)
    return mode


def warn(message: str) -> None:
    click.secho(message, fg="yellow", err=True)


@contextmanager
def reading(db_path: Path, *, quiet: bool = False) -> Iterator[Store]:
    """The database opened read-only (never migrated: an older schema is read through an up-to-date copy, with a
    note on stderr unless ``quiet``); exit 2 when it does not exist or cannot be read."""
    from ..store import NotReadable, open_for_reading

    if not db_path.exists():
        fail(f"database {db_path} does not exist (run `zebench run` first or pass --db)")
    try:
        with open_for_reading(db_path, on_outdated=None if quiet else note) as store:
            yield store
    except NotReadable as exc:
        fail(str(exc))
