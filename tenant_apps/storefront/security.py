"""Content-Security-Policy exceptions of storefront pages. The policy itself is one for every
page of the project (CONTENT_SECURITY_POLICY in settings, sent by django-csp's middleware); a
page that needs more says so with django-csp's decorators, here."""

from __future__ import annotations

from csp.decorators import csp_update

# Stripe.js is the one third-party script of the storefront, on the page that pays with it
# only. Its documented needs: the script and its frames from js.stripe.com (3-D Secure
# challenges from hooks.stripe.com) and API calls to api.stripe.com.
STRIPE_CHECKOUT_CSP = {
    "script-src": ["https://js.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
}

allows_stripe = csp_update(STRIPE_CHECKOUT_CSP)
