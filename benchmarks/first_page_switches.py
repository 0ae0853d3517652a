"""Switching pages once warm (``first_page --switches``): Home -> Segments -> Launch, timed from
the click on the sidebar's link to the frame showing the new page's title and to the run finished."""

from __future__ import annotations

TIMEOUT_MS = 600_000


#: The time of the user's click (capture phase), and the frame after the new page's title shows.
WATCH_SWITCH = """(title) => {
  window.__switch = {clicked: null, shown: null};
  document.addEventListener('click', () => { window.__switch.clicked ??= performance.now(); },
                            {capture: true, once: true});
  const main = document.querySelector('[data-testid="stMain"]');
  const showing = () => [...main.querySelectorAll('h1')].some(h => h.textContent.trim() === title);
  const observer = new MutationObserver(() => {
    if (window.__switch.shown === null && showing()) {
      observer.disconnect();
      window.__switch.shown = -1;
      requestAnimationFrame(() => { window.__switch.shown = performance.now(); });
    }
  });
  observer.observe(main, {subtree: true, childList: true, characterData: true});
}"""


def switch_pages(context, server) -> list[tuple[str, float, float]]:
    """Load the bundled sample, then time Home -> Segments -> Launch twice (the first time in the
    server process, then again): (page, ms to its title shown, ms to its run finished)."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url)
    nav = page.get_by_test_id("stSidebarNav")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Next step")).to_be_visible(timeout=TIMEOUT_MS)
    nav.get_by_role("link", name="Data", exact=True).click()
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
    timed = []
    pages = (("Home", "RFM Workflow Studio"), ("Segments", "Segments"), ("Launch", "Launch"))
    for name, title in pages + pages:
        page.evaluate(WATCH_SWITCH, title)
        nav.get_by_role("link", name=name, exact=True).click()
        page.wait_for_function("() => window.__switch.shown > 0", timeout=TIMEOUT_MS, polling=10)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        ended = page.evaluate("() => performance.now()")
        clicked, shown = page.evaluate("() => [window.__switch.clicked, window.__switch.shown]")
        timed.append((name, shown - clicked, ended - clicked))
    page.close()
    return timed
