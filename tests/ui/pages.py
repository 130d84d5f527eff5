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
    def results(self) -> Locator:
        return self.region.get_by_role("list", name="Results")

    @property
    def collections(self) -> Locator:
        """The collection filter (under "Filters")."""
        return self.region.get_by_role("group", name="Collections")

    @property
    def map(self) -> Locator:
        return self.region.get_by_role("application", name="Search area map")

    def choose_endpoint(self, title: str) -> None:
        self.region.get_by_label("Endpoint").select_option(label=title)

    def search(self, text: str) -> None:
        self.region.get_by_label("Search datasets").fill(text)
        self.region.get_by_role("button", name="Search", exact=True).click()

    def draw_box(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Press "Draw box", then drag from ``start`` to ``end`` (fractions of the map)."""
        self.region.get_by_role("button", name="Draw box").click()
        box = self.map.bounding_box()
        assert box is not None
        mouse = self.lab.page.mouse
        mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
        mouse.down()
        mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"], steps=8)
        mouse.up()

    def drawn_box(self) -> list[float]:
        """The box the map reports, [west, south, east, north]."""
        text = self.region.get_by_text("Box:").inner_text()
        return [float(v) for v in text.removeprefix("Box:").split(",")]

    def draw_lonlat_box(self, west: float, south: float, east: float, north: float) -> None:
        """Draw a box at known coordinates: one drag calibrates pixels to degrees (the map is
        in plate carree, so the relation is linear), a second draws the box asked for."""
        self.draw_box((0.3, 0.3), (0.7, 0.7))
        expect(self.region.get_by_text("Box:")).not_to_have_text("Box: none")
        w, s, e, n = self.drawn_box()
        frac_x = lambda lon: 0.3 + (lon - w) / (e - w) * 0.4  # noqa: E731
        frac_y = lambda lat: 0.3 + (n - lat) / (n - s) * 0.4  # noqa: E731
        self.draw_box((frac_x(west), frac_y(north)), (frac_x(east), frac_y(south)))

    def open_result(self, title: str) -> "ItemView":
        self.results.get_by_role("button", name=title).click()
        return ItemView(self)

    @property
    def error(self) -> Locator:
        return self.region.get_by_role("alert").first


class ItemView:
    """One item, opened from the results."""

    def __init__(self, panel: CatalogPanel) -> None:
        self.panel = panel
        self.region = panel.region.get_by_role("region", name="Item")

    @property
    def preview(self) -> Locator:
        return self.region.get_by_role("img", name="Preview of")

    @property
    def caption(self) -> Locator:
        return self.region.locator("figcaption")

    def set_depth(self, metres: float) -> None:
        self.region.get_by_label("Depth").fill(str(metres))

    def insert_code(self) -> None:
        self.region.get_by_role("button", name="Insert code").click()

    def open_in_new_notebook(self) -> None:
        self.region.get_by_role("button", name="Open in new notebook").click()

    def copy_stac_link(self) -> None:
        self.region.get_by_role("button", name="Copy STAC link").click()


def run_cell_with(page: Page, text: str) -> Locator:
    """Run the notebook cell containing ``text``; returns its output area."""
    cell = page.locator(".jp-Notebook .jp-Cell").filter(has_text=text)
    expect(cell).to_be_visible(timeout=60_000)
    # A cell run before the new notebook's kernel is connected would be dropped.
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=120_000)
    cell.locator(".jp-InputPrompt").click()  # command mode on that cell
    page.keyboard.press("Shift+Enter")
    return cell.locator(".jp-OutputArea")


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


class HubLogin:
    """The hub's front page and the OpenID Connect provider's sign-in form."""

    def __init__(self, page: Page, hub_url: str) -> None:
        self.page = page
        self.hub_url = hub_url

    def open(self) -> "HubLogin":
        self.page.goto(f"{self.hub_url}/hub/login")
        self.page.get_by_role("button", name="Sign in with dtolab local accounts").click()
        expect(self.page.get_by_role("heading", name="Sign in to dtolab")).to_be_visible()
        return self

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
