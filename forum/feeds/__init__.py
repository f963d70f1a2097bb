"""Visibility beyond the site: Atom feeds (new sheets, each space, each community of
practice) and the sitemap, for readers, aggregators and search engines."""
