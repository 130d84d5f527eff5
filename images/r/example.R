# Search dtolab's catalogue from R and read one variable of a gridded item.
# Runs in a dtolab lab (RStudio or an R notebook), where the image's Rprofile.site defines the
# dtolab_* helpers. R's GDAL and Zarr readers do not read Zarr v3, so the item's `netcdf` asset
# (the whole variable in one NetCDF-4 file) is the one read here.

# ---- what to look for
library(ncdf4)
endpoint <- dtolab_endpoint() # the lab's catalogue ("local" in the embedded stack)
collection <- "climate_forecast-sea_surface_temperature"
bbox <- c(-40, 20, 0, 60) # west, south, east, north (degrees): the North Atlantic

# ---- search with rstac (dtolab_headers adds the user's token where the endpoint needs it)
library(rstac)
items <- stac(endpoint$stac) |>
  stac_search(collections = collection, bbox = bbox, limit = 20) |>
  post_request(dtolab_headers(endpoint$name))

# ---- download the first gridded item's NetCDF file and read its variable with ncdf4
item <- Find(function(feature) !is.null(feature$assets$netcdf), items$features)
variable <- item$properties[["dtolab:variable"]]
path <- file.path(tempdir(), paste0(item$id, ".nc"))
# Assets are plain files: the token is for the APIs and is not sent to where files are kept.
download.file(item$assets$netcdf$href, path, mode = "wb", quiet = TRUE)
nc <- nc_open(path)
values <- ncvar_get(nc, variable) # dimensions come fastest first: lon, lat, (depth,) time
units <- ncatt_get(nc, variable, "units")$value
dims <- vapply(nc$var[[variable]]$dim, function(d) d$name, "")
nc_close(nc)
cat(sprintf("%s: %s in %s on %s\n", item$id, variable, units, paste(dims, collapse = " x ")))
print(summary(as.vector(values)))
