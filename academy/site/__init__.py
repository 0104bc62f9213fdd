"""Site-wide pages: the home page, the language switcher and the health check."""
