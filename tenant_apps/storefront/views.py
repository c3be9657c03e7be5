from django.shortcuts import render


def home(request):
    """The marketplace's branded landing page (branding comes from the context processor)."""
    return render(request, "storefront/home.html")
