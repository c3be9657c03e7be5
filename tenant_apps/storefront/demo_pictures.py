"""Pictures for the demo marketplaces, drawn with Pillow (the demo downloads nothing):
mountain and chalet scenes for Alpine Lodges, sea and cabin scenes for Coastal Cabins, rooms
for both, and each marketplace's logo. Deterministic per seed, so reruns look the same."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1067


def _gradient(draw: ImageDraw.ImageDraw, box, top, bottom) -> None:
    x0, y0, x1, y1 = box
    for y in range(y0, y1):
        t = (y - y0) / max(1, y1 - y0 - 1)
        draw.line(
            [(x0, y), (x1, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )


def _shade(color, factor: float):
    return tuple(max(0, min(255, int(c * factor))) for c in color)


def _house(draw, x: int, ground: int, w: int, wall, roof, rng: random.Random) -> None:
    h = int(w * 0.55)
    draw.rectangle([x, ground - h, x + w, ground], fill=wall)
    draw.polygon(
        [
            (x - w * 0.12, ground - h),
            (x + w / 2, ground - h - w * 0.45),
            (x + w * 1.12, ground - h),
        ],
        fill=roof,
    )
    for i in range(3):
        wx = x + w * (0.15 + i * 0.28)
        draw.rectangle(
            [wx, ground - h * 0.7, wx + w * 0.14, ground - h * 0.4],
            fill=(255, 214, 120) if rng.random() > 0.3 else (70, 90, 110),
        )
    draw.rectangle([x + w * 0.44, ground - h * 0.45, x + w * 0.58, ground], fill=_shade(wall, 0.55))


def _mountains(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    dusk = rng.random() < 0.3
    _gradient(
        draw,
        (0, 0, WIDTH, HEIGHT),
        (40, 60, 120) if dusk else (110, 165, 230),
        (250, 170, 120) if dusk else (215, 235, 250),
    )
    for layer, (base, tint) in enumerate([(0.55, 0.75), (0.68, 0.6), (0.8, 0.45)]):
        y_base = int(HEIGHT * base)
        points = [(0, HEIGHT)]
        x = -100
        while x < WIDTH + 200:
            peak = y_base - rng.randint(150, 420) // (layer + 1) * 2
            points += [(x, y_base), (x + rng.randint(120, 260), peak)]
            x += rng.randint(220, 420)
        points += [(WIDTH, y_base), (WIDTH, HEIGHT)]
        rock = _shade((110, 120, 140), tint + 0.3)
        draw.polygon(points, fill=rock)
        if layer == 0:  # snow caps on the far range
            for i in range(2, len(points) - 2, 2):
                px, py = points[i]
                draw.polygon(
                    [(px, py), (px - 60, py + 90), (px + 60, py + 90)], fill=(245, 248, 252)
                )
    meadow = (70, 130, 70) if not dusk else (50, 90, 60)
    _gradient(draw, (0, int(HEIGHT * 0.78), WIDTH, HEIGHT), meadow, _shade(meadow, 0.6))
    for _ in range(40):  # pines
        tx, ty = rng.randint(0, WIDTH), rng.randint(int(HEIGHT * 0.76), HEIGHT)
        size = rng.randint(30, 80)
        draw.polygon(
            [(tx, ty - size * 2), (tx - size / 2, ty), (tx + size / 2, ty)],
            fill=_shade((30, 80, 45), rng.uniform(0.7, 1.1)),
        )
    _house(
        draw,
        rng.randint(300, 1000),
        int(HEIGHT * 0.9),
        rng.randint(260, 380),
        (150, 95, 55),
        (90, 50, 35),
        rng,
    )
    return image.filter(ImageFilter.SMOOTH)


def _coast(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    sunset = rng.random() < 0.35
    horizon = int(HEIGHT * rng.uniform(0.45, 0.55))
    _gradient(
        draw,
        (0, 0, WIDTH, horizon),
        (255, 140, 90) if sunset else (90, 170, 235),
        (255, 215, 150) if sunset else (200, 230, 250),
    )
    sun_x = rng.randint(200, WIDTH - 200)
    draw.ellipse([sun_x - 70, horizon - 160, sun_x + 70, horizon - 20], fill=(255, 236, 170))
    _gradient(draw, (0, horizon, WIDTH, HEIGHT), (30, 110, 160), (20, 160, 180))
    for y in range(horizon + 20, int(HEIGHT * 0.8), 28):  # swell
        for x in range(0, WIDTH, 120):
            offset = rng.randint(-30, 30)
            draw.arc(
                [x + offset, y, x + offset + 100, y + 18], 200, 340, fill=(210, 240, 245), width=3
            )
    beach_top = int(HEIGHT * rng.uniform(0.72, 0.8))
    points = [(0, HEIGHT), (0, beach_top)]
    for x in range(0, WIDTH + 1, 80):
        points.append((x, beach_top + int(25 * math.sin(x / 180 + seed))))
    points.append((WIDTH, HEIGHT))
    draw.polygon(points, fill=(236, 214, 170))
    if rng.random() < 0.6:  # a cliff on one side
        side = rng.choice([0, 1])
        cx = 0 if side == 0 else WIDTH
        draw.polygon(
            [
                (cx, horizon - 220),
                (abs(cx - 420), horizon + 40),
                (abs(cx - 300), HEIGHT),
                (cx, HEIGHT),
            ],
            fill=(120, 100, 80),
        )
        draw.polygon(
            [(cx, horizon - 240), (abs(cx - 380), horizon - 30), (cx, horizon - 60)],
            fill=(70, 120, 70),
        )
    _house(
        draw,
        rng.randint(250, 1100),
        beach_top + 10,
        rng.randint(240, 340),
        (235, 235, 228),
        (60, 90, 130),
        rng,
    )
    return image.filter(ImageFilter.SMOOTH)


def _room(seed: int, palette: str) -> Image.Image:
    rng = random.Random(seed)
    warm = palette == "alpine"
    wall = (214, 190, 160) if warm else (226, 236, 240)
    floor = (130, 85, 50) if warm else (200, 180, 150)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, WIDTH, int(HEIGHT * 0.68)), wall, _shade(wall, 0.85))
    _gradient(draw, (0, int(HEIGHT * 0.68), WIDTH, HEIGHT), floor, _shade(floor, 0.7))
    if warm:  # wooden beams
        for x in range(0, WIDTH, 260):
            draw.rectangle([x, 0, x + 40, int(HEIGHT * 0.68)], fill=_shade(floor, 1.1))
    wx = rng.randint(150, 900)
    draw.rectangle([wx, 160, wx + 520, 560], fill=(250, 250, 250))
    draw.rectangle(
        [wx + 20, 180, wx + 500, 540], fill=(150, 200, 240) if not warm else (200, 225, 245)
    )
    if warm:
        draw.polygon([(wx + 20, 540), (wx + 200, 300), (wx + 380, 540)], fill=(240, 244, 250))
    else:
        draw.rectangle([wx + 20, 400, wx + 500, 540], fill=(40, 130, 170))
    draw.line([(wx + 260, 180), (wx + 260, 540)], fill=(250, 250, 250), width=10)
    # A bed or a sofa, and a lamp
    bx = rng.randint(80, 420) if warm else rng.randint(100, 700)
    cover = (180, 60, 60) if warm else (70, 110, 160)
    draw.rounded_rectangle([bx, 620, bx + 760, 860], radius=30, fill=(245, 245, 240))
    draw.rounded_rectangle([bx, 700, bx + 760, 880], radius=30, fill=cover)
    draw.rounded_rectangle([bx + 40, 600, bx + 260, 690], radius=25, fill=(255, 255, 255))
    draw.rounded_rectangle([bx + 300, 600, bx + 520, 690], radius=25, fill=(255, 255, 255))
    lx = min(WIDTH - 120, bx + 860)
    draw.rectangle([lx, 600, lx + 12, 880], fill=(60, 60, 60))
    draw.polygon(
        [(lx - 50, 600), (lx + 62, 600), (lx + 36, 520), (lx - 24, 520)], fill=(250, 220, 150)
    )
    if warm:  # a fireplace glow
        fx = WIDTH - 360
        draw.rectangle([fx, 420, fx + 260, 880], fill=(120, 110, 100))
        draw.rectangle([fx + 50, 640, fx + 210, 860], fill=(40, 30, 25))
        draw.ellipse([fx + 80, 730, fx + 180, 850], fill=(255, 150, 60))
    return image.filter(ImageFilter.SMOOTH)


def listing_picture(palette: str, seed: int, kind: int) -> bytes:
    """JPEG bytes: kind 0 is the outside view, 1 a room, 2 another view."""
    if kind == 1:
        image = _room(seed, palette)
    else:
        image = _mountains(seed * 7 + kind) if palette == "alpine" else _coast(seed * 7 + kind)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def logo(palette: str, background: str) -> bytes:
    """A 256 px PNG: a peak for the mountains, a sun over a wave for the coast."""
    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=56, fill=background)
    white = (255, 255, 255, 255)
    if palette == "alpine":
        draw.polygon([(30, 200), (110, 70), (150, 130), (175, 100), (228, 200)], fill=white)
        draw.polygon(
            [(110, 70), (88, 106), (104, 100), (118, 112), (132, 102)], fill=(200, 220, 240, 255)
        )
    else:
        draw.ellipse([78, 48, 178, 148], fill=(255, 214, 102, 255))
        for offset in (150, 188):
            draw.arc([20, offset - 40, 128, offset + 20], 200, 340, fill=white, width=14)
            draw.arc([128, offset - 40, 236, offset + 20], 200, 340, fill=white, width=14)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
