"""Page objects: how a person finds things in the lab, with accessible locators only."""

from playwright.sync_api import Locator, Page, expect


class Lab:
    """JupyterLab opened with its token."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    def open(self) -> "Lab":
        self.page.goto(self.url)
        expect(self.page.get_by_role("main")).to_be_visible(timeout=60_000)
        return self

    def sidebar_tab(self, caption: str) -> Locator:
        return self.page.get_by_role("tab", name=caption)


class CatalogPanel:
    """The "Ocean data catalog" sidebar panel."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.region = lab.page.get_by_role("region", name="Ocean data catalog")

    def open(self) -> "CatalogPanel":
        self.lab.sidebar_tab("Ocean data catalog").click()
        expect(self.region).to_be_visible()
        return self

    @property
    def collections(self) -> Locator:
        return self.region.get_by_role("list", name="Collections")

    def choose_endpoint(self, title: str) -> None:
        self.region.get_by_label("Endpoint").select_option(label=title)

    def search(self, text: str) -> None:
        self.region.get_by_label("Search datasets").fill(text)
        self.region.get_by_role("button", name="Search").click()

    @property
    def error(self) -> Locator:
        return self.region.get_by_role("alert")


class ScenarioPanel:
    """The "What-if scenarios" sidebar panel."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.region = lab.page.get_by_role("region", name="What-if scenarios")

    def open(self) -> "ScenarioPanel":
        self.lab.sidebar_tab("What-if scenarios").click()
        expect(self.region).to_be_visible()
        return self

    @property
    def processes(self) -> Locator:
        return self.region.get_by_role("list", name="Processes")
