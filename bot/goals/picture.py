"""The progress picture: a calendar strip per goal, one cell per day of the last four weeks,
coloured by the answer. Drawn with Pillow; pure and synchronous (call it off the event loop,
e.g. ``asyncio.to_thread``). The geometry is public so tests can read the cells back.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

CELL, GAP, MARGIN, WEEK_GAP = 22, 4, 12, 6
COLOURS: dict[str, tuple[int, int, int]] = {
    "done": (76, 159, 112),        # green
    "minimum": (140, 201, 160),    # light green: counts as showing up
    "not_today": (176, 190, 205),  # soft blue-grey
    "flare": (186, 160, 214),      # lavender: set apart, never a failure
    "no_answer": (232, 232, 232),  # pale grey
    "open": (250, 236, 180),       # today, not answered yet
    "none": (255, 255, 255),       # no ping that day (not a goal day, paused, before the goal)
}
BACKGROUND = (248, 248, 246)
OUTLINE = (214, 214, 214)


def cell_origin(row: int, column: int) -> tuple[int, int]:
    """Top-left pixel of a cell (column 0 = oldest day)."""
    x = MARGIN + column * (CELL + GAP) + (column // 7) * WEEK_GAP
    y = MARGIN + row * (CELL + GAP)
    return x, y


def cell_centre(row: int, column: int) -> tuple[int, int]:
    x, y = cell_origin(row, column)
    return x + CELL // 2, y + CELL // 2


def size(rows: int, columns: int) -> tuple[int, int]:
    x, y = cell_origin(max(rows, 1) - 1, columns - 1)
    return x + CELL + MARGIN, y + CELL + MARGIN


def render_png(grid: list[list[str]]) -> bytes:
    """``grid``: one list of states (keys of COLOURS) per goal, oldest day first."""
    rows = max(len(grid), 1)
    columns = max((len(r) for r in grid), default=28) or 28
    image = Image.new("RGB", size(rows, columns), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for r, states in enumerate(grid):
        for c, state in enumerate(states):
            x, y = cell_origin(r, c)
            draw.rounded_rectangle((x, y, x + CELL - 1, y + CELL - 1), radius=5, fill=COLOURS[state],
                                   outline=OUTLINE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
