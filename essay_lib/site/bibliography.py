"""The essay's bibliography: every work a chapter cites, in one place.

A chapter cites a work by its key, ``[@srivastava2014]`` (pandoc's syntax; several at once:
``[@wager2013; @wei2020]``), in a markdown cell or in the Markdown a cell displays.  The
site build (:mod:`essay_lib.site.citations`) turns each citation into a short "(Author
Year)" link to the work's entry on ``references.html``, lists the works a chapter cites at
the foot of its page, and writes ``references.html`` from :data:`BIBLIOGRAPHY`; a key that
is not here fails the build.  In JupyterLab a citation reads as its key.

Every entry links somewhere a reader can open: a DOI, an arXiv identifier or a public URL
(:attr:`Reference.href` picks the first).  Teague's paper, the one the essay retells, comes
first; the others follow by first author and year.  Identifiers were checked against the
publishers' and arXiv's pages; JMLR, PMLR, NeurIPS and the IMF publish without DOIs, so
those entries carry the publisher's page.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BIBLIOGRAPHY", "Reference", "by_key"]


@dataclass(frozen=True)
class Reference:
    """One work: ``authors`` as written ("N. Teague"), the last word of each is the surname."""

    key: str
    authors: tuple[str, ...]
    year: int
    title: str
    venue: str
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    #: what the essay takes from it, in a few words (shown on the references page)
    why: str = ""

    @property
    def surnames(self) -> list[str]:
        """The authors' surnames, in order."""
        return [name.split()[-1] for name in self.authors]

    @property
    def short(self) -> str:
        """The label of a citation: "Teague 2019", "Gal & Ghahramani 2016",
        "Srivastava et al. 2014"."""
        names = self.surnames
        who = (names[0] if len(names) == 1 else " & ".join(names) if len(names) == 2
               else f"{names[0]} et al.")
        return f"{who} {self.year}"

    @property
    def href(self) -> str | None:
        """Where the work can be read: its DOI, else its arXiv page, else its URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.url


def _ref(key, authors, year, title, venue, **kw) -> Reference:
    return Reference(key, tuple(authors), year, title, venue, **kw)


#: Teague first, then by first author's surname and year.
BIBLIOGRAPHY: tuple[Reference, ...] = (
    _ref("teague2019", ["N. Teague"], 2019,
         "Dropping Out for Fun and Profit — A Theory for Dropout",
         "From the Diaries of John Henry (Medium)",
         url="https://medium.com/from-the-diaries-of-john-henry/"
             "dropping-out-for-fun-and-profit-152a5539e616",
         why="the paper this essay retells, tests and extends"),
    _ref("baldi2013", ["P. Baldi", "P. J. Sadowski"], 2013, "Understanding Dropout",
         "Advances in Neural Information Processing Systems 26 (NIPS 2013), 2814–2822",
         url="https://proceedings.neurips.cc/paper/2013/hash/"
             "71f6278d140af599e06ad9bf1ba03cb0-Abstract.html",
         why="the weight-scaled network as a normalised geometric mean of the sub-networks"),
    _ref("efron1979", ["B. Efron"], 1979, "Bootstrap Methods: Another Look at the Jackknife",
         "The Annals of Statistics 7(1), 1–26", doi="10.1214/aos/1176344552",
         why="the bootstrap behind the percentile intervals of chapters 04 and 07"),
    _ref("gal2016", ["Y. Gal", "Z. Ghahramani"], 2016,
         "Dropout as a Bayesian Approximation: Representing Model Uncertainty in Deep "
         "Learning", "Proceedings of the 33rd International Conference on Machine Learning "
         "(ICML), PMLR 48, 1050–1059", arxiv="1506.02142",
         why="Monte Carlo averaging of sub-networks read as approximate Bayesian inference"),
    _ref("goodfellow2016", ["I. Goodfellow", "Y. Bengio", "A. Courville"], 2016,
         "Deep Learning", "MIT Press", url="https://www.deeplearningbook.org/",
         why="capacity and weight decay (chapter 5, Figs 5.2, 5.3, 5.5), regularization and "
             "dropout's bagging view (chapter 7): the sources of the paper's pictures"),
    _ref("greydanus2020", ["S. Greydanus"], 2020, "Scaling Down Deep Learning",
         "arXiv preprint", arxiv="2011.14439",
         why="the MNIST-1D benchmark and its local generator (chapter 07)"),
    _ref("hanin2019", ["B. Hanin", "D. Rolnick"], 2019,
         "Complexity of Linear Regions in Deep Networks",
         "Proceedings of the 36th International Conference on Machine Learning (ICML), "
         "PMLR 97", arxiv="1901.09021",
         why="counting the linear pieces of a ReLU network along a line"),
    _ref("helmbold2015", ["D. P. Helmbold", "P. M. Long"], 2015,
         "On the Inductive Bias of Dropout",
         "Journal of Machine Learning Research 16(105), 3403–3454",
         url="https://jmlr.org/papers/v16/helmbold15a.html",
         why="the finding that dropout's penalty is not a norm"),
    _ref("helmbold2017", ["D. P. Helmbold", "P. M. Long"], 2017,
         "Surprising Properties of Dropout in Deep Networks",
         "Proceedings of the 2017 Conference on Learning Theory (COLT), PMLR 65 (arXiv "
         "title: Fundamental Differences between Dropout and Weight Decay in Deep Networks)",
         arxiv="1602.04484",
         why="the finding that in deep networks dropout's penalty can grow exponentially "
             "with depth"),
    _ref("hinton2012", ["G. E. Hinton", "N. Srivastava", "A. Krizhevsky", "I. Sutskever",
                        "R. R. Salakhutdinov"], 2012,
         "Improving Neural Networks by Preventing Co-adaptation of Feature Detectors",
         "arXiv preprint", arxiv="1207.0580", why="dropout's first description"),
    _ref("hoerl1970", ["A. E. Hoerl", "R. W. Kennard"], 1970,
         "Ridge Regression: Biased Estimation for Nonorthogonal Problems",
         "Technometrics 12(1), 55–67", doi="10.1080/00401706.1970.10488634",
         why="ridge regression, the L2 penalty on a linear model (chapters 01 and 02)"),
    _ref("holm1979", ["S. Holm"], 1979,
         "A Simple Sequentially Rejective Multiple Test Procedure",
         "Scandinavian Journal of Statistics 6(2), 65–70",
         url="https://www.jstor.org/stable/4615733",
         why="the correction of every family of tests the verdict reads"),
    _ref("kingma2015", ["D. P. Kingma", "J. Ba"], 2015, "Adam: A Method for Stochastic "
         "Optimization", "International Conference on Learning Representations (ICLR)",
         arxiv="1412.6980", why="Adam, the optimizer that trains the essay's networks"),
    _ref("loshchilov2019", ["I. Loshchilov", "F. Hutter"], 2019,
         "Decoupled Weight Decay Regularization",
         "International Conference on Learning Representations (ICLR)", arxiv="1711.05101",
         why="AdamW, the decoupled weight decay of chapter 07"),
    _ref("novak2018", ["R. Novak", "Y. Bahri", "D. A. Abolafia", "J. Pennington",
                       "J. Sohl-Dickstein"], 2018,
         "Sensitivity and Generalization in Neural Networks: an Empirical Study",
         "International Conference on Learning Representations (ICLR)", arxiv="1802.08760",
         why="the input–output Jacobian norm as a measure of a trained network"),
    _ref("simonsohn2020", ["U. Simonsohn", "J. P. Simmons", "L. D. Nelson"], 2020,
         "Specification Curve Analysis", "Nature Human Behaviour 4(11), 1208–1214",
         doi="10.1038/s41562-020-0912-z",
         why="the specification curve of the appendix"),
    _ref("srivastava2014", ["N. Srivastava", "G. Hinton", "A. Krizhevsky", "I. Sutskever",
                            "R. Salakhutdinov"], 2014,
         "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
         "Journal of Machine Learning Research 15(56), 1929–1958",
         url="https://jmlr.org/papers/v15/srivastava14a.html",
         why="the method, the keep-probability convention, weight scaling against Monte "
             "Carlo averaging, activations, and input dropout as a ridge penalty"),
    _ref("taleb2012", ["N. N. Taleb", "E. Canetti", "T. Kinda", "E. Loukoianova",
                       "C. Schmieder"], 2012,
         "A New Heuristic Measure of Fragility and Tail Risks: Application to Stress Testing",
         "IMF Working Paper WP/12/216",
         url="https://www.imf.org/en/Publications/WP/Issues/2016/12/31/A-New-Heuristic-"
             "Measure-of-Fragility-and-Tail-Risks-Application-to-Stress-Testing-26222",
         why="the second-difference heuristic H the paper cites, the diagonal case of D"),
    _ref("tibshirani1996", ["R. Tibshirani"], 1996,
         "Regression Shrinkage and Selection via the Lasso",
         "Journal of the Royal Statistical Society, Series B 58(1), 267–288",
         doi="10.1111/j.2517-6161.1996.tb02080.x",
         why="the lasso, the L1 penalty on a linear model (chapter 01)"),
    _ref("wager2013", ["S. Wager", "S. Wang", "P. Liang"], 2013,
         "Dropout Training as Adaptive Regularization",
         "Advances in Neural Information Processing Systems 26 (NIPS 2013)",
         arxiv="1307.1493",
         why="the result that, to second order, dropout on a generalized linear model is a "
             "data-scaled L2 penalty"),
    _ref("wei2020", ["C. Wei", "S. Kakade", "T. Ma"], 2020,
         "The Implicit and Explicit Regularization Effects of Dropout",
         "Proceedings of the 37th International Conference on Machine Learning (ICML), "
         "PMLR 119", arxiv="2002.12915",
         why="dropout's explicit penalty on a curvature-weighted sensitivity to hidden units"),
    _ref("zhang2018", ["H. Zhang", "M. Cisse", "Y. N. Dauphin", "D. Lopez-Paz"], 2018,
         "mixup: Beyond Empirical Risk Minimization",
         "International Conference on Learning Representations (ICLR)", arxiv="1710.09412",
         why="mixup, the positive control of chapters 04 and 05"),
)


def by_key() -> dict[str, Reference]:
    """Every entry of :data:`BIBLIOGRAPHY` by its key."""
    return {ref.key: ref for ref in BIBLIOGRAPHY}
