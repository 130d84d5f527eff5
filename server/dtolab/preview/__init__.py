"""Server-side previews: an image of one variable at one time and depth, from a Zarr pyramid."""
