"""The shared kernel: database base, i18n, access rules, HTML, errors, mail and security headers."""
