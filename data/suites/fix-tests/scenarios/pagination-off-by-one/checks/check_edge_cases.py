"""Hidden edge cases for the pagination fix (run with cwd = workspace)."""

import os
import sys

sys.path.insert(0, os.getcwd())

from pager import PageNotFound, page_range, paginate

failures = []


def expect(label, actual, expected):
    if actual != expected:
        failures.append(f"{label}: expected {expected!r}, got {actual!r}")


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
expect("range window 1", page_range(4, 9, window=1), [3, 4, 5])
expect("range window larger than total", page_range(2, 3, window=5), [1, 2, 3])

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
