"""For teachers and students: parameter injection (variant builds), the figure gallery and
its zip, folded code and collapsed solutions on the pages, run times, JupyterLab's
settings overrides, the licence.  Fast: no kernel, no browser."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from essay_lib.cli import build as build_command
from essay_lib.cli import figures as figures_command
from essay_lib.cli import lab
from essay_lib.site import build, gallery, render, variant_build

REPO = Path(__file__).resolve().parent.parent


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def code(source, *tags, outputs=()):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = list(outputs)
    return cell


def markdown(source, *tags):
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)} if tags else {})


PARAMS = 'SEED = 0  # the seed\nWIDTH, DEPTH = 64, 2\nFIRST_NETWORK_SEED = 0\nx = [1, 2]'


# ---------------------------------------------------------------- variant builds
def test_notebook_parameters_reads_the_parameters_cell_only():
    nb = notebook(markdown("# T"), code("import numpy"), code(PARAMS, "parameters"),
                  code("OTHER = 3"))
    assert variant_build.notebook_parameters(nb) == {
        "SEED": "0", "WIDTH": "64", "DEPTH": "2", "FIRST_NETWORK_SEED": "0", "x": "[1, 2]"}
    assert variant_build.notebook_parameters(notebook(code("SEED = 1"))) == {}


def test_inject_parameters_adds_one_tagged_cell_after_the_parameters_cell():
    nb = notebook(markdown("# T"), code(PARAMS, "parameters"), code("print(SEED)"))
    out = variant_build.inject_parameters(nb, {"SEED": 3, "WIDTH": (8, 8)})
    assert [c.source for c in nb.cells][1:] == [PARAMS, "print(SEED)"]  # input untouched
    injected = out.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert injected.source.splitlines()[1:] == ["SEED = 3", "WIDTH = (8, 8)"]
    assert out.cells[3].source == "print(SEED)" and len(out.cells) == 4
    namespace = {}
    for cell in out.cells[1:3]:  # the injected values win over the defaults
        exec(cell.source, namespace)  # noqa: S102 - our own cells
    assert namespace["SEED"] == 3 and namespace["WIDTH"] == (8, 8) and namespace["DEPTH"] == 2
    again = variant_build.inject_parameters(out, {"SEED": 4})  # replaces, never stacks
    assert sum("injected-parameters" in c.metadata.get("tags", []) for c in again.cells) == 1
    assert "SEED = 4" in again.cells[2].source
    assert variant_build.inject_parameters(out, {}).cells == nb.cells
    nbformat.validate(again)


def test_inject_parameters_bad_input():
    with pytest.raises(ValueError, match="no cell tagged 'parameters'"):
        variant_build.inject_parameters(notebook(code("SEED = 0")), {"SEED": 1})
    with pytest.raises(ValueError, match="not a parameter name"):
        variant_build.inject_parameters(notebook(code(PARAMS, "parameters")), {"1x": 1})
    with pytest.raises(TypeError, match="parameters must be a dict"):
        variant_build.inject_parameters(notebook(), [("SEED", 1)])


def test_chapter_parameters_keeps_what_the_chapter_defines():
    nb = notebook(code("SEED = 0\nN = 2", "parameters"))
    given = {"FIRST_NETWORK_SEED": 16, "SEED": 1}
    assert variant_build.chapter_parameters(nb, given) == {"SEED": 1}


def test_seed_parameters_move_the_network_seeds_out_of_the_way():
    assert variant_build.seed_parameters(0) == {"SEED": 0, "FIRST_NETWORK_SEED": 0}
    one, two = variant_build.seed_parameters(1), variant_build.seed_parameters(2)
    # chapter 05 trains 8 networks from FIRST_NETWORK_SEED and replicates on the next 8
    owned = [set(range(p["FIRST_NETWORK_SEED"], p["FIRST_NETWORK_SEED"] + 16))
             for p in (variant_build.seed_parameters(0), one, two)]
    assert not (owned[0] & owned[1]) and not (owned[1] & owned[2])
    with pytest.raises(ValueError, match="seed"):
        variant_build.seed_parameters(-1)


@pytest.mark.parametrize("text, expected", [
    ("SEED=3", ("SEED", 3)), ("HIDDEN = (8, 8)", ("HIDDEN", (8, 8))),
    ("TASK='moons'", ("TASK", "moons")), ("LR=1e-3", ("LR", 1e-3))])
def test_parse_param(text, expected):
    assert variant_build.parse_param(text) == expected


@pytest.mark.parametrize("text, match", [
    ("SEED", "NAME=VALUE"), ("=3", "not a parameter name"), ("_x=1", "not a parameter"),
    ("SEED=moons", "Python literal"), ("SEED=1+", "Python literal")])
def test_parse_param_bad_input(text, match):
    with pytest.raises(ValueError, match=match):
        variant_build.parse_param(text)


def test_every_chapter_has_seed_and_chapters_05_08_the_network_seed():
    import jupytext

    for path in build.notebook_paths(REPO / "notebooks"):
        names = variant_build.notebook_parameters(jupytext.read(path))
        assert "SEED" in names, f"{path.name}: its parameters cell has no SEED"
        if path.stem.startswith(("05_", "08_")):
            assert "FIRST_NETWORK_SEED" in names, path.name


def _args(*argv):
    parser = argparse.ArgumentParser()
    build_command.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_build_command_variant_options():
    assert build_command.variant_of(_args()) == ({}, None)
    parameters, command = build_command.variant_of(_args("--seed", "1", "--param", "N_SEEDS=3"))
    assert parameters == {"SEED": 1, "FIRST_NETWORK_SEED": 16, "N_SEEDS": 3}
    assert command == "python -m essay_lib build --seed 1 --param N_SEEDS=3"
    assert _args("--out", "x").output == Path("x")
    with pytest.raises(ValueError, match="NAME=VALUE"):
        build_command.variant_of(_args("--param", "oops"))


# ---------------------------------------------------------------- pages
def test_code_is_folded_and_solutions_are_collapsed_runs():
    nb = notebook(code("SEED = 0", "parameters"), code("SEED = 1", "injected-parameters"),
                  code("x = 1"), markdown("**Exercise 1.** Try."),
                  markdown("**Solution 1.** Thus.", "solution"), code("y = 2", "solution"),
                  markdown("**Exercise 2.**"), code("z = 3", "solution"))
    assert render.solution_runs(nb.cells) == [(4, 5, "Solution 1"), (7, 7, "Solution")]
    marked = render.mark_cells(nb)
    assert [c.metadata.get("essay_fold") for c in marked.cells] == [
        "open", "open", "closed", None, None, "open", None, "open"]
    assert "essay_fold" not in nb.cells[0].metadata  # a copy
    page = render.render_chapter(render.EssayHTMLExporter(), nb, title="T", notebooks_dir=REPO,
                                 nav={"prev": None, "next": None, "contents": "index.html"})
    assert page.count('<details class="essay-code"') == 5
    assert page.count('<details class="essay-code" open') == 4  # parameters + solutions
    assert page.count('<details class="essay-solution">') == 2
    assert "<summary>Solution 1</summary>" in page and "<summary>Solution</summary>" in page
    inside = _text_inside_solutions(page)
    assert "Thus." in inside and "Try." not in inside and "Exercise 2" not in inside
    assert "z" in inside and "<script" not in page


def test_consecutive_folded_code_cells_that_show_nothing_are_one_stub():
    shown = [nbformat.v4.new_output("stream", name="stdout", text="3\n")]
    nb = notebook(code("a = 1"), code("b = 2"), code("print(a + b)", outputs=shown),
                  markdown("Text."), code("c = 3"), code("d = 4"), code("SEED = 0", "parameters"),
                  code("e = 5"), code("f = 6", outputs=shown), code("g = 7", outputs=shown),
                  code("h = 8", "solution"), code("i = 9", "solution"))
    marked = render.mark_cells(nb)
    assert [c.source for c in marked.cells] == [
        "a = 1\n\nb = 2\n\nprint(a + b)", "Text.", "c = 3\n\nd = 4", "SEED = 0",
        "e = 5\n\nf = 6", "g = 7", "h = 8", "i = 9"]
    assert marked.cells[0].outputs == shown and marked.cells[0].metadata["essay_merged"] == 3
    assert "essay_merged" not in marked.cells[5].metadata
    assert len(nb.cells) == 12  # the notebook itself is untouched
    page = render.render_chapter(render.EssayHTMLExporter(), nb, title="T", notebooks_dir=REPO,
                                 nav={"prev": None, "next": None, "contents": "index.html"})
    assert page.count('<details class="essay-code"') == 7


def _text_inside_solutions(page: str) -> str:
    """The text of the page that lies inside <details class="essay-solution"> blocks."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.text = [], []

        def handle_starttag(self, tag, attrs):
            if tag == "details":
                self.stack.append("essay-solution" in (dict(attrs).get("class") or ""))

        def handle_endtag(self, tag):
            if tag == "details":
                self.stack.pop()

        def handle_data(self, data):
            if any(self.stack):
                self.text.append(data)

    parser = Parser()
    parser.feed(page)
    assert parser.stack == [], "unbalanced <details>"
    return " ".join(parser.text)


def test_format_seconds():
    assert [render.format_seconds(s) for s in (0.2, 8.4, 59.4, 125)] == [
        "1 s", "8 s", "59 s", "2 min 05 s"]


# ---------------------------------------------------------------- gallery
def _figures(folder: Path) -> Path:
    folder.mkdir()
    for name in ("00-a.png", "00-a.svg", "07-b.png", "07-b.svg", "07-verdict.md"):
        (folder / name).write_bytes(name.encode())
    (folder / "notes.txt").write_text("not a figure")
    return folder


def test_figures_are_listed_by_name_with_captions_from_the_cells_that_saved_them(tmp_path):
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBO"},
                                 metadata={"image/png": {"alt": "A line"}})
    nb = notebook(code('_ = plotting.save_figure(fig, "00-a")\nplt.show()', outputs=[png]))
    alts = gallery.figure_alts([nb])
    assert alts == {"00-a": "A line"}
    figures = gallery.list_figures(_figures(tmp_path / "figures"), alts)
    assert [(f.name, f.files, f.alt) for f in figures] == [
        ("00-a", ("00-a.png", "00-a.svg"), "A line"),
        ("07-b", ("07-b.png", "07-b.svg"), "Figure 07-b"),
        ("07-verdict", ("07-verdict.md",), "Figure 07-verdict")]
    groups = gallery.gallery_groups(figures, [{"number": "00", "title": "Intro",
                                               "href": "00_intro.html"}])
    assert [(g["number"], g["title"], g["href"], len(g["figures"])) for g in groups] == [
        ("00", "Intro", "00_intro.html", 1), ("07", "Chapter 07", None, 2)]
    assert gallery.headline_figure(figures, "07-b", []).name == "07-b"
    assert gallery.headline_figure(figures, "09-x", ["00-a"]).name == "00-a"
    assert gallery.headline_figure(figures, "07-verdict", []) is None  # no PNG
    page = render.render_gallery(title="T", groups=groups, zip_name="figures.zip",
                                 licence=gallery.LICENCE_TEXT)
    for figure in figures:
        for name in figure.files:
            assert f'href="figures/{name}"' in page
    assert 'alt="A line"' in page and "CC BY 4.0" in page and 'href="figures.zip"' in page


def test_an_appendix_letter_groups_its_figures_after_the_numbered_chapters(tmp_path):
    folder = _figures(tmp_path / "figures")
    for name in ("A-primer.png", "A-primer.svg", "a-lower.png", "AB-two.png"):
        (folder / name).write_bytes(name.encode())
    nb = notebook(code('_ = plotting.save_figure(fig, "A-primer")', outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": "iVBO"},
                               metadata={"image/png": {"alt": "A primer"}})]))
    figures = gallery.list_figures(folder, gallery.figure_alts([nb]))
    assert [(f.name, f.number, f.alt) for f in figures][-1] == ("A-primer", "A", "A primer")
    assert "a-lower" not in {f.name for f in figures} and "AB-two" not in {f.name for f in figures}
    groups = gallery.gallery_groups(figures, [{"number": "A", "title": "Appendix",
                                               "href": "A_appendix.html"}])
    assert [(g["number"], g["title"]) for g in groups] == [
        ("00", "Chapter 00"), ("07", "Chapter 07"), ("A", "Appendix")]


def test_the_zip_holds_every_figure_and_captions_and_is_byte_stable(tmp_path):
    folder = _figures(tmp_path / "figures")
    figures = gallery.list_figures(folder, {"00-a": "A line"})
    first = gallery.write_zip(figures, folder, tmp_path / "a.zip").read_bytes()
    second = gallery.write_zip(figures, folder, tmp_path / "b.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        captions = archive.read("figures/CAPTIONS.md").decode()
        assert archive.read("figures/07-b.svg") == b"07-b.svg"
    assert names == ["figures/CAPTIONS.md", "figures/00-a.png", "figures/00-a.svg",
                     "figures/07-b.png", "figures/07-b.svg", "figures/07-verdict.md"]
    assert "**00-a**: A line" in captions and "CC BY 4.0" in captions
    with pytest.raises(ValueError, match="nothing to zip"):
        gallery.write_zip([], folder, tmp_path / "c.zip")


def test_figures_command_zips(tmp_path, capsys):
    folder = _figures(tmp_path / "figures")
    parser = argparse.ArgumentParser()
    figures_command.add_arguments(parser)
    args = parser.parse_args(["--figures", str(folder), "--executed", str(tmp_path),
                              "--zip", str(tmp_path / "out" / "f.zip")])
    assert figures_command.run(args) == 0
    assert zipfile.is_zipfile(tmp_path / "out" / "f.zip")
    assert "3 figures" in capsys.readouterr().out
    empty = parser.parse_args(["--figures", str(tmp_path / "none"), "--executed", str(tmp_path)])
    assert figures_command.run(empty) == 1


# ---------------------------------------------------------------- JupyterLab settings
def test_lab_settings_are_merged_idempotently(tmp_path):
    settings = tmp_path / "settings"
    settings.mkdir()
    (settings / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "X"}}}))
    path = lab.write_lab_settings(settings)
    first = path.read_text()
    data = json.loads(first)
    assert data["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {
        "markdown": "X", "python": "Jupytext Notebook"}
    assert data["@jupyterlab/apputils-extension:notification"] == {
        "fetchNews": "false", "checkForUpdates": False}
    assert data["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert lab.write_lab_settings(settings).read_text() == first  # idempotent
    assert lab.write_lab_settings(tmp_path / "new").exists()  # creates the folder
    (settings / "overrides.json").write_text("[1]")
    with pytest.raises(ValueError, match="JSON object"):
        lab.write_lab_settings(settings)
    assert lab.lab_settings_dir("/p") == Path("/p/share/jupyter/lab/settings")


def test_lab_settings_match_the_installed_jupyterlab_and_jupytext():
    """The names and values exist in this JupyterLab's schemas and jupytext's lab extension."""
    import sys

    lab_dir = Path(sys.prefix) / "share" / "jupyter" / "lab"
    docmanager = json.loads((lab_dir / "schemas" / "@jupyterlab" / "docmanager-extension"
                             / "plugin.json").read_text())
    notification = json.loads((lab_dir / "schemas" / "@jupyterlab" / "apputils-extension"
                               / "notification.json").read_text())
    assert "defaultViewers" in docmanager["properties"]
    news = notification["properties"]["fetchNews"]
    assert {"const": "false", "title": "Never"} in news["oneOf"]
    assert notification["properties"]["checkForUpdates"]["type"] == "boolean"
    extension = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    assert any('"Jupytext Notebook"' in p.read_text(errors="ignore")
               for p in (extension / "static").glob("*.js")), "jupytext's factory name changed"


def test_make_runs_the_lab_settings_from_the_set_up(tmp_path):
    import subprocess

    for target in ("setup", "lab", "essay"):
        result = subprocess.run(["make", "-n", target, f"VENV={tmp_path}/venv"], cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert f"{tmp_path}/venv/bin/python -m essay_lib lab-settings" in result.stdout, target
    seeded = subprocess.run(["make", "-n", "essay", "SEED=1", f"VENV={tmp_path}/venv"],
                            cwd=REPO, capture_output=True, text=True, timeout=60).stdout
    assert "-m essay_lib build --seed 1 --output build/seed-1" in seeded


# ---------------------------------------------------------------- licence
def test_the_licence_file_names_both_licences():
    text = (REPO / "LICENSE").read_text()
    assert "MIT License" in text and "Permission is hereby granted" in text
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    assert "MIT" in gallery.LICENCE_TEXT and "CC BY 4.0" in gallery.LICENCE_TEXT
