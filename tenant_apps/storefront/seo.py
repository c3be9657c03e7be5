"""Structured data for search engines, built from the API's listing body."""

from __future__ import annotations


def listing_jsonld(*, listing: dict, url: str, image_urls: list[str]) -> dict:
    """schema.org LodgingBusiness with its Accommodation, nightly offer and rating. The
    street and coordinates stay out, as on the page (shared once a booking is confirmed)."""
    address = listing["address"]
    data = {
        "@context": "https://schema.org",
        "@type": "LodgingBusiness",
        "name": listing["title"],
        "description": listing["description"],
        "url": url,
        "image": image_urls,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": address["city"],
            "addressRegion": address["region"],
            "addressCountry": address["country"],
        },
        "checkinTime": listing["check_in_time"],
        "checkoutTime": listing["check_out_time"],
        "containsPlace": {
            "@type": "Accommodation",
            "name": listing["title"],
            "numberOfRooms": listing["bedrooms"],
            "numberOfBedrooms": listing["bedrooms"],
            "occupancy": {"@type": "QuantitativeValue", "maxValue": listing["max_guests"]},
            "amenityFeature": [
                {"@type": "LocationFeatureSpecification", "name": code, "value": True}
                for code in listing["amenities"]
            ],
        },
        "makesOffer": {
            "@type": "Offer",
            "url": url,
            "price": listing["nightly_price"],
            "priceCurrency": listing["currency"],
            "priceSpecification": {
                "@type": "UnitPriceSpecification",
                "price": listing["nightly_price"],
                "priceCurrency": listing["currency"],
                "unitText": "night",
            },
            "availability": "https://schema.org/InStock",
        },
    }
    if listing["rating_count"]:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": listing["rating_average"],
            "reviewCount": listing["rating_count"],
            "bestRating": 5,
            "worstRating": 1,
        }
    return data
