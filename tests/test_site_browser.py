"""The built site in headless Chromium (Debian's chromium through Playwright): every page type loads with no console
error and no failed request, charts are drawn, the runs table filters, sorts and searches, the run view shows a
run, the compare page agrees with `zebench compare`, and hostile agent text never runs."""

from __future__ import annotations

import fnmatch
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser import CHROMIUM_ARGS, chromium_path, file_url, open_page
from tests.site_data import XSS_BATCH, build_site_db
from zebench.report.analysis import compare
from zebench.site import builder
from zebench.site.builder import HEADERS, build_site, file_name

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope: Playwright's sync API keeps an event loop running in this thread until it stops, and other
    # test modules call asyncio.run
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


#: Small chunks, so that the pages read runs, run details and the runs table from several files, as at scale.
DETAIL_CHUNK = 20


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("browser-site")
    db = root / "site.db"
    build_site_db(db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builder, "DETAIL_CHUNK", DETAIL_CHUNK)
        mp.setattr(builder, "INDEX_CHUNK", 50)
        mp.setattr(builder, "PAGE_CHUNK", 40)
        build_site(db, root / "site")
    assert len(list((root / "site/data/runs-index").iterdir())) >= 3
    return db, root / "site"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile-site")
    db = root / "site.db"
    build_site_db(db, hostile=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builder, "DETAIL_CHUNK", DETAIL_CHUNK)
        build_site(db, root / "site")
    return db, root / "site"


def _runs(db: Path, where: str = "1", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"SELECT run_id, id, agent, batch_id FROM benchmark_runs WHERE {where} ORDER BY id", params
        ).fetchall()


def page_urls(db: Path, out: Path) -> list[str]:
    run_id, row_id, *_ = _runs(db)[-1]
    pages = [
        "index.html",
        "runs.html",
        "batches.html",
        "agents.html",
        "scenarios.html",
        "evaluators.html",
        "costs.html",
        "compare.html",
        "batches/batch-b.html",
    ]
    return [file_url(out / p) for p in pages] + [
        f"{file_url(out / 'run.html')}?id={quote(run_id)}&c={row_id // DETAIL_CHUNK}"
    ]


def assert_clean(page: Any, log: Any, site_prefix: str) -> None:
    assert log.problems() == []
    outside = [u for u in log.requests if not u.startswith(site_prefix)]
    assert outside == [], "requests left the site"
    figures = page.locator("figure.chart").count()
    assert page.locator("figure.chart[data-rendered] svg").count() == figures
    assert page.get_attribute("body", "data-charts-rendered") == str(figures)


def test_every_page_type_loads_cleanly_from_file_urls(browser: Any, site: tuple[Path, Path]) -> None:
    db, out = site
    charts = {}
    for url in page_urls(db, out):
        page, log = open_page(browser, url)
        assert_clean(page, log, out.resolve().as_uri())
        charts[url.rsplit("/", 1)[-1].split("?")[0]] = page.locator("figure.chart svg").count()
        assert page.locator("p.error").count() == 0
        page.close()
    for name in ("index.html", "agents.html", "scenarios.html", "evaluators.html", "costs.html", "batch-b.html"):
        assert charts[name] >= 1, name
    assert charts["index.html"] == 3
    assert charts["agents.html"] == 3  # leaderboard, histogram, trends; heatmap, tiers, Pareto


class _HostHandler(http.server.SimpleHTTPRequestHandler):
    """A static host applying the site's headers (netlify.toml / _headers), CSP included."""

    def end_headers(self) -> None:
        for pattern, values in HEADERS.items():
            if fnmatch.fnmatch(self.path.split("?")[0], pattern):
                for key, value in values.items():
                    if key != "Content-Type":
                        self.send_header(key, value)
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: tuple[Path, Path]) -> Iterator[str]:
    handler = functools.partial(_HostHandler, directory=str(site[1]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_pages_satisfy_the_content_security_policy_over_http(
    browser: Any, site: tuple[Path, Path], served: str
) -> None:
    db, out = site
    prefix = out.resolve().as_uri()
    for url in page_urls(db, out):
        page, log = open_page(browser, served + url[len(prefix) :])
        assert page.evaluate("document.querySelector('meta[http-equiv]') !== null")
        assert_clean(page, log, served)  # a CSP violation is a console error
        page.close()


def _status(db: Path, matched: list[tuple[Any, ...]], everything: list[tuple[Any, ...]]) -> str:
    """The runs page's count line: cancelled attempts are listed, and said apart from the runs."""
    cancelled = {r[0] for r in _runs(db, "status = 'cancelled'")}
    runs, dropped = sum(r[0] not in cancelled for r in everything), sum(r[0] in cancelled for r in everything)
    hits, hit_dropped = sum(r[0] not in cancelled for r in matched), sum(r[0] in cancelled for r in matched)
    if len(matched) == len(everything):
        return f"{runs} runs" + (f" + {dropped} cancelled attempts" if dropped else "")
    return f"{hits} of {runs} runs match" + (f" (+ {hit_dropped} cancelled attempts)" if hit_dropped else "")


def test_runs_page_filters_sorts_and_searches(browser: Any, site: tuple[Path, Path]) -> None:
    db, out = site
    everything = _runs(db)
    page, log = open_page(browser, file_url(out / "runs.html"))
    assert page.inner_text("#runs-status") == _status(db, everything, everything)
    assert page.locator("#runs-table tbody tr").count() == 100
    agent = everything[0][2]
    page.select_option("select[name=agent]", agent)
    expected = [r for r in everything if r[2] == agent]
    assert page.inner_text("#runs-status") == _status(db, expected, everything)
    cells = page.locator("#runs-table tbody tr td:nth-child(5)").all_inner_texts()
    assert cells
    assert all(c.startswith(agent) for c in cells)
    assert "agent=" in page.evaluate("location.hash")
    page.select_option("select[name=batch]", "batch-b")
    both = [r for r in everything if r[2] == agent and r[3] == "batch-b"]
    assert page.inner_text("#runs-status") == _status(db, both, everything)
    page.click("button[type=reset]")
    page.wait_for_selector(f"#runs-status:text-is('{_status(db, everything, everything)}')")
    target = everything[5][0]
    page.fill("input[name=q]", target)
    assert page.locator("#runs-table tbody tr").count() == 1
    page.fill("input[name=q]", "")
    page.click("th[data-sort=weightedScore]")  # ascending
    scores = [float(s) for s in page.locator("#runs-table tbody tr td:nth-child(7)").all_inner_texts() if s != "–"]
    assert scores == sorted(scores)
    assert len(scores) > 10
    page.click("th[data-sort=weightedScore]")  # descending
    scores = [float(s) for s in page.locator("#runs-table tbody tr td:nth-child(7)").all_inner_texts() if s != "–"]
    assert scores == sorted(scores, reverse=True)
    # a filtered link opens with the filter applied (batch pages link to runs.html#batch=...)
    linked, _ = open_page(browser, file_url(out / "runs.html") + "#batch=batch-a")
    assert linked.inner_text("#runs-status") == _status(db, [r for r in everything if r[3] == "batch-a"], everything)
    # a run's link opens its view
    page.fill("input[name=q]", target)
    page.click(f"#runs-table tbody a:text-is('{target}')")
    page.wait_for_selector("body[data-ready]")
    assert page.inner_text("#run-id") == target
    assert log.problems() == []


def test_run_view_shows_the_whole_run(browser: Any, site: tuple[Path, Path]) -> None:
    db, out = site
    run_id, row_id, *_ = _runs(db)[3]
    for url in (
        f"{file_url(out / 'run.html')}?id={quote(run_id)}&c={row_id // DETAIL_CHUNK}",
        f"{file_url(out / 'run.html')}?id={quote(run_id)}",
    ):  # without the chunk: found through the index
        page, log = open_page(browser, url)
        text = page.inner_text("#run-view")
        for heading in (
            "Run",
            "Reproducibility manifest",
            "Checks",
            "Validation commands",
            "Telemetry",
            "Diff of the workspace",
            "Timeline",
        ):
            assert page.locator(f"#run-view h2:text-is('{heading}'), #run-view h3:text-is('{heading}')").count() == 1
        assert "dependency_targets" in text
        assert "npm test" in text
        assert "package.json" in text
        assert "Upgrade react to the latest major" in text
        assert log.problems() == []
        page.close()
    specialist, specialist_row, *_ = _runs(db, "specialist_enabled")[0]
    page, log = open_page(
        browser, f"{file_url(out / 'run.html')}?id={quote(specialist)}&c={specialist_row // DETAIL_CHUNK}"
    )
    assert "Specialist\tnextjs-specialist 0.0.3" in page.inner_text("#run-view")
    assert "Specialist" not in text
    assert log.problems() == []  # shown only for the runs that had one
    page, _ = open_page(browser, f"{file_url(out / 'run.html')}?id={quote(run_id)}&c={row_id // DETAIL_CHUNK + 1}")
    assert page.inner_text("#run-id") == run_id  # a stale chunk number: found through the index
    page, _ = open_page(browser, f"{file_url(out / 'run.html')}?id=no-such-run")
    assert "is not in this site" in page.inner_text("#run-status")
    # an evaluator that failed is shown as an error, with its message, and the score says so
    ((errored, errored_row, *_),) = _runs(db, "evaluator_errors > 0")
    page, log = open_page(browser, f"{file_url(out / 'run.html')}?id={quote(errored)}&c={errored_row // DETAIL_CHUNK}")
    assert "JudgeError: the judge needs ANTHROPIC_API_KEY" in page.inner_text("#evaluator-errors")
    assert "incomplete: 1 evaluator failed" in page.inner_text("#run-view")
    assert log.problems() == []


@pytest.mark.parametrize(
    "fragment",
    [
        "runs.html#length=1&item=x&q=",
        "compare.html#cand=__proto__&base=constructor",
        "run.html?id=__proto__&c=0",
        "run.html?id=x&c=../../etc",
    ],
)
def test_odd_urls_do_not_break_pages(browser: Any, site: tuple[Path, Path], fragment: str) -> None:
    page, log = open_page(browser, file_url(site[1]) + "/" + fragment)
    assert log.problems() == []
    assert page.locator("p.error").count() == 0


def test_compare_page_agrees_with_zebench_compare(browser: Any, site: tuple[Path, Path]) -> None:
    import sqlite3

    from zebench.testing.synthetic import AGENT_MODELS

    db, out = site
    page, log = open_page(browser, file_url(out / "compare.html"))
    # latest (batch-c) against the previous batch of the same configurations (batch-a), one row per configuration
    first = page.inner_text("section:first-of-type")
    assert "batch-a" in first
    assert "batch-c" in first
    assert page.locator("#latest-verdict tbody tr").count() == 2
    (a1, m1, _), (a2, m2, _), (a3, m3, _) = AGENT_MODELS[:3]
    one, two, three = f"{a1} [{m1}]", f"{a2} [{m2}]", f"{a3} [{m3}]"
    cases = [
        ((one, "batch-a"), (one, "batch-c")),
        ((two, "*"), (one, "batch-c")),
        ((three, "batch-b"), (one, "*")),
        ((one, "batch-a"), (one, "batch-a")),
    ]
    with sqlite3.connect(db) as conn:
        for (bc, bb), (cc, cb) in cases:
            page.select_option("select[name=bc]", bc)
            page.select_option("select[name=bb]", bb)
            page.select_option("select[name=cc]", cc)
            page.select_option("select[name=cb]", cb)
            page.wait_for_selector(f"#compare-result[data-pair='{bc}|{bb} {cc}|{cb}']")

            def side(config: str, batch: str) -> dict[str, str]:
                agent, model = next((a, m) for a, m, _ in AGENT_MODELS if f"{a} [{m}]" == config)
                assert model is not None
                # the configuration whole: the page's "codex [gpt-5]" is without a specialist ('' selects those)
                configuration = {"agent": agent, "model": model, "specialistName": "", "specialistVersion": ""}
                return {**configuration, **({} if batch == "*" else {"batchId": batch})}

            expected = compare(conn, side(bc, bb), side(cc, cb))
            o, s = expected["itemOutcomes"], expected["success"]
            assert int(page.inner_text("#cmp-shared")) == expected["sharedItems"]
            assert int(page.inner_text("#cmp-regressed")) == len(o["regressed"])
            assert int(page.inner_text("#cmp-improved")) == len(o["improved"])
            assert int(page.inner_text("#cmp-stayed-solved")) == len(o["stayedSolved"])
            assert int(page.inner_text("#cmp-stayed-failed")) == len(o["stayedFailed"])
            assert float(page.get_attribute("#cmp-p", "data-value")) == pytest.approx(s["pValue"], rel=1e-9)
            assert page.inner_text("#cmp-test").startswith(s["test"])
    assert "bb=batch-a" in page.evaluate("location.hash")
    # the batch page's link opens the same configuration in both batches
    linked, _ = open_page(
        browser, file_url(out / "compare.html") + f"#bb=batch-a&bc={quote(one)}&cb=batch-c&cc={quote(one)}"
    )
    linked.wait_for_selector(f"#compare-result[data-pair='{one}|batch-a {one}|batch-c']")
    assert log.problems() == []


def test_hostile_agent_text_never_runs(browser: Any, hostile_site: tuple[Path, Path]) -> None:
    db, out = hostile_site
    ((run_id, row_id, agent, _),) = _runs(db, "batch_id = ?", (XSS_BATCH,))
    urls = [
        file_url(out / p)
        for p in (
            "index.html",
            "batches.html",
            "agents.html",
            "scenarios.html",
            "costs.html",
            "evaluators.html",
            f"batches/{file_name(XSS_BATCH)}.html",
        )
    ]
    urls += [
        f"{file_url(out / 'run.html')}?id={quote(run_id)}&c={row_id // DETAIL_CHUNK}",
        f"{file_url(out / 'runs.html')}#q={quote(run_id)}",
        f"{file_url(out / 'compare.html')}#base=batch-c&cand={quote(XSS_BATCH)}",
    ]
    for url in urls:
        page, log = open_page(browser, url)
        dialogs: list[str] = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        page.mouse.move(200, 200)  # hover handlers (chart tooltips) too
        assert page.evaluate("window.__xss") is None, url
        assert dialogs == [], url
        assert log.problems() == [], url
        page.close()
    # the text is shown, as text
    page, _ = open_page(browser, urls[7])
    assert "<script>window.__xss = 1</script>" in page.inner_text("#run-view")
    assert page.locator("#run-view script, #run-view img").count() == 0
    page, _ = open_page(browser, urls[8])
    assert page.locator("#runs-table tbody tr").count() == 1
    assert page.inner_text("#runs-table tbody tr td:nth-child(5)").startswith("agent<script>")


def test_an_empty_site_loads_cleanly(browser: Any, tmp_path: Path, template_db: Path) -> None:
    import shutil

    db = tmp_path / "empty.db"
    shutil.copyfile(template_db, db)
    build_site(db, tmp_path / "site")
    for name in ("index.html", "runs.html", "run.html", "compare.html", "agents.html", "batches.html"):
        page, log = open_page(browser, file_url(tmp_path / "site" / name))
        assert log.problems() == [], name
        page.close()
    page, _ = open_page(browser, file_url(tmp_path / "site/runs.html"))
    assert page.inner_text("#runs-status") == "0 runs"
    page, _ = open_page(browser, file_url(tmp_path / "site/compare.html"))
    assert "No runs to compare yet" in page.inner_text("#compare-result")


#: Every box that can scroll sideways, with whether it does and whether the note before it says so (site.js).
SCROLL_BOXES = """() => Array.from(document.querySelectorAll("figure.chart, .scroll, table.data, table.kv"))
  .filter(b => !(b.matches("table") && b.parentElement.classList.contains("scroll")))
  .map(b => {
    const note = b.previousElementSibling;
    return {
      box: b.dataset.chart || b.id || b.className,
      scrolls: b.scrollWidth > b.clientWidth + 1,
      said: !!(note && note.classList.contains("scroll-hint") && !note.hidden && note.offsetParent !== null),
    };
  })"""


@pytest.mark.parametrize("width", [390, 1400])
def test_a_box_that_scrolls_sideways_says_so(browser: Any, site: tuple[Path, Path], width: int) -> None:
    """On a phone, a chart of a fixed width is drawn to the screen's width; whatever still scrolls sideways (a wide
    table, the heatmap's readable cells) has a note saying so, and nothing that fits has one."""
    db, out = site
    context = browser.new_context(viewport={"width": width, "height": 900})
    seen: dict[str, list[dict[str, Any]]] = {}
    for url in page_urls(db, out):
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_selector("body[data-ready][data-charts-rendered]", state="attached")
        boxes = page.evaluate(SCROLL_BOXES)
        name = url.rsplit("/", 1)[-1].split("?")[0]
        seen[name] = boxes
        for box in boxes:
            assert box["said"] == box["scrolls"], (width, name, box)
        page.close()
    context.close()
    charts = {b["box"]: b for b in seen["index.html"] if b["box"].startswith("spec-")}
    assert set(charts) == {"spec-leaderboard", "spec-histogram", "spec-trends"}
    assert not any(b["scrolls"] for b in charts.values()), charts  # drawn to the phone's width
    if width == 390:  # the case the notes are for: some tables do scroll on a phone
        assert any(b["scrolls"] for boxes in seen.values() for b in boxes)
    else:
        assert not any(b["scrolls"] for b in seen["index.html"])
