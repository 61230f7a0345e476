"""The site build on tiny notebooks in a temporary folder: failures name the notebook and
cell, the content-hash cache, the CHAPTERS table, MathML math and figure alt text.

The tests that build (and so start a Jupyter kernel) are marked ``kernel``: ``make test``
runs them, ``make check`` does not."""

from __future__ import annotations

import argparse
import html
import json
import re
from types import SimpleNamespace

import matplotlib
import pytest

from essay_lib.cli import build as build_command
from essay_lib.site import build, figure_alt, render

matplotlib.use("Agg")

HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""

TINY = HEADER + '''
# %% [markdown]
# # Tiny with $\\bar Z$ in the heading
#
# Additive: $$ f(x_1 + x_2) = f(x_1) + f(x_2) $$ and inline $Z$.

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from essay_lib.report import plotting

fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1])
ax.set_title("A straight line")
_ = plotting.save_figure(fig, "00-line")
plt.show()  # displayed in the cell that loads the inline backend: alt text all the same

# %%
display(Markdown(f"Computed: $Z = {0.5:.2f}$"))
'''

FAILING = HEADER + '''
# %%
x = 1

# %%
y = x / 0
'''

CHAPTERS = {"00_tiny": ("Tiny", "A tiny chapter."), "01_failing": ("Failing", "It fails.")}


@pytest.fixture
def tiny(tmp_path):
    """A folder with one tiny notebook, and the build's folders; ``run()`` builds it."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "00_tiny.py").write_text(TINY)
    log = []

    def run(**kw):
        log.clear()
        return build.build_site(notebooks_dir=notebooks, output_dir=tmp_path / "build",
                                figures_dir=tmp_path / "figures", chapters=CHAPTERS,
                                log=log.append, timeout=120,
                                extra_env={"ESSAY_CACHE_DIR": str(tmp_path / "cache")}, **kw)

    return SimpleNamespace(notebooks=notebooks, root=tmp_path, run=run, log=log,
                           figures=tmp_path / "figures", html=tmp_path / "build" / "html")


@pytest.mark.kernel
def test_build_caches_and_reexecutes_only_what_changed(tiny):
    first = tiny.run()
    assert first.status == {"00_tiny": "executed"}
    assert (tiny.figures / "00-line.png").exists() and (tiny.figures / "00-line.svg").exists()
    meta = json.loads((tiny.root / "build" / "executed" / "00_tiny.json").read_text())
    assert meta["figures"] == ["00-line.png", "00-line.svg"]
    assert any("open file://" in line and line.endswith("index.html") for line in tiny.log)

    page = (tiny.html / "00_tiny.html").read_text()
    assert "<script" not in page and "$$" not in page
    # heading, display, inline, and the one in the Markdown output; all plain <math> elements
    assert page.count("<math ") == 4 and ":math" not in page
    assert 'alt="A straight line"' in page and 'title="A straight line"' in page
    assert 'href="index.html"' in page and "http://" not in page.replace(
        "http://www.w3.org/1998/Math/MathML", "")
    index = (tiny.html / "index.html").read_text()
    assert 'href="00_tiny.html"' in index and "figures/00-line.png" in index
    assert (tiny.html / "figures" / "00-line.png").exists()

    assert tiny.run().status == {"00_tiny": "cached"}  # nothing changed
    (tiny.figures / "00-line.png").unlink()  # a figure it wrote is gone
    assert tiny.run().status == {"00_tiny": "executed"}
    assert any("missing figure 00-line.png" in line for line in tiny.log)
    assert tiny.run(force=True).status == {"00_tiny": "executed"}
    path = tiny.notebooks / "00_tiny.py"
    path.write_text(path.read_text() + "\n# %%\n1 + 1\n")
    assert tiny.run().status == {"00_tiny": "executed"}
    assert any("notebook changed" in line for line in tiny.log)


@pytest.mark.kernel
def test_a_failing_cell_fails_the_build_with_notebook_cell_and_error(tiny):
    (tiny.notebooks / "01_failing.py").write_text(FAILING)
    with pytest.raises(build.BuildError) as info:
        tiny.run(only=["01"])
    message = str(info.value)
    assert "01_failing.py failed" in message
    assert "y = x / 0" in message
    assert re.search(r"in cell \d+, line 13 of .*01_failing\.py", message)
    assert "ZeroDivisionError" in message


@pytest.mark.kernel
def test_the_cli_reports_a_failure_and_returns_1(tiny, capsys):
    (tiny.notebooks / "00_tiny.py").unlink()
    (tiny.notebooks / "00_introduction.py").write_text(FAILING)  # a name in build.CHAPTERS
    parser = argparse.ArgumentParser()
    build_command.add_arguments(parser)
    args = parser.parse_args(["--notebooks", str(tiny.notebooks),
                              "--output", str(tiny.root / "build"),
                              "--figures", str(tiny.figures), "--timeout", "60"])
    assert build_command.run(args) == 1
    err = capsys.readouterr().err
    assert "build failed: notebook 00_introduction.py failed" in err
    assert "ZeroDivisionError" in err


def test_every_notebook_needs_a_chapters_entry(tmp_path):
    (tmp_path / "00_tiny.py").write_text(TINY)
    (tmp_path / "07_unknown.py").write_text(TINY)
    with pytest.raises(build.BuildError, match="07_unknown.py has no entry in .*CHAPTERS"):
        build.find_chapters(tmp_path, CHAPTERS)


def test_find_chapters_rejects_bad_names_and_shared_numbers(tmp_path):
    assert [c.stem for c in build.find_chapters(tmp_path, CHAPTERS)] == []
    (tmp_path / "00_tiny.py").write_text(TINY)
    (tmp_path / "00_Other.py").write_text(TINY)
    with pytest.raises(build.BuildError, match="NN_lowercase_words"):
        build.find_chapters(tmp_path, CHAPTERS)
    (tmp_path / "00_Other.py").unlink()
    (tmp_path / "00_other.py").write_text(TINY)
    with pytest.raises(build.BuildError, match="share the number 00"):
        build.find_chapters(tmp_path, {**CHAPTERS, "00_other": ("x", "y")})
    with pytest.raises(build.BuildError, match="does not exist"):
        build.find_chapters(tmp_path / "nowhere", CHAPTERS)


def test_appendices_A_name_come_after_the_numbered_chapters(tmp_path):
    for name in ("B_more.py", "A_appendix.py", "10_late.py", "00_tiny.py", "a_lower.py",
                 "AB_two_letters.py"):
        (tmp_path / name).write_text(TINY)
    (tmp_path / "A_appendix.ipynb").write_text("{}")
    chapters = {**CHAPTERS, "10_late": ("Late", "Late."), "A_appendix": ("App", "App."),
                "B_more": ("More", "More.")}
    found = build.find_chapters(tmp_path, chapters)
    assert [(c.stem, c.number) for c in found] == [
        ("00_tiny", "00"), ("10_late", "10"), ("A_appendix", "A"), ("B_more", "B")]
    assert [p.name for p in build.notebook_paths(tmp_path, ".ipynb")] == ["A_appendix.ipynb"]
    (tmp_path / "A_Bad.py").write_text(TINY)
    with pytest.raises(build.BuildError, match="A_lowercase_words"):
        build.find_chapters(tmp_path, chapters)


def test_an_entry_without_a_notebook_is_left_out(tmp_path):
    (tmp_path / "00_introduction.py").write_text(TINY)
    assert "A_appendix" in build.CHAPTERS and "05_experiment" in build.CHAPTERS
    assert [c.stem for c in build.find_chapters(tmp_path)] == ["00_introduction"]


@pytest.mark.kernel
def test_the_cache_follows_the_modules_the_kernel_imported(tiny):
    tiny.run()
    meta_path = tiny.root / "build" / "executed" / "00_tiny.json"
    meta = json.loads(meta_path.read_text())
    code = meta["inputs"]["code"]
    assert {"__init__.py", "report/plotting/style.py", "site/__init__.py",
            "site/figure_alt.py"} <= set(code)
    assert "nets/training.py" not in code and "site/build.py" not in code  # never imported
    assert tiny.run().status == {"00_tiny": "cached"}
    code["report/plotting/style.py"] = "0" * 64  # as if style.py had been edited since
    meta["key"] = build.execution_key(meta["inputs"])
    meta_path.write_text(json.dumps(meta))
    assert tiny.run().status == {"00_tiny": "executed"}
    assert any("changed: essay_lib/report/plotting/style.py" in line for line in tiny.log)
    # the probe cell that asked the kernel is not part of the executed notebook
    executed = (tiny.root / "build" / "executed" / "00_tiny.ipynb").read_text()
    assert "_s.modules" not in executed


def test_bad_arguments(tiny):
    with pytest.raises(build.BuildError, match="--only 05: no such chapter"):
        tiny.run(only=["05"])
    with pytest.raises(ValueError, match="timeout must be a positive"):
        build.build_site(notebooks_dir=tiny.notebooks, output_dir=tiny.root / "b", timeout=0)


def test_the_real_chapters_table_covers_the_notebooks():
    chapters = build.find_chapters(build.REPO / "notebooks")
    for chapter in chapters:
        assert chapter.title and chapter.summary.endswith((".", "?"))
    assert all(re.match(r"^(\d\d|[A-Z])_[a-z0-9_]+$", stem) for stem in build.CHAPTERS)


def _h1(path) -> str:
    """The first markdown heading of level 1 in a notebook's source."""
    import jupytext

    for cell in jupytext.read(path).cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^# (.+)$", cell.source, re.M)
            if found:
                return found.group(1).strip()
    raise AssertionError(f"{path.name} has no H1")


def test_the_index_titles_are_the_chapters_h1s():
    chapters = build.find_chapters(build.REPO / "notebooks")
    index = render.render_index(
        title=build.TITLE, abstract="", headline=None, answer=None,
        chapters=[{"href": c.page, "number": c.number, "title": c.title, "summary": c.summary,
                   "built": True} for c in chapters])
    shown = [html.unescape(re.sub(r"<[^>]+>", "", link)) for link in
             re.findall(r'<li><a href="[^"]+">(.*?)</a>', index)]
    assert shown == [_h1(c.source) for c in chapters], (
        "an index title differs from its chapter's H1: edit build.CHAPTERS")


def test_the_road_map_in_00_lists_every_chapter_in_order():
    chapters = build.find_chapters(build.REPO / "notebooks")
    source = (build.REPO / "notebooks" / "00_introduction.py").read_text(encoding="utf-8")
    road_map = source.split("# ## Road map", 1)[1].split("\n# %%", 1)[0]
    entries = re.findall(r"^# \* \*\*(\w+) · ([^*]+?)\.\*\*", road_map, re.M)
    assert [n for n, _ in entries] == [c.number for c in chapters if c.number != "00"], (
        f"the road map in 00 lists {[n for n, _ in entries]}: add or renumber its entries")
    for (number, name), chapter in zip(entries, chapters[1:], strict=True):
        where = f"{_h1(chapter.source)} {chapter.stem.replace('_', ' ')}".lower()
        assert name.lower() in where, f"road map: {number} · {name} is not {chapter.stem}"


def test_tex_to_mathml():
    mathml = render.tex_to_mathml(r"\frac{a}{b}", display=True)
    assert mathml == ('<math display="block" alttext="\\frac{a}{b}"><mrow><mfrac><mrow><mi>a</mi>'
                      "</mrow><mrow><mi>b</mi></mrow></mfrac></mrow></math>")
    escaped = render.tex_to_mathml(r"a < b \text{ & <i>}", display=False)
    assert "<mo>&lt;</mo>" in escaped and "&amp;\xa0&lt;i&gt;</mtext>" in escaped
    assert 'display="inline"' in render.tex_to_mathml("Z", display=False)
    with pytest.raises(render.MathError, match=r"\\foo"):
        render.tex_to_mathml(r"\foo x", display=False)
    with pytest.raises(render.MathError, match="cannot convert"):
        render.tex_to_mathml("x^{", display=False)
    with pytest.raises(render.MathError, match="empty"):
        render.tex_to_mathml("  ", display=False)
    with pytest.raises(TypeError, match="tex must be a str"):
        render.tex_to_mathml(1.0, display=False)


@pytest.mark.kernel
def test_unsupported_tex_fails_the_render_naming_the_notebook(tiny):
    path = tiny.notebooks / "00_tiny.py"
    path.write_text(path.read_text().replace("inline $Z$", r"inline $\foo Z$"))
    with pytest.raises(build.BuildError, match=r"00_tiny.py: TeX command \\foo"):
        tiny.run()


def test_figure_alt_text():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    assert figure_alt.figure_alt_text(fig) == "Figure"
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("loss")
    assert figure_alt.figure_alt_text(fig) == "Figure: loss against x"
    axes[0].set_title("left")
    axes[1].set_title("right")
    assert figure_alt.figure_alt_text(fig) == "left; right"
    fig.suptitle("Both")
    assert figure_alt.figure_alt_text(fig) == "Both"
    fig.set_label("Two panels: loss falls")
    assert figure_alt.figure_alt_text(fig) == "Two panels: loss falls"
    plt.close(fig)


def test_install_adds_alt_metadata_to_figure_pngs():
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})
    figure_alt.install(shell)
    figure_alt.install(shell)  # idempotent
    fig, ax = plt.subplots()
    ax.set_title("Test $R^2$ by size, $\\bar{Z}$")
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"] and metadata["image/png"]["alt"] == "Test R^2 by size, bar Z"
    assert "image/png" not in shell.display_formatter.format([1, 2])[1]
    plt.close(fig)


PARAMETRIZED = HEADER + '''
# %% tags=["parameters"]
SEED = 0

# %%
from IPython.display import Markdown, display

display(Markdown(f"The seed of this run: {SEED}"))

# %% [markdown]
# **Exercise 1.** What is the seed?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** It is printed below.

# %% tags=["solution"] jupyter={"source_hidden": true}
print(f"seed {SEED}")
'''


@pytest.mark.kernel
def test_a_variant_build_injects_parameters_and_says_so(tiny):
    (tiny.notebooks / "00_tiny.py").write_text(PARAMETRIZED)
    essay = tiny.run()
    page = (tiny.html / "00_tiny.html").read_text()
    assert "The seed of this run: 0" in page and "A variant build" not in (
        tiny.html / "index.html").read_text()
    assert '<summary>Solution 1</summary>' in page and "<script" not in page
    variant_dir = tiny.root / "seed-1"
    with pytest.raises(build.BuildError, match="no chapter's 'parameters' cell defines it"):
        build.build_site(notebooks_dir=tiny.notebooks, output_dir=variant_dir,
                         chapters=CHAPTERS, parameters={"SEED": 1, "NOPE": 2}, log=tiny.log.append)
    report = build.build_site(notebooks_dir=tiny.notebooks, output_dir=variant_dir,
                              chapters=CHAPTERS, parameters={"SEED": 1, "FIRST_NETWORK_SEED": 16},
                              command="python -m essay_lib build --seed 1",
                              log=tiny.log.append, timeout=120)
    assert report.status == {"00_tiny": "executed"}
    assert report.parameters == {"00_tiny": {"SEED": 1}}  # the chapter has no network seed
    page = (variant_dir / "html" / "00_tiny.html").read_text()
    assert "The seed of this run: 1" in page and "seed 1" in page
    assert "celltag_injected-parameters" in page
    index = (variant_dir / "html" / "index.html").read_text()
    assert "A variant build" in index and "SEED = 1, FIRST_NETWORK_SEED = 16" in index
    assert "python -m essay_lib build --seed 1" in index
    # the essay's own build is untouched, and so is its cache entry
    assert "The seed of this run: 0" in (tiny.html / "00_tiny.html").read_text()
    assert essay.status == {"00_tiny": "executed"} and tiny.run().status == {"00_tiny": "cached"}
    # the variant's figures folder is its own
    assert (variant_dir / "figures").is_dir()


def test_a_variant_never_writes_the_essays_figures(tiny, monkeypatch):
    monkeypatch.setenv("ESSAY_FIGURES_DIR", str(tiny.figures))
    with pytest.raises(build.BuildError, match="must not write the essay's figures"):
        build.build_site(notebooks_dir=tiny.notebooks, output_dir=tiny.root / "v",
                         figures_dir=tiny.figures, chapters=CHAPTERS, parameters={"SEED": 1})


@pytest.mark.kernel
def test_index_run_times_gallery_and_licence_are_stable_across_cached_builds(tiny):
    tiny.run()
    meta = json.loads((tiny.root / "build" / "executed" / "00_tiny.json").read_text())
    index = (tiny.html / "index.html").read_text()
    shown = render.format_seconds(meta["seconds"])
    assert f"code runs in {shown}" in index and "CC BY 4.0" in index
    assert re.search(r"read in \d+ min", index) and 'href="references.html"' in index
    assert 'href="gallery.html"' in index
    gallery_page = (tiny.html / "gallery.html").read_text()
    assert 'href="figures/00-line.png"' in gallery_page
    assert 'href="figures/00-line.svg"' in gallery_page
    assert 'alt="A straight line"' in gallery_page and (tiny.html / "figures.zip").exists()
    chapter = (tiny.html / "00_tiny.html").read_text()
    assert "CC BY 4.0" in chapter and f"code runs in {shown}" in chapter
    for download in ("00_tiny.py", "00_tiny.ipynb"):  # linked from the page, next to it
        assert f'href="{download}"' in chapter and (tiny.html / download).is_file()
    assert (tiny.html / "references.html").is_file()
    files = {p.name: p.read_bytes() for p in tiny.html.iterdir() if p.is_file()}
    assert tiny.run().status == {"00_tiny": "cached"}
    again = {p.name: p.read_bytes() for p in tiny.html.iterdir() if p.is_file()}
    assert again == files  # the index shows the stored seconds: byte-stable


WAIT_POLICY = HEADER + '''
# %%
import os

from IPython.display import Markdown, display

display(Markdown(f"wait policy: {os.environ.get('OMP_WAIT_POLICY', 'unset')}"))
'''


@pytest.mark.kernel
@pytest.mark.parametrize("jobs, policy", [(1, "unset"), (2, "PASSIVE")])
def test_kernels_side_by_side_sleep_instead_of_spinning(tmp_path, monkeypatch, jobs, policy):
    """With more than one chapter at a time the kernels get OMP_WAIT_POLICY=PASSIVE
    (essay_lib.site.schedule: spinning OpenMP threads made side-by-side sweeps 8x slower);
    one at a time, the environment is left as it is."""
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "00_tiny.py").write_text(WAIT_POLICY)
    build.build_site(notebooks_dir=notebooks, output_dir=tmp_path / "build",
                     figures_dir=tmp_path / "figures", chapters=CHAPTERS, log=lambda m: None,
                     timeout=120, jobs=jobs)
    page = (tmp_path / "build" / "html" / "00_tiny.html").read_text(encoding="utf-8")
    assert f"wait policy: {policy}" in page


def test_build_command_refuses_fewer_than_one_job(capsys):
    parser = argparse.ArgumentParser()
    build_command.add_arguments(parser)
    assert build_command.run(parser.parse_args(["--jobs", "0"])) == 1
    assert "--jobs must be at least 1, got 0" in capsys.readouterr().err
