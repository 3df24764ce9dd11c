"""Hidden slugify cases (run with cwd = workspace)."""

import os
import sys

sys.path.insert(0, os.getcwd())

from textkit import slugify
from textkit.slugs import unique_slug

CASES = [
    (("Ærøskøbing",), {}, "aeroskobing"),
    (("ﬁnance Œuvre",), {}, "finance-oeuvre"),
    (("ÉCOLE NORMALE",), {}, "ecole-normale"),
    (("Þingvellir Đakovo",), {}, "thingvellir-dakovo"),
    (("   ",), {}, ""),
    (("snake_case_name",), {}, "snake-case-name"),
    (("one two three",), {"separator": "_", "max_length": 8}, "one_two"),
    (("Ünïcödé Straße",), {"allow_unicode": True}, "ünïcödé-straße"),
    (("Ａ Ｂ",), {}, "a-b"),
    (("Hello World",), {"separator": ""}, "helloworld"),
]

failures = []
for args, kwargs, expected in CASES:
    try:
        got = slugify(*args, **kwargs)
    except Exception as exc:
        failures.append(f"slugify{args}{kwargs}: raised {exc!r}")
        continue
    if got != expected:
        failures.append(f"slugify{args}{kwargs}: expected {expected!r}, got {got!r}")

try:
    if unique_slug("My Post", existing={"my_post"}, separator="_") != "my_post_2":
        failures.append("unique_slug should use the separator for the suffix")
    taken = {"x"} | {f"x-{n}" for n in range(2, 12)}
    if unique_slug("X", existing=taken) != "x-12":
        failures.append("unique_slug should keep counting past -11")
except Exception as exc:
    failures.append(f"unique_slug raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
