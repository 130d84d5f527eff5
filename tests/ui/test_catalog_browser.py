"""A new user finds data, previews it, and gets working code, in Chromium against the stack."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.pages import CatalogPanel, Lab, run_cell_with

pytestmark = [pytest.mark.stack, pytest.mark.browser]

SALINITY = "Levitus: annual temperature and salinity climatology: sea water salinity (psu)"


def test_search_preview_insert_and_run(page, dtolab_stack):
    lab = Lab(page, dtolab_stack["lab"]).open()
    # A notebook to insert into: the launcher's Python 3 notebook card.
    page.get_by_role("tabpanel", name="Launcher").get_by_title("Python 3 (ipykernel)").first.click()
    expect(page.get_by_role("tab", name="Untitled.ipynb")).to_be_visible(timeout=30_000)

    catalog = CatalogPanel(lab).open()
    catalog.search("temperature")
    expect(catalog.results).to_contain_text("sea water temperature", timeout=30_000)
    expect(catalog.results).not_to_contain_text("ETOPO5")
    item = catalog.open_result(
        "Levitus: annual temperature and salinity climatology: sea water temperature"
    )

    # The preview: an image rendered on the server, decoded by the browser, with its colour bar.
    expect(item.preview).to_be_visible(timeout=60_000)
    assert item.preview.evaluate("img => img.naturalWidth") == 800
    opaque = item.preview.evaluate(
        """img => {
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            const colours = new Set(); let shown = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i + 3] > 0) {
                    shown++;
                    colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                }
            }
            return [shown / (d.length / 4), colours.size];
        }"""
    )
    assert 0.5 < opaque[0] < 0.8 and opaque[1] > 50, opaque  # the ocean, in many colours
    expect(item.caption).to_contain_text("Sea water temperature (degC) at 0 m")

    item.set_depth(500)
    expect(item.caption).to_contain_text("(nearest level to 500)", timeout=30_000)

    item.copy_stac_link()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(dtolab_stack["stac"]), copied
    assert copied.endswith("/items/levitus-annual-thetao")

    item.insert_code()
    output = run_cell_with(page, 'catalog.item("levitus-annual-thetao"')
    expect(output).to_contain_text("xarray.Dataset", timeout=120_000)
    expect(output).to_contain_text("thetao")


def test_levitus_salinity_at_500_m_from_a_drawn_box(page, dtolab_stack):
    """The issue's new-user path: find Levitus salinity, preview it at 500 m; drawing a box
    on the map narrows the search to items there."""
    lab = Lab(page, dtolab_stack["lab"]).open()
    catalog = CatalogPanel(lab).open()
    expect(catalog.results).to_contain_text("NERACOOS", timeout=30_000)
    # A box over the eastern North Atlantic: the Gulf of Maine buoy (NERACOOS B01, 70.4 W) is
    # outside it, the Bay of Biscay currents (3 W, 45 N) inside.
    catalog.draw_lonlat_box(-40, 30, 10, 60)
    west, south, east, north = catalog.drawn_box()
    assert west < -3 < east and south < 45 < north and west > -70, catalog.drawn_box()
    expect(catalog.results).to_contain_text("HYCOM", timeout=30_000)
    expect(catalog.results).not_to_contain_text("NERACOOS")

    catalog.search("salinity")
    item = catalog.open_result(SALINITY)
    item.set_depth(500)
    expect(item.caption).to_contain_text("Sea water salinity", timeout=60_000)
    expect(item.caption).to_contain_text("(nearest level to 500)")
    assert item.preview.evaluate("img => img.complete && img.naturalHeight") == 400

    # The code opens what the user looked at: the salinity at 500 m, in a new notebook.
    item.open_in_new_notebook()
    output = run_cell_with(page, "depth=500")
    expect(output).to_contain_text("xarray.Dataset", timeout=120_000)
    expect(output).to_contain_text("so")


def test_page_size_setting_and_load_more(page, dtolab_stack):
    """Settings > dtolab > pageSize changes the page; "Load more" fetches the next one."""
    base, token = dtolab_stack["lab"].split("/lab?token=")
    url = f"{base}/lab/api/settings/dtolab:plugin"
    headers = {"Authorization": f"token {token}"}
    put = httpx.put(url, headers=headers, json={"raw": '{"pageSize": 6}'}, timeout=30)
    assert put.status_code == 204, put.text
    try:
        lab = Lab(page, dtolab_stack["lab"]).open()
        catalog = CatalogPanel(lab).open()
        count = catalog.region.locator(".dtolab-Count")
        # pgstac does not count matches unless asked, so no "of N" here.
        expect(count).to_have_text("6 items", timeout=30_000)
        catalog.region.get_by_role("button", name="Load more").click()
        expect(count).to_have_text("12 items")
        expect(catalog.results.get_by_role("listitem")).to_have_count(12)
    finally:
        httpx.put(url, headers=headers, json={"raw": "{}"}, timeout=30)
