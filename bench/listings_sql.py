"""Many published listings in one statement (INSERT … SELECT generate_series), for the
benchmarks and the index tests: 100,000 rows in a few seconds, where the ORM's bulk_create
takes a minute. Ten cities in five countries, coordinates scattered around each city,
prices 40–900, a quarter of the listings not rated yet, created over the last two years."""

from __future__ import annotations

# (city, country, latitude, longitude): every bench seeds these (bench/search.py too).
CITIES = [
    ("Paris", "FR", 48.8566, 2.3522), ("Lyon", "FR", 45.7640, 4.8357),
    ("Zurich", "CH", 47.3769, 8.5417), ("Geneva", "CH", 46.2044, 6.1432),
    ("Berlin", "DE", 52.5200, 13.4050), ("Munich", "DE", 48.1351, 11.5820),
    ("Rome", "IT", 41.9028, 12.4964), ("Milan", "IT", 45.4642, 9.1900),
    ("Madrid", "ES", 40.4168, -3.7038), ("Lisbon", "PT", 38.7223, -9.1393),
]  # fmt: skip

INSERT = """
WITH cities(n, city, country, lat, lng) AS (VALUES {cities})
INSERT INTO listings_property (
    id, host_id, title, description, property_type, street, city, region, postal_code,
    country, latitude, longitude, nightly_price, cleaning_fee, max_guests, bedrooms, beds,
    bathrooms, instant_book, min_nights, max_nights, check_in_time, check_out_time,
    house_rules, cancellation_policy, status, rating_average, rating_count, created, updated
)
SELECT
    gen_random_uuid(), %(host)s, 'Stay in ' || c.city, '', 'apartment', '1 Main St', c.city,
    '', '', c.country,
    round((c.lat + (random() - 0.5) * 0.6)::numeric, 6),
    round((c.lng + (random() - 0.5) * 0.6)::numeric, 6),
    40 + floor(random() * 861), 0, 1 + floor(random() * 10), floor(random() * 6), 1, 1,
    random() < 0.4, 1, 365, '15:00', '11:00', '', 'moderate', 'published',
    CASE WHEN random() < 0.25 THEN NULL ELSE round((3 + random() * 2)::numeric, 2) END,
    floor(random() * 40), now() - random() * interval '730 days', now()
FROM generate_series(1, %(count)s) AS i
JOIN cities c ON c.n = i %% {city_count}
"""


def insert_listings(cursor, *, host_id, count: int) -> None:
    """Inserts `count` published listings of `host_id` into the current schema's table
    (the caller's search path), then refreshes the planner's statistics."""
    values = ", ".join(
        f"({n}, '{city}', '{country}', {lat}, {lng})"
        for n, (city, country, lat, lng) in enumerate(CITIES)
    )
    sql = INSERT.format(cities=values, city_count=len(CITIES))
    cursor.execute(sql, {"host": host_id, "count": count})
    cursor.execute("ANALYZE listings_property")
