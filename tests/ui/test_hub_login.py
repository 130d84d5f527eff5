"""A person logs in to the hub at the OpenID Connect provider's page and works in their lab."""

import pytest
from playwright.sync_api import expect

from tests.ui.pages import CatalogPanel, HubLogin, Lab, ScenarioPanel

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_login_at_the_provider_lands_in_a_lab_with_both_panels_working(page, dtolab_hub):
    password = dtolab_hub["users"]["reader"][0]
    # Given the hub's front page, when the person signs in at the provider ...
    HubLogin(page, dtolab_hub["hub"]).open().sign_in("reader", password)
    # ... the hub spawns their server and JupyterLab opens, as them.
    expect(page).to_have_url(f"{dtolab_hub['hub']}/user/reader/lab", timeout=180_000)
    lab = Lab(page, page.url)
    expect(page.get_by_role("main")).to_be_visible(timeout=60_000)
    # The catalogue panel lists items of the (token-protected) embedded STAC API ...
    catalog = CatalogPanel(lab).open()
    expect(catalog.results).to_contain_text("ETOPO5 global relief", timeout=60_000)
    catalog.search("relief")
    expect(catalog.results).to_contain_text("emodnet-bathymetry")
    # ... and the scenario panel the processes of the (token-protected) pygeoapi.
    scenarios = ScenarioPanel(lab).open()
    expect(scenarios.processes).to_contain_text("Depth statistics of a region", timeout=60_000)


def test_a_wrong_password_keeps_the_person_at_the_provider(page, dtolab_hub):
    login = HubLogin(page, dtolab_hub["hub"]).open()
    login.sign_in("reader", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.url.startswith(dtolab_hub["hub"]) is False
