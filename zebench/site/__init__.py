"""The static report site (``zebench build-site``): pages, charts and the static JSON mirror of the API."""

from .builder import BuildReport, SiteError, build_site

__all__ = ["BuildReport", "SiteError", "build_site"]
