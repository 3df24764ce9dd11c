"""Secrets redaction: the last line of defence behind the sandbox.

The sandbox keeps secrets out of what an agent can see; this module keeps them out of what zebench stores and
publishes if one got through anyway (a command that read ``/proc/$PPID/environ``, an agent that echoed its own
key, a tool output that printed a credential file). It replaces, in every string of a record:

- the value of each secret environment variable of this process (names matching :data:`SECRET_NAME_RE`, the
  names in :data:`KNOWN_SECRET_NAMES`, and any variable whose value is a URL with a password), when the value is
  at least :data:`MIN_SECRET_LENGTH` characters long (``1`` or ``true`` are not secrets, and replacing them
  everywhere would mangle the record), by ``[REDACTED:NAME]``;
- common token shapes whatever their origin (:data:`TOKEN_PATTERNS`: Anthropic, OpenRouter and OpenAI keys,
  GitHub, Slack, AWS, Google, Stripe and Hugging Face tokens, ``scheme://user:password@`` credentials,
  ``Authorization: Bearer``/``Basic`` values, JWTs, PEM private keys) by ``[REDACTED:kind]``.

Where it applies: the runner redacts each run record once, where it is finalised (so the results JSONL and
``--submit`` get the redacted record), and the store redacts every record and batch it writes (runs from
``zebench ingest`` and from ``POST /api/results`` come from other machines). The site and the API read the
store only, so nothing unredacted reaches them. What it cannot catch: a secret that was transformed (base64,
reversed, split across the cut of a capped output) or one that lives under a name and shape it does not know.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import lru_cache, partial
from typing import Any, TypeVar

from pydantic import BaseModel

#: Shortest environment value treated as a secret.
MIN_SECRET_LENGTH = 8
#: Variable names that hold credentials. ``PAT`` only as a whole word (GH_PAT, not PATH).
SECRET_NAME_RE = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|(?:^|_)PAT(?:_|$)|(?:^|_)DSN$",
    re.IGNORECASE,
)
#: Secrets by name whatever the pattern says (documentation, and a guard if the pattern is ever narrowed).
KNOWN_SECRET_NAMES = frozenset({
    "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY", "ZE_BENCHMARKS_API_KEY", "GH_PAT", "GH_TOKEN",
    "GITHUB_TOKEN", "NETLIFY_AUTH_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HF_TOKEN",
    "DATABASE_URL", "NPM_TOKEN", "NODE_AUTH_TOKEN",
})
#: Names the pattern matches that hold no secret (desktop sessions, agent sockets): their values are ordinary
#: words and paths ("wayland", "/run/user/1000/bus") that must not be replaced everywhere.
NOT_SECRET_NAME_RE = re.compile(
    r"^(XDG_SESSION_\w+|DESKTOP_SESSION|SESSION_MANAGER|DBUS_SESSION_BUS_ADDRESS|XAUTHORITY|KEYTIMEOUT|"
    r"\w+_AUTH_SOCK|\w+_SOCK)$",
    re.IGNORECASE,
)
_URL_CREDENTIALS = r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^\s:/@?#\"'<>]+:[^\s/@?#\"'<>]+@"
#: (kind, pattern): token shapes redacted wherever they appear. A group named ``keep`` is kept.
TOKEN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("private-key", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"),
    ("url-credentials", _URL_CREDENTIALS),
    ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_\-]{16,}"),
    ("openrouter-key", r"\bsk-or-[A-Za-z0-9_\-]{16,}"),
    ("api-key", r"\bsk-[A-Za-z0-9_\-]{20,}"),
    ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    ("aws-access-key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("google-api-key", r"\bAIza[0-9A-Za-z_\-]{35}"),
    ("stripe-key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}"),
    ("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    # A digit is required so that prose ("bearer authentication") is left alone; real tokens are random.
    ("authorization", (r"(?P<keep>\b[Bb]earer\s+|\bAuthorization:\s*(?:Basic|Token)\s+)"
                       r"(?=[A-Za-z0-9\-._~+/]*[0-9])[A-Za-z0-9\-._~+/]{12,}=*")),
)
_URL_CREDENTIALS_RE = re.compile(_URL_CREDENTIALS)

M = TypeVar("M", bound=BaseModel)


def is_secret_name(name: str) -> bool:
    return name.upper() in KNOWN_SECRET_NAMES or (
        bool(SECRET_NAME_RE.search(name)) and not NOT_SECRET_NAME_RE.match(name))


def secret_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values to redact from ``environ`` (default: this process's environment), mapped to their names."""
    environ = os.environ if environ is None else environ
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

    def __init__(self, secrets: Mapping[str, str], patterns: tuple[tuple[str, str], ...] = TOKEN_PATTERNS):
        #: value -> name. A value is also looked for as it appears inside JSON text (escaped quotes, slashes).
        self.names: dict[str, str] = {}
        for value, name in secrets.items():
            if len(value) >= MIN_SECRET_LENGTH:
                self.names.setdefault(value, name)
                self.names.setdefault(json.dumps(value)[1:-1], name)
        # Longest first, so a value that contains another is replaced whole.
        alternatives = sorted(self.names, key=len, reverse=True)
        self._values = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None
        self._patterns = [(kind, re.compile(p)) for kind, p in patterns]

    def text(self, text: str) -> str:
        if self._values is not None:
            text = self._values.sub(lambda m: f"[REDACTED:{self.names[m.group(0)]}]", text)
        for kind, pattern in self._patterns:
            text = pattern.sub(partial(_replacement, kind=kind), text)
        return text

    def value(self, obj: Any) -> Any:
        """``obj`` with every string redacted (dict keys too). Unchanged parts are returned as they are."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, BaseModel):
            return self.model(obj)
        if isinstance(obj, list):
            items = [self.value(x) for x in obj]
            return items if any(a is not b for a, b in zip(items, obj)) else obj
        if isinstance(obj, tuple):
            items = [self.value(x) for x in obj]
            return tuple(items) if any(a is not b for a, b in zip(items, obj)) else obj
        if isinstance(obj, dict):
            pairs = [(self.value(k), self.value(v)) for k, v in obj.items()]
            changed = any(k2 is not k or v2 is not v for (k2, v2), (k, v) in zip(pairs, obj.items()))
            return dict(pairs) if changed else obj
        return obj

    def model(self, model: M) -> M:
        """A copy of ``model`` with every string field redacted (the model itself is not changed)."""
        updates = {}
        for name in type(model).model_fields:
            current = getattr(model, name)
            redacted = self.value(current)
            if redacted is not current:
                updates[name] = redacted
        return model.model_copy(update=updates) if updates else model


def _replacement(match: re.Match[str], kind: str) -> str:
    groups = match.groupdict()
    if groups.get("scheme"):
        return f"{groups['scheme']}[REDACTED:{kind}]@"
    return f"{groups.get('keep') or ''}[REDACTED:{kind}]"


@lru_cache(maxsize=8)
def _cached(items: tuple[tuple[str, str], ...]) -> Redactor:
    return Redactor(dict(items))


def default_redactor() -> Redactor:
    """A redactor for this process's current environment (rebuilt only when its secrets change)."""
    return _cached(tuple(sorted(secret_values().items())))


def redact(model: M) -> M:
    """``model`` (a RunRecord, a BatchRecord...) with the secrets of this process's environment and every known
    token shape replaced in all its strings."""
    return default_redactor().model(model)


def redact_text(text: str) -> str:
    return default_redactor().text(text)
