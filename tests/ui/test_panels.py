"""A person opens the lab and sees both dtolab panels list what the embedded services serve."""

import pytest
from playwright.sync_api import expect

from tests.ui.pages import CatalogPanel, Lab, ScenarioPanel

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_catalog_panel_lists_items_and_collections_from_the_stac_api(page, dtolab_stack):
    lab = Lab(page, dtolab_stack["lab"]).open()
    catalog = CatalogPanel(lab).open()
    # Titles and ids come from the running STAC API (pgstac).
    expect(catalog.results).to_contain_text("ETOPO5 global relief", timeout=30_000)
    catalog.region.get_by_text("Filters", exact=True).click()
    expect(catalog.collections).to_contain_text("Bathymetry and topography")
    catalog.search("no-such-dataset-xyz")
    expect(catalog.region.get_by_text("No item matches.")).to_be_visible()
    catalog.search("relief")
    expect(catalog.results).to_contain_text("emodnet-bathymetry")


def test_scenario_panel_lists_processes_from_pygeoapi(page, dtolab_stack):
    lab = Lab(page, dtolab_stack["lab"]).open()
    scenarios = ScenarioPanel(lab).open()
    expect(scenarios.processes).to_contain_text("Depth statistics of a region", timeout=30_000)
    expect(scenarios.processes).to_contain_text("depth-statistics v1.0.0")


def test_an_unreachable_endpoint_shows_a_readable_error(page, dtolab_stack):
    # EDITO cannot be reached from the test machine: the panel must say so, not stay blank.
    lab = Lab(page, dtolab_stack["lab"]).open()
    catalog = CatalogPanel(lab).open()
    expect(catalog.results).to_be_visible(timeout=30_000)
    catalog.choose_endpoint("EDITO (European Digital Twin of the Ocean)")
    expect(catalog.error).to_contain_text("edito:", timeout=60_000)
    expect(catalog.error.get_by_role("button", name="Retry")).to_be_visible()
