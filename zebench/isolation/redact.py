"""Secrets redaction: the last line of defence behind the sandbox.

The sandbox keeps secrets out of what an agent can see; this module keeps them out of what zebench stores and
publishes if one got through anyway (a command that read ``/proc/$PPID/environ``, an agent that echoed its own
key, a tool output that printed a credential file). It replaces, in every string of a record:

- the value of each secret environment variable of this process (names matching :data:`SECRET_NAME_RE`, the
  names in :data:`KNOWN_SECRET_NAMES`, and any variable whose value is a URL with a password), when the value is
  at least :data:`MIN_SECRET_LENGTH` characters long (``1`` or ``true`` are not secrets, and replacing them
  everywhere would mangle the record), by ``[REDACTED:NAME]``;
- common token shapes whatever their origin (:data:`TOKEN_PATTERNS`: Anthropic, OpenRouter and OpenAI keys,
  GitHub, Slack, AWS, Google, Stripe, Hugging Face, npm and PyPI tokens, ``scheme://user:password@``
  credentials, ``Authorization`` header values of any scheme and case, JWTs, PEM and PGP private keys, ``.netrc``
  and ``.pgpass`` passwords, docker ``auth`` values, kubeconfig ``client-key-data``, values assigned to password
  keys (``DB_PASS=``, ``DB_PASSWORD:``) that are not code, random-looking values assigned to secret-looking names
  in credentials files) by ``[REDACTED:kind]``. The rule, key names and value shapes, is in docs/security.md.

Where it applies: the runner redacts each run record once, where it is finalised (so the results JSONL and
``--submit`` get the redacted record), and the store redacts every record and batch it writes (runs from
``zebench ingest`` and from ``POST /api/results`` come from other machines). The site and the API read the
store only, so nothing unredacted reaches them. What it cannot catch: a secret that was transformed (base64,
reversed, split across the cut of a capped output) or one that lives under a name and shape it does not know.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from .processes import EnvironKey, environ_key, environ_of

#: Shortest environment value treated as a secret.
MIN_SECRET_LENGTH = 8
#: Variable names that hold credentials. ``PAT`` only as a whole word (GH_PAT, not PATH).
SECRET_NAME_RE = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|(?:^|_)PAT(?:_|$)|(?:^|_)DSN$"
    r"|(?:^|_)PASS(?:_|$)|_PWD$",  # DB_PASS, SMTP_PASS_FILE, DB_PWD; not PWD or OLDPWD (the working directory)
    re.IGNORECASE,
)
#: Secrets by name whatever the pattern says (documentation, and a guard if the pattern is ever narrowed).
KNOWN_SECRET_NAMES = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "OPENAI_API_KEY",
        "ZEBENCH_API_KEY",
        "ZE_BENCHMARKS_API_KEY",
        "GH_PAT",
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "NETLIFY_AUTH_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "HF_TOKEN",
        "DATABASE_URL",
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
    }
)
#: Names the pattern matches that hold no secret (desktop sessions, agent sockets): their values are ordinary
#: words and paths ("wayland", "/run/user/1000/bus") that must not be replaced everywhere.
NOT_SECRET_NAME_RE = re.compile(
    r"^(XDG_SESSION_\w+|DESKTOP_SESSION|SESSION_MANAGER|DBUS_SESSION_BUS_ADDRESS|XAUTHORITY|KEYTIMEOUT|"
    r"\w+_AUTH_SOCK|\w+_SOCK)$",
    re.IGNORECASE,
)
_URL_CREDENTIALS = r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@?#\"'<>]+:[^\s/@?#\"'<>]+@"


@dataclass(frozen=True)
class Shape:
    """A token shape redacted wherever it appears.

    ``pattern`` starts with a literal (Python's re then finds candidates at C speed; a leading ``\\b`` makes it
    ten times slower), and runs only on text that holds one of its ``needles``. With ``boundary`` a match
    preceded by a letter, digit or underscore is left alone (``task-...`` is not an ``sk-`` key). Only the group
    named ``secret`` is replaced when there is one, else the whole match.
    """

    kind: str
    pattern: str
    needles: tuple[str, ...]
    boundary: bool = True
    #: The needles are lower case and looked for in the lower-cased text.
    ignore_case: bool = False
    #: A last test of a match (what its value looks like, what precedes it): False leaves it alone.
    check: Callable[[re.Match[str]], bool] | None = None


def _decodes_to_credentials(value: str) -> bool:
    """base64 of ``user:password`` (HTTP Basic, docker's ``auth``): printable text with a colon."""
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return ":" in text and text.isprintable()


def _authorization_value(match: re.Match[str]) -> bool:
    """An Authorization header's credentials: Basic ones decode to ``user:password``; others hold a digit or are
    long (prose such as "Authorization: Bearer authentication" stays)."""
    value = match.group("secret")
    if (match.group("scheme") or "").lower() == "basic" and _decodes_to_credentials(value):
        return True
    return any(c.isdigit() for c in value) or len(value) >= 20


_PGPASS_HOST = re.compile(r"[ \t]*[^\s:#]+")


def _pgpass_host(match: re.Match[str]) -> bool:
    """The line starts with the host field (the pattern starts at the colon after it, so that re finds
    candidates at C speed)."""
    text = match.string
    line_start = text.rfind("\n", 0, match.start()) + 1
    return _PGPASS_HOST.fullmatch(text, line_start, match.start()) is not None


def _docker_auth(match: re.Match[str]) -> bool:
    return _decodes_to_credentials(match.group("secret"))


def _netrc_entry(match: re.Match[str]) -> bool:
    """A .netrc entry names a login too (before or after the password): "machine learning password reset" is
    prose."""
    after = match.string[match.end() : match.end() + 200]
    return bool(re.search(r"\slogin\s", match.group(0)) or re.match(r"\s+login\s", after))


#: Values of a password key that are no password: types, placeholders, empty-ish words, code.
_NOT_PASSWORDS = frozenset(
    "none null nil true false yes no string str bytes number int boolean bool required optional undefined empty "
    "hidden redacted secret password await new yield lambda function this self not".split()
)
_CODE_VALUE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:[(\[].*)?")


def _password_value(match: re.Match[str]) -> bool:
    """The value assigned to a password key is a password, not a reference or code: a key with ``:`` starts its
    line (YAML, a list item) or is quoted (JSON), ``=`` anywhere (.env, ini, shell, --db-password=...); the value
    is not a variable (``$DB_PASSWORD``, ``${...}``, ``{{ ... }}``, ``<password>``, ``%(pw)s``), a masked value
    (``****``) or a type word (``string``, ``None``); unquoted, it is not a call, a subscript or an attribute
    (``get_password()``, ``os.environ[...]``, ``settings.DB_PASSWORD``) nor another password-named name
    (``new_password``)."""
    text, start = match.string, match.start()
    line_start = text.rfind("\n", 0, start) + 1
    key_start = start
    while key_start > line_start and (text[key_start - 1].isalnum() or text[key_start - 1] in "_-."):
        key_start -= 1
    before = text[line_start:key_start]
    if match.group("sep") == ":" and not (before.strip(" \t-") == "" or before.rstrip().endswith(('"', "'", "{", ","))):
        return False  # "Reason: password: incorrect" is prose
    value = match.group("secret").rstrip(",;")
    lowered = value.lower()
    if len(value) < 4 or lowered in _NOT_PASSWORDS or value[0] in "$%<*{" or value.startswith("[REDACTED"):
        return False
    if match.group("q"):
        return True  # a literal
    if any(word in lowered for word in ("pass", "pwd", "secret")):
        return False  # a reference to another password-named value
    dotted_or_call = _CODE_VALUE.fullmatch(value)
    return not (dotted_or_call and ("." in value or "(" in value or "[" in value))


_SECRET_URL_PART = r"[^\s:/@?#\"'<>]+:[^\s/@?#\"'<>]+"
_TOKEN_CHARS = r"(?=[A-Za-z0-9\-._~+/]*[0-9])[A-Za-z0-9\-._~+/]{12,}=*"  # a digit: prose is left alone
TOKEN_PATTERNS: tuple[Shape, ...] = (
    Shape(  # PEM (RSA, EC, OPENSSH, ENCRYPTED...) and PGP (armored "PRIVATE KEY BLOCK") private keys
        "private-key",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
        ("PRIVATE KEY-----", "PRIVATE KEY BLOCK-----"),
        boundary=False,
    ),
    Shape("url-credentials", rf"://(?P<secret>{_SECRET_URL_PART})@", ("://",), boundary=False),
    Shape("anthropic-key", r"sk-ant-[A-Za-z0-9_\-]{16,}", ("sk-ant-",)),
    Shape("openrouter-key", r"sk-or-[A-Za-z0-9_\-]{16,}", ("sk-or-",)),
    Shape("api-key", r"sk-[A-Za-z0-9_\-]{20,}", ("sk-",)),
    Shape("github-token", r"gh[pousr]_[A-Za-z0-9]{30,}", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    Shape("github-token", r"github_pat_[A-Za-z0-9_]{30,}", ("github_pat_",)),
    Shape("slack-token", r"xox[abposr]-[A-Za-z0-9\-]{10,}", ("xox",)),
    Shape("aws-access-key", r"(?:AKIA|ASIA)[0-9A-Z]{16}\b", ("AKIA", "ASIA")),
    Shape("google-api-key", r"AIza[0-9A-Za-z_\-]{35}", ("AIza",)),
    Shape("stripe-key", r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}", ("sk_live_", "sk_test_", "rk_live_", "rk_test_")),
    Shape("huggingface-token", r"hf_[A-Za-z0-9]{30,}", ("hf_",)),
    Shape("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", ("eyJ",)),
    Shape(  # an Authorization (or Proxy-Authorization) header or setting, any case, any scheme
        "authorization",
        r"(?i:authorization[\"']?\s*[:=]\s*[\"']?(?:(?P<scheme>basic|bearer|token|digest|negotiate|ntlm|apikey)\s+)?"
        r"(?P<secret>[A-Za-z0-9\-._~+/]{8,}=*))",
        ("authorization",),
        boundary=False,
        ignore_case=True,
        check=_authorization_value,
    ),
    Shape("authorization", rf"[Bb]earer\s+(?P<secret>{_TOKEN_CHARS})", ("Bearer", "bearer")),
    Shape(  # ~/.netrc: machine HOST login USER password PASS (one line or several)
        "netrc",
        r"machine\s+\S+(?:\s+(?:login|account|port)\s+\S+)*\s+password\s+(?P<secret>\S+)",
        ("machine",),
        check=_netrc_entry,
    ),
    Shape(  # ~/.pgpass: host:port:database:user:password, alone on its line (port digits or *)
        "pgpass",
        r"(?m):(?:\d{1,5}|\*):(?:\\.|[^\s:\\])+:(?:\\.|[^\s:\\])+:(?P<secret>(?:\\.|[^\s:\\])+)[ \t]*$",
        (":",),
        boundary=False,
        check=_pgpass_host,
    ),
    Shape(  # docker's config.json: "auth": base64 of user:password
        "docker-auth",
        r"\"auth\"\s*:\s*\"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})\"",
        ('"auth"',),
        boundary=False,
        check=_docker_auth,
    ),
    Shape(  # kubeconfig: the client's private key, base64
        "kube-key",
        r"client-key-data[\"']?\s*:\s*[\"']?(?P<secret>[A-Za-z0-9+/]{16,}={0,2})",
        ("client-key-data",),
        boundary=False,
    ),
    Shape(  # a value assigned to a password key: PASSWORD, PASSWD, *_PASS, *_PWD (DB_PASS=..., "password": "...")
        "password",
        r"(?i:passw(?:or)?d|(?<=[A-Za-z0-9])[_\-.](?:pass|pwd))[\"']?[ \t]*(?P<sep>[=:])(?![=:])[ \t]*"
        r"(?P<q>[\"']?)(?P<secret>[^\s\"'`]{4,200}|(?<=[\"'])[^\"'\n]{4,200})(?P=q)",
        ("password", "passwd", "_pass", "-pass", ".pass", "_pwd", "-pwd", ".pwd"),
        boundary=False,
        ignore_case=True,
        check=_password_value,
    ),
    Shape("npm-token", r"npm_[A-Za-z0-9]{36}", ("npm_",)),
    Shape("pypi-token", r"pypi-AgE[A-Za-z0-9_\-]{50,}", ("pypi-AgE",)),
    # A credentials or .env file read by a command (aws_secret_access_key = ..., password: ...): the value only
    # when it looks random (letters and digits, 12 or more), so that code such as `token = get_token()` stays.
    Shape(
        "assignment",
        r"(?i:secret|token|passwd|password|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key)"
        r"[A-Za-z0-9_\-]*[\"']?\s*[=:]\s*[\"']?"
        r"(?P<secret>(?=[A-Za-z0-9+/=_\-]*[0-9])(?=[A-Za-z0-9+/=_\-]*[A-Za-z])[A-Za-z0-9+/=_\-]{12,})",
        (
            "secret",
            "token",
            "passw",
            "api_key",
            "apikey",
            "api-key",
            "access_key",
            "access-key",
            "auth_key",
            "private_key",
        ),
        boundary=False,
        ignore_case=True,
    ),
)
_URL_CREDENTIALS_RE = re.compile(_URL_CREDENTIALS)

M = TypeVar("M", bound=BaseModel)


def is_secret_name(name: str) -> bool:
    return name.upper() in KNOWN_SECRET_NAMES or (
        bool(SECRET_NAME_RE.search(name)) and not NOT_SECRET_NAME_RE.match(name)
    )


def secret_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values to redact from ``environ`` (default: this process's environment), mapped to their names."""
    environ = environ_of(environ_key()) if environ is None else environ
    found: dict[str, str] = {}
    for name, value in sorted(environ.items()):
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH:
            continue
        if is_secret_name(name) or _URL_CREDENTIALS_RE.search(value):
            found.setdefault(value, name)
    return found


class Redactor:
    """Replaces secret values and token shapes in strings, and in every string of a JSON value or model."""

    def __init__(self, secrets: Mapping[str, str], shapes: tuple[Shape, ...] = TOKEN_PATTERNS):
        #: value -> name. A value is also looked for as it appears inside JSON text (escaped quotes, slashes).
        self.names: dict[str, str] = {}
        for value, name in secrets.items():
            if len(value) >= MIN_SECRET_LENGTH:
                self.names.setdefault(value, name)
                self.names.setdefault(json.dumps(value)[1:-1], name)
        # Longest first, so a value that contains another is replaced whole.
        alternatives = sorted(self.names, key=len, reverse=True)
        self._values = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None
        self._shapes = [(shape, re.compile(shape.pattern)) for shape in shapes]

    def _has_value(self, text: str) -> bool:
        return any(value in text for value in self.names)

    def text(self, text: str) -> str:
        if len(text) < MIN_SECRET_LENGTH:  # shorter than any value or shape: most strings of a record
            return text
        if self._values is not None and self._has_value(text):
            text = self._values.sub(lambda m: f"[REDACTED:{self.names[m.group(0)]}]", text)
        for shape, pattern in self._shapes:
            matches = [m for m in _matches(shape, pattern, text) if _applies(m, shape)]
            if matches:
                parts, end = [], 0
                for m in matches:
                    parts += [text[end : m.start()], _replacement(m, shape)]
                    end = m.end()
                text = "".join(parts) + text[end:]
        return text

    def may_contain(self, json_text: str) -> bool:
        """Whether JSON text (a serialised record) may hold something to redact; False means surely not. JSON
        escapes are turned into spaces first, so that a token after a ``\\n`` still starts at a word boundary."""
        if self._has_value(json_text):
            return True
        plain: str | None = None
        for shape, pattern in self._shapes:
            if _has_needle(shape, json_text):
                plain = _JSON_ESCAPE.sub(" ", json_text) if plain is None else plain
                if any(_applies(m, shape) for m in _matches(shape, pattern, plain)):
                    return True
        return False

    def value(self, obj: Any) -> Any:
        """``obj`` with every string redacted (dict keys too). Unchanged parts are returned as they are."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, BaseModel):
            return self._model(obj)
        if isinstance(obj, list):
            items = [self.value(x) for x in obj]
            return items if any(a is not b for a, b in zip(items, obj, strict=True)) else obj
        if isinstance(obj, tuple):
            items = [self.value(x) for x in obj]
            return tuple(items) if any(a is not b for a, b in zip(items, obj, strict=True)) else obj
        if isinstance(obj, dict):
            pairs = [(self.value(k), self.value(v)) for k, v in obj.items()]
            changed = any(k2 is not k or v2 is not v for (k2, v2), (k, v) in zip(pairs, obj.items(), strict=True))
            return dict(pairs) if changed else obj
        return obj

    def model(self, model: M) -> M:
        """A copy of ``model`` with every string redacted (the model itself is not changed; returned as it is
        when there is nothing to redact, which one scan of its JSON tells)."""
        try:
            text = model.model_dump_json()
        except ValueError:  # a part pydantic cannot serialise (an agent's odd message content): walk it all
            return self._model(model)
        return self._model(model) if self.may_contain(text) else model

    def _model(self, model: M) -> M:
        updates = {}
        for name in type(model).model_fields:
            current = getattr(model, name)
            redacted = self.value(current)
            if redacted is not current:
                updates[name] = redacted
        return model.model_copy(update=updates) if updates else model


def _has_needle(shape: Shape, text: str) -> bool:
    haystack = text.lower() if shape.ignore_case else text
    return any(needle in haystack for needle in shape.needles)


def _matches(shape: Shape, pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The non-overlapping matches of a shape in ``text``, left to right."""
    if not shape.ignore_case:
        return list(pattern.finditer(text)) if any(needle in text for needle in shape.needles) else []
    # A pattern that starts with a case-insensitive alternation of words cannot be searched fast: it is tried
    # only where one of its needles starts (same offsets: lower() kept the length).
    lower = text.lower()
    if len(lower) != len(text):
        return list(pattern.finditer(text))
    starts: set[int] = set()
    for needle in shape.needles:
        at = lower.find(needle)
        while at >= 0:
            starts.add(at)
            at = lower.find(needle, at + 1)
    found: list[re.Match[str]] = []
    end = 0
    for at in sorted(starts):
        if at >= end and (m := pattern.match(text, at)):
            found.append(m)
            end = m.end()
    return found


def _stands_alone(match: re.Match[str], shape: Shape) -> bool:
    if not shape.boundary or match.start() == 0:
        return True
    before = match.string[match.start() - 1]
    return not (before.isalnum() or before == "_")


def _applies(match: re.Match[str], shape: Shape) -> bool:
    return _stands_alone(match, shape) and (shape.check is None or shape.check(match))


def _replacement(match: re.Match[str], shape: Shape) -> str:
    marker = f"[REDACTED:{shape.kind}]"
    if "secret" not in match.re.groupindex:
        return marker
    whole, start, end = match.group(0), match.start("secret") - match.start(), match.end("secret") - match.start()
    return whole[:start] + marker + whole[end:]


_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")


@lru_cache(maxsize=8)
def _cached(items: tuple[tuple[str, str], ...]) -> Redactor:
    return Redactor(dict(items))


@lru_cache(maxsize=8)
def _for_environ(key: EnvironKey) -> Redactor:
    return _cached(tuple(sorted(secret_values(environ_of(key)).items())))


def default_redactor() -> Redactor:
    """A redactor for this process's current environment (rebuilt only when its secrets change)."""
    return _for_environ(environ_key())


def redact(model: M, extra: Mapping[str, str] | None = None) -> M:
    """``model`` (a RunRecord, a BatchRecord...) with the secrets of this process's environment and every known
    token shape replaced in all its strings. ``extra`` (name -> value) adds values that are secrets whatever
    their names (the variables a run's MCP servers were given)."""
    if not extra:
        return default_redactor().model(model)
    secrets = {**secret_values(), **{value: name for name, value in extra.items()}}
    return _cached(tuple(sorted(secrets.items()))).model(model)


def redact_text(text: str) -> str:
    return default_redactor().text(text)


# -- host paths ---------------------------------------------------------------------------------------------------

_ABSOLUTE = re.compile(r"^(?:/|~/|[A-Za-z]:[\\/])")


def public_path(value: str | None) -> str | None:
    """A path as zebench publishes it (the database, so the API, the site and Datasette's pages): a path of this
    host (absolute, or under ``~``) becomes its last component, the folder or file name
    (``/home/alice/runs/zebench-r1-x7`` -> ``zebench-r1-x7``), which says which one it was without showing the
    machine's layout or user names; a relative path stays as it is."""
    if not value or not _ABSOLUTE.match(value) or "\n" in value:
        return value
    name = re.split(r"[\\/]", value.rstrip("/\\"))[-1]
    return name or value


class _Relative(Redactor):
    """Removes one folder's path (with its trailing slash) from every string: what is under it reads relative."""

    def __init__(self, folder: str):
        super().__init__({}, ())
        self.prefix = folder.rstrip("/") + "/"

    def text(self, text: str) -> str:
        return text.replace(self.prefix, "") if self.prefix in text else text

    def may_contain(self, json_text: str) -> bool:
        return self.prefix in json_text or json.dumps(self.prefix)[1:-1] in json_text


def relative_to_folder(model: M, folder: str | None) -> M:
    """``model`` (a run record) with the host path of ``folder`` (where its workspace, baseline copy and sandbox
    folders were made) removed from every string: ``/home/alice/ws/zebench-r1-x/tests/t.py`` reads
    ``zebench-r1-x/tests/t.py`` in outputs, tracebacks, telemetry's workspaceDir."""
    if not folder or not folder.startswith("/") or folder.rstrip("/") == "":
        return model
    return _Relative(folder).model(model)


def public_settings(value: Any) -> Any:
    """Every string of a run's settings (a manifest's: agent settings such as ``replay_file``) through
    public_path; other values as they are."""
    if isinstance(value, str):
        return public_path(value)
    if isinstance(value, dict):
        return {k: public_settings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [public_settings(v) for v in value]
    return value
