"""The rapport's bar charts: size, colours, wrapping, determinism, fonts, no matplotlib."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageColor, ImageFont

from assembleur.documents import charts
from assembleur.documents.charts import BLUE, ORANGE, draw_bars

from .aides import REPO

BLUE_RGB, ORANGE_RGB = ImageColor.getrgb(BLUE), ImageColor.getrgb(ORANGE)

FINANCEMENT_2019 = [
    ("Etat - CGET", Decimal("35.3")),
    ("Etat - Droit commun*", Decimal("14.6")),
    ("Région", Decimal("4.7")),
    ("Département", Decimal("3.3")),
    ("CAF", Decimal("6.2")),
    ("EPCI - CABBALR", Decimal("6.1")),
    ("Communes", Decimal("24.4")),
    ("Autres (Bailleurs, opérateurs...)", Decimal("14.6")),
]


def _expected_size(count: int) -> tuple[int, int]:
    """7 in wide, 0.45 in a bar plus 0.8 in tall, at 200 dpi."""
    return 1400, 90 * count + 160


def _draw(
    tmp_path: Path, data: list[tuple[str, Decimal]], kind: str = "montant", name: str = "chart.png"
) -> Image.Image:
    path = draw_bars(data, kind, tmp_path / name)
    with Image.open(path) as image:
        return image.convert("RGB")


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The box around everything that is not white."""
    box = ImageChops.invert(image.convert("L")).getbbox()
    assert box is not None
    return box


def _box_of(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """The box around the pixels of exactly ``colour``."""
    same = ImageChops.difference(image, Image.new("RGB", image.size, colour)).point(lambda v: 255 if v == 0 else 0)
    red, green, blue = same.split()
    return ImageChops.multiply(ImageChops.multiply(red, green), blue).getbbox()


def _colours_down(image: Image.Image, x: int) -> list[tuple[int, int, int]]:
    """The bar colours met going down column ``x``, one entry per bar."""
    met: list[tuple[int, int, int]] = []
    previous = None
    for y in range(image.height):
        colour = image.getpixel((x, y))
        if colour in (BLUE_RGB, ORANGE_RGB) and colour != previous:
            met.append(colour)
        previous = colour
    return met


@pytest.fixture
def without_font_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine with none of the fonts looked for: Pillow's own font is used."""
    monkeypatch.setattr(charts, "_font_files", lambda: iter(()))
    charts._font.cache_clear()
    yield
    charts._font.cache_clear()


@pytest.mark.parametrize("count", [1, 5, 8, 20])
def test_the_png_is_7_inches_wide_and_0_45_inch_a_bar_plus_0_8_tall_at_200_dpi(tmp_path: Path, count: int) -> None:
    data = [(f"Financeur {i}", Decimal(i)) for i in range(count)]
    path = draw_bars(data, "montant", tmp_path / "chart.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == _expected_size(count)
        assert image.info["dpi"] == pytest.approx((200, 200), abs=0.01)


def test_the_largest_bar_is_orange_and_the_others_blue_first_item_at_the_top(tmp_path: Path) -> None:
    image = _draw(tmp_path, FINANCEMENT_2019, "pourcentage")
    orange, blue = _box_of(image, ORANGE_RGB), _box_of(image, BLUE_RGB)
    assert orange is not None and blue is not None
    assert orange[1] < blue[1]
    assert _colours_down(image, orange[0] + 2) == [ORANGE_RGB] + [BLUE_RGB] * 7


def test_the_largest_bar_is_orange_wherever_it_is(tmp_path: Path) -> None:
    image = _draw(tmp_path, [("petit", Decimal(1)), ("grand", Decimal(3)), ("moyen", Decimal(2))])
    orange = _box_of(image, ORANGE_RGB)
    assert orange is not None
    assert _colours_down(image, orange[0] + 2) == [BLUE_RGB, ORANGE_RGB, BLUE_RGB]


def test_bars_are_as_long_as_their_values(tmp_path: Path) -> None:
    image = _draw(tmp_path, [("moitié", Decimal(50)), ("tout", Decimal(100))])
    half, whole = _box_of(image, BLUE_RGB), _box_of(image, ORANGE_RGB)
    assert half is not None and whole is not None
    assert half[0] == whole[0]  # both start at the axis
    assert 2 * (half[2] - half[0]) == pytest.approx(whole[2] - whole[0], abs=2)


def test_the_same_data_gives_the_same_bytes_without_a_date(tmp_path: Path) -> None:
    first = draw_bars(FINANCEMENT_2019, "pourcentage", tmp_path / "un.png").read_bytes()
    second = draw_bars(FINANCEMENT_2019, "pourcentage", tmp_path / "deux.png").read_bytes()
    assert first == second
    assert b"tIME" not in first and b"tEXt" not in first


def test_long_labels_are_wrapped_and_nothing_is_cut(tmp_path: Path) -> None:
    label = "Programme de réussite éducative : accompagnement des élèves, des parents et des écoles du quartier"
    image = _draw(tmp_path, [(label, Decimal("1234567890.50")), ("court", Decimal(1))])
    left, top, right, bottom = _ink_box(image)
    assert (left, top) > (10, 10) and (right, bottom) < (image.width - 10, image.height - 10)
    label_ink = _ink_box(image.crop((0, 0, left + 300, image.height // 2)))
    assert label_ink[3] - label_ink[1] > 3 * 25  # three lines of 9 pt (25 px) text, not one


def test_a_tall_label_on_a_single_bar_is_not_cut(tmp_path: Path) -> None:
    image = _draw(tmp_path, [("très long intitulé " * 10, Decimal(12))])
    left, top, right, bottom = _ink_box(image)
    assert left > 0 and top > 0 and right < image.width and bottom < image.height


def test_empty_data_draws_an_empty_chart_of_the_minimum_height(tmp_path: Path) -> None:
    image = _draw(tmp_path, [])
    assert image.size == _expected_size(0)


def test_values_of_zero_draw_no_bar_and_do_not_fail(tmp_path: Path) -> None:
    image = _draw(tmp_path, [("a", Decimal(0)), ("", Decimal(0))], "pourcentage")
    assert image.size == _expected_size(2)
    assert not {BLUE_RGB, ORANGE_RGB} & {colour for _, colour in image.getcolors(1 << 16)}


def test_french_characters_are_drawn_with_dejavu_sans() -> None:
    font = charts._font(charts.LABEL_SIZE)
    if "DejaVu" not in " ".join(font.getname() if isinstance(font, ImageFont.FreeTypeFont) else ()):
        pytest.skip("DejaVu Sans n'est pas installée")
    text = "Région œuvre à l'égalité : 1\u202f230\u202f586\u00a0€ — 35,3\u00a0%"
    assert charts._printable(text, font) == text


def test_characters_a_font_lacks_are_replaced_rather_than_drawn_as_boxes() -> None:
    font = ImageFont.load_default(size=25)
    shown = charts._printable("Région œuvre\u202f€", font)
    assert all(charts._has_glyph(font, character) for character in shown)
    assert shown.startswith("R") and "gion" in shown


def test_without_any_font_file_the_chart_is_still_drawn(tmp_path: Path, without_font_files: None) -> None:
    image = _draw(tmp_path, FINANCEMENT_2019, "pourcentage")
    assert image.size == _expected_size(len(FINANCEMENT_2019))
    assert ORANGE_RGB in {colour for _, colour in image.getcolors(1 << 16)}


def test_drawing_does_not_import_matplotlib(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from decimal import Decimal\n"
        "from pathlib import Path\n"
        "from assembleur.documents.charts import draw_bars\n"
        "draw_bars([('Région', Decimal('4.7'))], 'pourcentage', Path(sys.argv[1]))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "chart.png")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"
    assert (tmp_path / "chart.png").is_file()


labels = st.text(alphabet=st.one_of(st.sampled_from("éèàùçœÉÀ«» —’\u202f\u00a0"), st.characters()), max_size=120)
values = st.one_of(
    st.just(Decimal(0)),
    st.decimals(min_value=0, max_value=10**20, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**20).map(Decimal),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.lists(st.tuples(labels, values), max_size=12), kind=st.sampled_from(["montant", "pourcentage"]))
def test_any_labels_and_values_give_a_png_of_the_expected_size(
    tmp_path: Path, data: list[tuple[str, Decimal]], kind: str
) -> None:
    path = draw_bars(data, kind, tmp_path / "chart.png")
    with Image.open(path) as image:
        image.verify()
        assert image.format == "PNG"
        assert image.size == _expected_size(len(data))
