# In-image test of the r image: `Rscript test.R` as the lab's user (jovyan). It checks the R
# packages, the dtolab helpers of Rprofile.site and RStudio's session wrapper; then, when
# $DTOLAB_ENDPOINTS names a catalogue that answers, it runs example.R (kept next to this file).
# Any failed check stops it with a non-zero exit status.

check <- function(ok, what) {
  if (!isTRUE(ok)) stop("FAILED: ", what, call. = FALSE)
  cat("ok:", what, "\n")
}

# Packages: rstac from install.R, the others from Ubuntu's r-cran-* packages.
for (pkg in c("rstac", "ncdf4", "RNetCDF", "httr", "jsonlite", "IRkernel")) {
  check(requireNamespace(pkg, quietly = TRUE), paste("R package", pkg, "loads"))
}
library(rstac)
library(ncdf4)

# Helpers, defined by Rprofile.site in the attached "dtolab" environment.
helpers <- c("dtolab_endpoints", "dtolab_endpoint", "dtolab_token", "dtolab_headers")
check("dtolab" %in% search(), "Rprofile.site attached the dtolab helpers")
check(all(helpers %in% ls("dtolab")), "dtolab_endpoints/_endpoint/_token/_headers exist")
lab <- Sys.getenv(c("DTOLAB_ENDPOINTS", "JUPYTERHUB_API_URL"), unset = NA)
Sys.setenv(
  DTOLAB_ENDPOINTS = '{"demo": {"stac": "http://127.0.0.1:9/stac", "token": "fixed-token"}}'
)
Sys.unsetenv("JUPYTERHUB_API_URL")
check(identical(dtolab_endpoint()$stac, "http://127.0.0.1:9/stac"), "endpoints are parsed")
check(is.null(dtolab_endpoints()$demo$token), "dtolab_endpoints() leaves tokens out")
check(identical(dtolab_token("demo"), "fixed-token"), "an endpoint's fixed token is used")
check(is.null(dtolab_token()), "no hub token outside a hub")
for (name in names(lab)) {
  if (is.na(lab[[name]])) Sys.unsetenv(name) else do.call(Sys.setenv, as.list(lab[name]))
}

# RStudio starts R sessions through the wrapper that hands them the lab's variables.
conf <- "/etc/rstudio/rserver.conf"
check(file.exists(conf), "RStudio Server is configured")
wrapper <- sub("^rsession-path=", "", grep("^rsession-path=", readLines(conf), value = TRUE))
check(length(wrapper) == 1 && file.access(wrapper, 1) == 0, "rsession-path names the wrapper")

# The example, against the lab's own catalogue when it answers.
file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
example <- file.path(dirname(normalizePath(file)), "example.R")
reachable <- length(dtolab_endpoints()) > 0 && tryCatch(
  httr::status_code(httr::GET(dtolab_endpoint()$stac, dtolab_headers(), httr::timeout(10))) == 200,
  error = function(e) FALSE
)
if (reachable) {
  source(example, echo = TRUE, max.deparse.length = Inf)
  check(length(values) > 0 && any(is.finite(values)), "example.R read values from the catalogue")
} else {
  cat("skipped: example.R (DTOLAB_ENDPOINTS is unset or its catalogue does not answer)\n")
}
