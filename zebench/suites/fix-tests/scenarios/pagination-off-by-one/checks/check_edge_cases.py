"""Hidden edge cases for the pagination fix (run with cwd = workspace).

Usage: check_edge_cases.py [GROUP ...]   groups: paginate, links (default: all)
"""

import os
import sys

sys.path.insert(0, os.getcwd())

failures = []


def expect(label, actual, expected):
    if actual != expected:
        failures.append(f"{label}: expected {expected!r}, got {actual!r}")


def check_paginate():
    from pager import PageNotFound, paginate

    data = list(range(101))
    expect("last page of 101 items", paginate(data, 11, 10).items, [100])
    expect("total pages of 101 items", paginate(data, 1, 10).total_pages, 11)
    expect("per_page=1", paginate(data, 101, 1).items, [100])
    expect("per_page larger than data", paginate(data, 1, 500).items, data)
    expect("per_page larger than data, pages", paginate(data, 1, 500).total_pages, 1)
    expect("tuple input", paginate(("a", "b", "c"), 2, 2).items, ["c"])
    expect("end index", paginate(data, 11, 10).end_index, 101)
    try:
        paginate(data, 12, 10)
        failures.append("page 12 of 11 should raise PageNotFound")
    except PageNotFound:
        pass


def check_links():
    from pager import page_links, page_range, paginate

    expect("range window 1", page_range(4, 9, window=1), [3, 4, 5])
    expect("range window larger than total", page_range(2, 3, window=5), [1, 2, 3])
    expect("range window 0", page_range(7, 9, window=0), [7])
    last = paginate(list(range(30)), 3, 10)
    expect("links on an exactly full last page", page_links(last, "/x")["next"], None)


GROUPS = {"paginate": check_paginate, "links": check_links}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:  # a crash is a failure, reported like the others
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
