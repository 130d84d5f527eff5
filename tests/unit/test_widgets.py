"""Notebook displays render STAC collections safely."""

from dtolab_widgets import CollectionTable


def test_collection_table_shows_and_escapes():
    table = CollectionTable(
        [
            {
                "id": "emodnet-bathymetry",
                "title": "Bathymetry <b>",
                "license": "other",
                "extent": {"temporal": {"interval": [["1988-01-01T00:00:00Z", None]]}},
            },
            {"id": "x", "interval": [None, "2020-05-01T00:00:00Z"]},
        ]
    )
    html = table._repr_html_()
    assert "Bathymetry &lt;b&gt;" in html and "<b>" not in html
    assert "1988-01-01 to …" in html and "… to 2020-05-01" in html
    assert "<code>emodnet-bathymetry</code>" in html
    assert repr(table) == "CollectionTable(2 collections)"
