#!/usr/bin/python3
"""A synthetic 32x32 RGB image classification task: ten classes of shapes and
textures on noisy, coloured backgrounds. Deterministic and cheap (numpy only,
about 1 ms per image), so a test regenerates its data instead of committing it.

Classes: 0 disc, 1 square, 2 triangle, 3 ring, 4 square outline, 5 cross,
6 horizontal stripes, 7 vertical stripes, 8 checkerboard, 9 diagonal stripes.
Each image has a random background colour with a linear gradient, one object
(random colour with at least some contrast to the background, random size and
position; the stripes and checkerboard are textured rectangles of random
period), per-pixel Gaussian noise of random strength, and a few random
distractor dots. Pixel values are floats in [0, 1], layout CHW.

Sample i of a split is drawn from its own generator, seeded with
(SEED, split id, i): any sample is reproducible on its own, and the splits are
independent streams. The calibration split is the first samples of the
training split (calibration data comes from the training distribution, never
from the test set).
"""
import numpy as np

SEED = 20261125
SIZE = 32
CLASSES = ("disc", "square", "triangle", "ring", "square_outline", "cross",
           "horizontal_stripes", "vertical_stripes", "checkerboard", "diagonal_stripes")
SPLIT_IDS = {"train": 0, "test": 1}

_YY, _XX = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5


def _colour_pair(rng):
    """A background and a foreground colour that differ by at least 0.2 in
    some channel, so every object is visible, if faintly."""
    while True:
        bg, fg = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
        if np.abs(bg - fg).max() > 0.2:
            return bg.astype(np.float32), fg.astype(np.float32)


def _mask(label, rng):
    """The boolean 32x32 mask of one object of class `label`."""
    r = rng.uniform(4, 10)  # half-size of the object
    cy, cx = rng.uniform(r + 1, SIZE - r - 1, 2)
    dy, dx = _YY - cy, _XX - cx
    name = CLASSES[label]
    if name == "disc":
        return dy * dy + dx * dx <= r * r
    if name == "square":
        return (np.abs(dy) <= r * 0.85) & (np.abs(dx) <= r * 0.85)
    if name == "triangle":  # apex up, base at the bottom
        h = dy / r  # -1 at the apex, +1 at the base
        return (h >= -1) & (h <= 1) & (np.abs(dx) <= r * (h + 1) / 2)
    width = rng.uniform(1.2, 2.5)  # line width of the outlines and the cross
    if name == "ring":
        d = np.sqrt(dy * dy + dx * dx)
        return np.abs(d - (r - width / 2)) <= width / 2
    if name == "square_outline":
        m = np.maximum(np.abs(dy), np.abs(dx))
        return (m <= r * 0.85) & (m >= r * 0.85 - width)
    if name == "cross":
        return ((np.abs(dy) <= width / 2) & (np.abs(dx) <= r)) | \
               ((np.abs(dx) <= width / 2) & (np.abs(dy) <= r))
    # Textures fill a rectangle of at least 10x10 pixels.
    h, w = rng.uniform(10, 24, 2)
    y0, x0 = rng.uniform(0, SIZE - h), rng.uniform(0, SIZE - w)
    inside = (_YY >= y0) & (_YY <= y0 + h) & (_XX >= x0) & (_XX <= x0 + w)
    period = rng.uniform(3.0, 7.0)
    phase = rng.uniform(0, period)
    on = lambda t: ((t + phase) % period) < period / 2
    if name == "horizontal_stripes":
        return inside & on(_YY)
    if name == "vertical_stripes":
        return inside & on(_XX)
    if name == "checkerboard":
        return inside & (on(_YY) ^ on(_XX))
    if name == "diagonal_stripes":
        sign = rng.choice([-1.0, 1.0])
        return inside & on((_XX + sign * _YY) / np.sqrt(2))
    raise ValueError(label)


def sample(split, index):
    """(image float32[3][32][32], label) of sample `index` of `split`."""
    rng = np.random.default_rng([SEED, SPLIT_IDS[split], index])
    label = int(rng.integers(len(CLASSES)))
    bg, fg = _colour_pair(rng)
    gradient = rng.uniform(-0.25, 0.25, 2).astype(np.float32)
    shade = ((_YY / SIZE - 0.5) * gradient[0] + (_XX / SIZE - 0.5) * gradient[1])
    image = bg[:, None, None] + shade[None]
    mask = _mask(label, rng)
    image = np.where(mask[None], fg[:, None, None], image)
    for _ in range(rng.integers(0, 9)):  # distractor dots, 2x2 pixels
        y, x = rng.integers(0, SIZE - 1, 2)
        image[:, y:y + 2, x:x + 2] = rng.uniform(0, 1, (3, 1, 1))
    if rng.random() < 0.5:  # a distractor line segment, 1 pixel wide
        y0, x0, y1, x1 = rng.uniform(0, SIZE, 4)
        t = np.linspace(0, 1, 48)
        ys = np.clip((y0 + t * (y1 - y0)).astype(int), 0, SIZE - 1)
        xs = np.clip((x0 + t * (x1 - x0)).astype(int), 0, SIZE - 1)
        image[:, ys, xs] = rng.uniform(0, 1, (3, 1))
    image = image + rng.normal(0, rng.uniform(0.05, 0.3), image.shape)
    return np.clip(image, 0, 1).astype(np.float32), label


def split(name, count, start=0):
    """Images float32[count][3][32][32] and labels int64[count] of samples
    start..start+count-1 of split `name` ('train' or 'test')."""
    pairs = [sample(name, i) for i in range(start, start + count)]
    return (np.stack([p[0] for p in pairs]),
            np.array([p[1] for p in pairs], dtype=np.int64))
