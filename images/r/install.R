# R packages of the r image that Ubuntu 24.04's archive lacks, at pinned versions, as binaries
# from a dated Posit Package Manager snapshot (the same bytes on every build). Everything else,
# these packages' dependencies included, comes from Ubuntu's r-cran-* packages (Dockerfile).
# Run as root at image build: `Rscript install.R`. Any failure stops the build.

SNAPSHOT <- "https://packagemanager.posit.co/cran/__linux__/noble/2025-06-02"
PINNED <- c(rstac = "1.0.1")

options(
  repos = c(CRAN = SNAPSHOT),
  # install.packages() only warns when a package fails to install: make that an error.
  warn = 2,
  # The package manager serves Linux binaries to clients that name their R version and platform.
  HTTPUserAgent = sprintf(
    "R/%s R (%s)", getRversion(),
    paste(getRversion(), R.version["platform"], R.version["arch"], R.version["os"])
  )
)
# Ubuntu's R lists this library first (R_LIBS_SITE) and keeps its own packages elsewhere.
lib <- "/usr/local/lib/R/site-library"
dir.create(lib, recursive = TRUE, showWarnings = FALSE)
# No dependencies from the snapshot: one missing from apt must fail the build (library() below),
# not arrive unpinned from here.
install.packages(names(PINNED), lib = lib, dependencies = FALSE)
for (pkg in names(PINNED)) {
  installed <- as.character(packageVersion(pkg, lib.loc = lib))
  if (installed != PINNED[[pkg]]) {
    stop(sprintf("%s %s installed, %s pinned: fix SNAPSHOT or PINNED", pkg, installed, PINNED[[pkg]]))
  }
  library(pkg, character.only = TRUE, lib.loc = c(lib, .libPaths()))
  cat(sprintf("installed %s %s\n", pkg, installed))
}
