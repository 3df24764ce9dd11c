from __future__ import annotations

import json

import pytest

from zebench.isolation.redact import Redactor, is_secret_name, redact, secret_values
from zebench.models import Message, RunRecord, ToolCallRecord, Transcript

ENV = {
    "ANTHROPIC_API_KEY": "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
    "ZE_BENCHMARKS_API_KEY": "zb_live_0123456789abcdef",
    "GH_PAT": "ghp_" + "A1b2C3d4" * 5,
    "DATABASE_URL": "postgres://admin:hunter2-pw@db.internal:5432/app",
    "MY_SERVICE_PASSWORD": 'pa"ss\\word-123',
    "PATH": "/usr/local/bin:/usr/bin:/bin",  # PAT only as a word
    "DEBUG_TOKEN": "true",  # too short to be a secret
    "XDG_SESSION_TYPE": "wayland-session",  # not a secret whatever the name says
    "SSH_AUTH_SOCK": "/tmp/ssh-XXXX/agent.123",
    "HOME": "/root",
}


def test_which_environment_values_are_secrets() -> None:
    found = secret_values(ENV)
    assert sorted(found.values()) == [
        "ANTHROPIC_API_KEY",
        "DATABASE_URL",
        "GH_PAT",
        "MY_SERVICE_PASSWORD",
        "ZE_BENCHMARKS_API_KEY",
    ]
    assert is_secret_name("gh_pat")
    assert is_secret_name("GITHUB_TOKEN")
    assert not is_secret_name("PATH")
    assert not is_secret_name("XDG_SESSION_ID")
    assert is_secret_name("SESSION_COOKIE")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("key=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123\n", "key=[REDACTED:ANTHROPIC_API_KEY]\n"),
        (
            "ZE_BENCHMARKS_API_KEY=zb_live_0123456789abcdef\0GH_PAT=ghp_" + "A1b2C3d4" * 5,
            "ZE_BENCHMARKS_API_KEY=[REDACTED:ZE_BENCHMARKS_API_KEY]\0GH_PAT=[REDACTED:GH_PAT]",
        ),
        ("url postgres://admin:hunter2-pw@db.internal:5432/app", "url [REDACTED:DATABASE_URL]"),
        ('json {"p": "pa\\"ss\\\\word-123"}', 'json {"p": "[REDACTED:MY_SERVICE_PASSWORD]"}'),
        # shapes, whatever their origin
        ("other sk-ant-api03-" + "Z" * 30, "other [REDACTED:anthropic-key]"),
        ("\nsk-or-v1-" + "0f" * 32, "\n[REDACTED:openrouter-key]"),
        ("openai sk-proj-" + "x9" * 12, "openai [REDACTED:api-key]"),
        ("gho_" + "b" * 36 + " github_pat_" + "C" * 40, "[REDACTED:github-token] [REDACTED:github-token]"),
        ("slack xoxb-1234-5678-abcdefghij", "slack [REDACTED:slack-token]"),
        ("AKIAABCDEFGHIJKLMNOP", "[REDACTED:aws-access-key]"),
        ("git clone https://user:s3cr3t@github.com/o/r", "git clone https://[REDACTED:url-credentials]@github.com/o/r"),
        ("Authorization: Bearer abcdef0123456789xyz", "Authorization: Bearer [REDACTED:authorization]"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZDE=", "Authorization: Basic [REDACTED:authorization]"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXh5eg", "jwt [REDACTED:jwt]"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\nafter",
            "[REDACTED:private-key]\nafter",
        ),
        (
            "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "[default]\naws_secret_access_key = [REDACTED:assignment]\n",
        ),
        ('{"password": "c0rrect-h0rse-battery"}', '{"password": "[REDACTED:password]"}'),
        ("//registry.npmjs.org/:_authToken=npm_" + "a1B2" * 9, "//registry.npmjs.org/:_authToken=[REDACTED:npm-token]"),
        # left alone: code that names a secret without holding one
        (
            "token = get_token()\npassword = os.environ['PASSWORD']\ntoken_count: 123456789012",
            "token = get_token()\npassword = os.environ['PASSWORD']\ntoken_count: 123456789012",
        ),
        # left alone: short values, ordinary words, prose, paths, URLs without a password
        ("true wayland-session /tmp/ssh-XXXX/agent.123", "true wayland-session /tmp/ssh-XXXX/agent.123"),
        (
            "the bearer authentication scheme; task-list sk-short",
            "the bearer authentication scheme; task-list sk-short",
        ),
        (
            "https://user@example.com/x http://localhost:8000/a@b",
            "https://user@example.com/x http://localhost:8000/a@b",
        ),
    ],
)
def test_text(text: str, expected: str) -> None:
    assert Redactor(secret_values(ENV)).text(text) == expected


def _record(output: str, content: object = "hello") -> RunRecord:
    return RunRecord(
        run_id="r1",
        suite="s",
        scenario="c",
        tier="L1",
        agent="a",
        status="completed",
        started_at="2026-01-01",
        metadata={"note": output, output: 1},
        transcript=Transcript(
            messages=[Message(role="user", content=content)],
            tool_calls=[ToolCallRecord(seq=1, name="runCommand", input={"command": "env"}, output=output)],
        ),
    )


def test_a_record_is_redacted_everywhere_and_unchanged_records_are_kept_as_they_are() -> None:
    redactor = Redactor(secret_values(ENV))
    leaked = "\n".join(f"{k}={v}" for k, v in ENV.items())
    record = _record(leaked, content=[{"type": "text", "text": leaked}])
    clean = redactor.model(record)
    text = clean.model_dump_json()
    for value in secret_values(ENV):
        assert value not in text
        assert json.dumps(value)[1:-1] not in text
    assert clean.transcript is not None
    assert "[REDACTED:GH_PAT]" in clean.transcript.tool_calls[0].output
    assert "[REDACTED:ANTHROPIC_API_KEY]" in clean.transcript.messages[0].content[0]["text"]
    assert any("[REDACTED:DATABASE_URL]" in key for key in clean.metadata)  # dict keys too
    assert record.transcript is not None
    assert record.transcript.tool_calls[0].output == leaked  # the original is not changed
    harmless = _record("nothing to see here")
    assert redactor.model(harmless) is harmless


def test_redact_reads_this_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "or-key-value-0123456789")
    assert "[REDACTED:OPENROUTER_API_KEY]" in redact(_record("x or-key-value-0123456789 y")).metadata["note"]
    monkeypatch.delenv("OPENROUTER_API_KEY")
    assert redact(_record("x or-key-value-0123456789 y")).metadata["note"] == "x or-key-value-0123456789 y"


#: What an agent's output can hold with --sandbox none (issue 26, point 7): each secret must go, whatever surrounds
#: it. (text, the secret in it)
CREDENTIAL_FILES = [
    ("authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),  # lower case, base64 without a digit
    ("Proxy-Authorization: basic Ym9iOmh1bnRlcjI=", "Ym9iOmh1bnRlcjI="),
    ('curl -H "Authorization: token abcdefABCDEF0123"', "abcdefABCDEF0123"),
    ("machine api.github.com login bob password hunter2hunter2", "hunter2hunter2"),
    ("machine example.com\n  login bob\n  password s3cretpass\n", "s3cretpass"),
    ("machine h.example password NoDigitsHere login alice", "NoDigitsHere"),
    ("db.example.com:5432:mydb:bob:Sup3rS3cret\n", "Sup3rS3cret"),
    ("*:*:*:postgres:plainword\n", "plainword"),
    ("localhost:5432:app:app:pa\\:ss\n", "pa\\:ss"),
    ('{"auths": {"https://index.docker.io/v1/": {"auth": "Ym9iOnMzY3JldHBhc3N3b3Jk"}}}', "Ym9iOnMzY3JldHBhc3N3b3Jk"),
    ("DB_PASS=hunter2hunter2", "hunter2hunter2"),
    ("DB_PASS=Tr0ub4dor&3\n", "Tr0ub4dor&3"),
    ("DB_PASSWORD: correcthorse", "correcthorse"),
    ("  - MYSQL_ROOT_PASSWORD=plainword", "plainword"),
    ('    password: "two words"', "two words"),
    ("export SMTP_PASS='mail-pass'", "mail-pass"),
    ("PGPASSWORD=letmein psql -h db", "letmein"),
    ("mysql --user=bob --password=Zx9!pq77 app", "Zx9!pq77"),
    ("db_pwd = opensesame", "opensesame"),
    ("    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB", "LS0tLS1CRUdJTiBSU0Eg"),
    (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGV2x0kBCAC5\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n",
        "lQOYBGV2x0kBCAC5",
    ),
    ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0w\n", "MIIFHDBOBgkqhkiG9w0BBQ0w"),  # cut short
]


@pytest.mark.parametrize("text, secret", CREDENTIAL_FILES)
def test_credentials_in_files_and_commands_are_redacted(text: str, secret: str) -> None:
    out = Redactor({}).text(text)
    assert secret not in out, out
    assert "[REDACTED:" in out, out


#: Ordinary output that must come out unchanged: test runners, package managers, compilers, code that names
#: passwords without holding one, prose, timestamps, addresses.
ORDINARY = """
PASS=1
PASS: 12 tests
export PASS=1
============================= 12 passed, 1 failed in 0.31s ==============================
tests/test_auth.py::test_password_reset PASSED                                    [ 50%]
tests/test_auth.py::test_wrong_password_is_refused FAILED                         [100%]
FAILED tests/test_auth.py::test_login - AssertionError: password mismatch
 PASS  src/auth.test.ts (3 tests) 12ms
 Tests  3 passed (3)
 ✓ rejects a wrong password (5 ms)
Test Suites: 1 passed, 1 total
ok  	example.com/auth	0.012s
--- PASS: TestPassword (0.00s)
Forgot your password? Send a password reset link.
The password must be at least 12 characters; the password reset token expires in 1 hour.
Reason: password: incorrect
INFO password: changed for user 12
Please enter your password:
password reset
def check_password(password: str) -> bool:
    password = request.form["password"]
    password = os.environ["PASSWORD"]
    password = get_password()
    password = settings.DB_PASSWORD
    new_password = hash_password(raw_password)
    if password == "":
    password: str = ""
  password: string;
  password: z.string().min(8),
const password = await hash(pw);
DB_PASSWORD=${DB_PASSWORD}
DB_PASSWORD: $DB_PASSWORD
password: "{{ vault_db_password }}"
password: <your password>
"password": ""
password: ********
DB_PASSWORD_FILE: /run/secrets/db_password
bypass=true
machine learning password reset
Authorization: Bearer authentication is required
the bearer authentication scheme; authorization: required
headers = {"Authorization": f"Bearer {token}"}
12:30:45 2026-01-01T12:30:45Z fe80::1:2:3:4 00:11:22:33:44:55
src/app.ts:12:5: error TS2322: Type 'string' is not assignable to type 'number'.
app.py:12:5:E501:line too long
drwxr-xr-x  2 root root 4096 Dec  7 12:30 node_modules
Progress: resolved 412, reused 398, downloaded 14, added 412, done
"auth": "required"
"auth": {"type": "basic"}
client-key-data: (from file)
-----BEGIN PUBLIC KEY-----
-----BEGIN PGP PUBLIC KEY BLOCK-----
"""


def test_ordinary_output_is_left_alone() -> None:
    redactor = Redactor({})
    for line in ORDINARY.strip("\n").splitlines():
        assert redactor.text(line) == line
    assert redactor.text(ORDINARY) == ORDINARY


def test_password_variables_are_secret_names_and_the_working_directory_is_not() -> None:
    for name in ("DB_PASS", "SMTP_PASS_FILE", "DB_PWD", "MYSQL_PASSWORD", "PGPASSWORD"):
        assert is_secret_name(name), name
    for name in ("PWD", "OLDPWD", "PASSED_TESTS", "BYPASS", "COMPASS_HOME"):
        assert not is_secret_name(name), name
