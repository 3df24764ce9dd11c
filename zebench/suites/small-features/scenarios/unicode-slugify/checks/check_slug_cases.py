"""Hidden slugify cases (run with cwd = workspace).

Usage: check_slug_cases.py [GROUP ...]   groups: transliterate, options, unique (default: all)
"""

import os
import sys

sys.path.insert(0, os.getcwd())

failures = []


def expect_slug(args, kwargs, expected):
    from textkit import slugify

    try:
        got = slugify(*args, **kwargs)
    except Exception as exc:
        failures.append(f"slugify{args}{kwargs}: raised {exc!r}")
        return
    if got != expected:
        failures.append(f"slugify{args}{kwargs}: expected {expected!r}, got {got!r}")


def check_transliterate():
    expect_slug(("Ærøskøbing",), {}, "aeroskobing")
    expect_slug(("ﬁnance Œuvre",), {}, "finance-oeuvre")
    expect_slug(("ÉCOLE NORMALE",), {}, "ecole-normale")
    expect_slug(("Þingvellir Đakovo",), {}, "thingvellir-dakovo")
    expect_slug(("Ａ Ｂ",), {}, "a-b")
    expect_slug(("   ",), {}, "")
    expect_slug(("snake_case_name",), {}, "snake-case-name")


def check_options():
    expect_slug(("one two three",), {"separator": "_", "max_length": 8}, "one_two")
    expect_slug(("Ünïcödé Straße",), {"allow_unicode": True}, "ünïcödé-straße")
    expect_slug(("Hello World",), {"separator": ""}, "helloworld")
    expect_slug(("exactly ten",), {"max_length": 11}, "exactly-ten")
    expect_slug(("Crème brûlée recipe",), {"max_length": 13}, "creme-brulee")


def check_unique():
    from textkit.slugs import unique_slug

    if unique_slug("My Post", existing={"my_post"}, separator="_") != "my_post_2":
        failures.append("unique_slug should use the separator for the suffix")
    taken = {"x"} | {f"x-{n}" for n in range(2, 12)}
    if unique_slug("X", existing=taken) != "x-12":
        failures.append("unique_slug should keep counting past -11")
    slug = unique_slug("alpha beta", existing={"alpha-beta", "alpha-be-2"}, max_length=10)
    if slug != "alpha-be-3":
        failures.append(f"unique_slug with max_length: expected 'alpha-be-3', got {slug!r}")


GROUPS = {"transliterate": check_transliterate, "options": check_options, "unique": check_unique}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
