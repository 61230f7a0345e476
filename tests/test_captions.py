"""Numbered figures with real captions (no kernel, no browser).

* every figure any notebook saves has a caption in :mod:`essay_lib.site.captions`, and
  every caption belongs to a figure some notebook saves;
* numbers are "Figure C.k", unique, consecutive from 1 within each chapter, in the order
  of the chapter's ``save_figure`` calls, and the figure's name starts with its chapter;
* a caption is a description a reader can use: sentences, not empty, not a list of task or
  panel names, no build-internal path, no typed figure number, nothing the proofreader
  flags;
* on a rendered page a cell that saves a figure shows it in a ``<figure>`` with a
  ``<figcaption>`` "Figure C.k. caption"; other images stay as they were;
* the gallery lists figures in reading order with the same text, and ``CAPTIONS.md`` too.
"""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS, REPO

from essay_lib.site import captions, gallery, numbering, proofread, render

TASK_NAMES = ("1-D quadratic", "two moons", "diabetes", "digits", "MNIST-1D", "quadratic",
              "moons")
LABEL = re.compile(r"^Figure (?:[0-9]|[1-9][0-9]|[A-Z])\.[1-9][0-9]*$")
# what a reader must not meet in a caption: files, folders, code, typed figure numbers
INTERNAL = re.compile(r"figures/|\.(?:png|svg|md|py|ipynb|npz)\b|essay_lib|notebooks/|"
                      r"save_figure|`|\bFigure \d|\bFig\. ?\d|\bREADME\b")


def _chapters() -> list[tuple[str, str]]:
    return [(path.stem.split("_", 1)[0], path.read_text(encoding="utf-8"))
            for path in NOTEBOOKS]


@pytest.fixture(scope="module")
def numbers() -> dict[str, numbering.FigureNumber]:
    assert NOTEBOOKS, "no notebooks found"
    return numbering.figure_numbers(_chapters())


def test_every_saved_figure_has_a_caption_and_every_caption_a_figure(numbers):
    saved = [name for _, source in _chapters() for name in numbering.saved_figures(source)]
    assert saved, "the notebooks save no figure"
    missing = [name for name in saved if not captions.caption_for(name)]
    assert not missing, f"figures saved without a caption in essay_lib/site/captions.py: {missing}"
    stale = sorted(set(captions.CAPTIONS) - set(saved))
    assert not stale, f"captions of figures no notebook saves: {stale}"
    assert len(saved) == len(set(saved)), "a figure name is saved twice"


def test_numbers_are_unique_and_consecutive_per_chapter_in_reading_order(numbers):
    labels = [n.label for n in numbers.values()]
    assert len(labels) == len(set(labels)) and all(LABEL.match(label) for label in labels)
    for chapter, source in _chapters():
        names = numbering.saved_figures(source)
        assert [numbers[n].index for n in names] == list(range(1, len(names) + 1))
        assert {numbers[n].chapter for n in names} <= {chapter}
        wrong = [n for n in names if n.split("-", 1)[0] != chapter]
        assert not wrong, f"chapter {chapter} saves figures named for another chapter: {wrong}"
    order = sorted(numbers.values(), key=lambda n: n.order)
    assert [n.position for n in order] == sorted(n.position for n in order)


def test_chapter_labels():
    assert [numbering.chapter_label(c) for c in ("00", "05", "08", "A")] == ["0", "5", "8", "A"]
    assert numbering.FigureNumber("05-x", "05", 5, 3).label == "Figure 5.3"
    assert numbering.FigureNumber("A-x", "A", 9, 1).label == "Figure A.1"
    for bad in ("5", "a", "AB", 5):
        with pytest.raises(ValueError, match="chapter"):
            numbering.chapter_label(bad)
    with pytest.raises(TypeError, match="name"):
        captions.caption_for(3)


def _is_name_list(text: str) -> bool:
    rest = text
    for name in TASK_NAMES:
        rest = rest.replace(name, "")
    return len(re.findall(r"[A-Za-z]{3,}", rest)) < 5


@pytest.mark.parametrize("name", sorted(captions.CAPTIONS))
def test_a_caption_is_a_description_a_reader_can_use(name):
    text = captions.CAPTIONS[name]
    assert text == text.strip() and text.endswith("."), f"{name}: not a finished sentence"
    words = re.findall(r"\w+", text)
    assert len(words) >= 25, f"{name}: {len(words)} words is too short to say how to read it"
    assert not _is_name_list(text), f"{name}: a list of names, not a caption"
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s]
    assert len(sentences) >= 2, f"{name}: say what is drawn and how to read it"
    assert not INTERNAL.search(text), f"{name}: {INTERNAL.search(text).group(0)!r}"
    assert not proofread.text_problems(text), proofread.text_problems(text)
    assert "  " not in text and "\n" not in text


def test_a_name_list_is_caught():
    assert _is_name_list("1-D quadratic; two moons; diabetes; digits")
    assert not _is_name_list(captions.CAPTIONS["04-dose-response"])


# ---------------------------------------------------------------- rendering
class _Figures(HTMLParser):
    """``<figure class="essay-figure">`` elements: their id, img alt and figcaption text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures, self.current, self.in_caption, self.loose_images = [], None, False, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "essay-figure" in (attrs.get("class") or ""):
            self.current = {"id": attrs.get("id"), "alt": None, "caption": ""}
        elif tag == "img":
            if self.current is not None:
                self.current["alt"] = attrs.get("alt")
            else:
                self.loose_images += 1
        elif tag == "figcaption" and self.current is not None:
            self.in_caption = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.in_caption = False
        elif tag == "figure" and self.current is not None:
            self.figures.append(self.current)
            self.current = None

    def handle_data(self, data):
        if self.in_caption:
            self.current["caption"] += data


def _png(alt):
    return nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                        "text/plain": "<Figure>"},
                                  metadata={"image/png": {"alt": alt}})


def _page(nb, chapter):
    return render.render_chapter(render.EssayHTMLExporter(), nb, title="Tiny",
                                 notebooks_dir=REPO / "notebooks", chapter=chapter,
                                 nav={"prev": None, "next": None, "contents": "index.html"})


def test_a_cell_that_saves_a_figure_shows_a_numbered_figure_with_its_caption():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny\n\nProse."),
        nbformat.v4.new_code_cell('plotting.save_figure(fig, "02-subnetworks")'),
        nbformat.v4.new_code_cell("plt.plot(x)"),  # a picture no notebook saves
        nbformat.v4.new_code_cell('_ = plotting.save_figure(fig, "02-mc-vs-weight-scaling")'),
        nbformat.v4.new_code_cell('_ = plotting.save_figure(fig, "02-not-captioned")'),
    ]
    nb.cells[1].outputs = [_png("Sub-networks")]
    nb.cells[2].outputs = [_png("A plain plot")]
    nb.cells[3].outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": "Some prose.", "text/plain": "<Markdown>"}), _png("MC against WS")]
    nb.cells[4].outputs = [_png("A described figure")]
    parser = _Figures()
    parser.feed(_page(nb, "02"))
    found = parser.figures
    assert [f["id"] for f in found] == ["fig-02-subnetworks", "fig-02-mc-vs-weight-scaling",
                                        "fig-02-not-captioned"]
    assert [f["alt"] for f in found] == ["Sub-networks", "MC against WS", "A described figure"]
    assert found[0]["caption"] == "Figure 2.1. " + captions.CAPTIONS["02-subnetworks"]
    assert found[1]["caption"] == "Figure 2.2. " + captions.CAPTIONS["02-mc-vs-weight-scaling"]
    assert found[2]["caption"] == "Figure 2.3. A described figure"  # no caption: its alt text
    assert parser.loose_images == 1  # the unsaved picture is left as it was
    assert len(nb.cells[1].outputs[0].metadata) == 1  # the executed notebook is not changed


def test_an_appendix_figure_is_numbered_by_its_letter_and_the_name_gives_the_chapter():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('_ = plotting.save_figure(fig, "A-specification-curve")')]
    nb.cells[0].outputs = [_png("Readings")]
    parser = _Figures()
    parser.feed(_page(nb, None))
    assert [f["caption"].split(". ", 1)[0] for f in parser.figures] == ["Figure A.1"]


def test_a_cell_saving_more_figures_than_it_shows_frames_the_last_ones():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        'save_figure(a, "05-training-curves")\nsave_figure(b, "05-z-vs-strength")')]
    nb.cells[0].outputs = [_png("Z against strength")]
    marked = numbering.mark_figures(nb, "05")
    assert marked.cells[0].outputs[0].metadata["essay_figure"]["label"] == "Figure 5.2"


# ---------------------------------------------------------------- gallery and zip
def _folder(tmp_path: Path, names) -> Path:
    folder = tmp_path / "figures"
    folder.mkdir()
    for name in names:
        for suffix in (".png", ".svg"):
            (folder / f"{name}{suffix}").write_bytes(name.encode())
    return folder


def test_the_gallery_and_the_zip_list_figures_in_reading_order_with_the_same_captions(
        tmp_path, numbers):
    saved = sorted(numbers, key=lambda n: numbers[n].order)
    names = [*reversed(saved), "00-stale-file"]
    folder = _folder(tmp_path, names)
    figures = gallery.list_figures(folder, {}, numbers)
    listed = [f.name for f in figures]
    assert [n for n in listed if n in numbers] == saved  # reading order, not name order
    assert listed.index("00-stale-file") < listed.index(saved[-1])  # with its chapter
    for figure in figures:
        if figure.name in numbers:
            assert figure.text == f"{numbers[figure.name].label}. {captions.CAPTIONS[figure.name]}"
    stale = next(f for f in figures if f.name == "00-stale-file")
    assert stale.label is None and stale.text == "Figure 00-stale-file"
    groups = gallery.gallery_groups(figures, [])
    assert [f.name for g in groups for f in g["figures"]] == listed
    page = render.render_gallery(title="T", groups=groups, zip_name="figures.zip")
    first = numbers[saved[0]]
    assert (f'<strong class="essay-figure-label">{first.label}.</strong> '
            f'{captions.CAPTIONS[saved[0]]}'.replace("'", "&#39;")) in page
    gallery.write_zip(figures, folder, tmp_path / "f.zip")
    with zipfile.ZipFile(tmp_path / "f.zip") as archive:
        text = archive.read("figures/CAPTIONS.md").decode()
    for figure in figures:
        assert f"**{figure.name}**: {figure.text}" in text


def test_the_screenshots_command_says_when_there_is_no_site(tmp_path, capsys):
    import argparse

    from essay_lib.cli import screenshots

    parser = argparse.ArgumentParser()
    screenshots.add_arguments(parser)
    args = parser.parse_args(["--site", str(tmp_path / "none"), "--output", str(tmp_path)])
    assert screenshots.run(args) == 1
    assert "no built site" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))
