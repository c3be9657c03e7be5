"""Storefront pages, one module per area (guest pages, assets, sign-in, errors; checkout,
trips, account, host and admin pages add their own). Views are thin: parse with a form, call
the same services and selectors as the REST views, render."""
