"""Polynomial transformation functions: design matrices, (ridge) fits, degree sweeps.

The Deep Learning book (Goodfellow, Bengio & Courville, section 5.2) fits
polynomials of rising degree to a handful of noisy points of a quadratic:
degree 1 underfits, degree 2 generalises, degree 9 passes through every point
(Fig 5.2); test error against degree is U-shaped (Fig 5.3); weight decay moves
the degree-9 fit from overfit to the right shape to a constant (Fig 5.5).

Conventions
-----------
* ``x`` is one input per row: shape (n,) or (n, 1); ``y`` is (n,) or (n, 1).
* Coefficients are in *increasing* order, ``coef[k]`` multiplies ``x**k``
  (numpy.polynomial's convention); :func:`fit_polynomial` returns a
  :class:`numpy.polynomial.Polynomial`, which is callable: ``p(x)``.
* The fit minimises ``mean((p(x) - y)**2) + l2 * sum(coef[1:]**2)``: the
  intercept ``coef[0]`` is *not* penalised by default (so a very large ``l2``
  gives the constant ``mean(y)``, the book's flat line); pass
  ``penalize_intercept=True`` to penalise every coefficient (large ``l2`` then
  gives the constant 0).
* ``l2 = 0`` gives the least-squares solution of smallest Euclidean norm,
  i.e. ``pinv(V) @ y`` (the Moore-Penrose pseudo-inverse): when the degree is
  at least ``n - 1`` the polynomial interpolates the data and, among all the
  interpolants, has the smallest coefficient norm, as in the book's degree-9 fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.polynomial import Polynomial
from numpy.polynomial import polynomial as P

from essay_lib.measures.linearity import additivity_defect
from essay_lib.util.checks import (
    check_column,
    check_int,
    check_int_sequence,
    check_number,
    check_numbers,
    check_same_length,
)

__all__ = ["additivity_by_degree", "check_degree", "degree_sweep", "fit_polynomial",
           "mean_squared_error", "polynomial_design", "weight_decay_path", "without_intercept"]


def check_degree(degree, name: str = "degree") -> int:
    """Validate a polynomial degree: an integer >= 0."""
    return check_int(name, degree, minimum=0)


def _check_pair(x, y, x_name: str = "x", y_name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    x = check_column(x_name, x)
    y = check_column(y_name, y)
    check_same_length((x_name, x), (y_name, y))
    return x, y


def polynomial_design(x, degree: int) -> np.ndarray:
    """Vandermonde matrix of ``x``: shape (n, degree + 1), column k is ``x**k``.

    ``x``: (n,) or (n, 1) finite values; ``degree`` >= 0 (column 0 is all ones).
    """
    degree = check_degree(degree)
    return P.polyvander(check_column("x", x), degree)


def fit_polynomial(x, y, degree: int, *, l2: float = 0.0,
                   penalize_intercept: bool = False) -> Polynomial:
    """Least-squares polynomial of degree ``degree`` through (x, y), with optional weight decay.

    Minimises ``mean((p(x) - y)**2) + l2 * ||c||**2`` where ``c`` is ``coef[1:]``
    (or all of ``coef`` with ``penalize_intercept=True``).  ``l2 = 0`` returns the
    minimum-norm least-squares solution (the pseudo-inverse one), which
    interpolates the n points whenever ``degree >= n - 1`` (distinct x).
    Returns a :class:`numpy.polynomial.Polynomial` with ``degree + 1``
    coefficients in increasing order (trailing zeros kept).
    """
    x, y = _check_pair(x, y)
    degree = check_degree(degree)
    l2 = check_number("l2", l2, minimum=0.0)
    design = P.polyvander(x, degree)
    target = y
    if l2 > 0:
        # Ridge as an augmented least-squares problem: mean-squared error + l2 * ||c||^2
        # equals (1/n) * ||[V; sqrt(n l2) E] c - [y; 0]||^2 with E selecting the penalised terms.
        penalised = np.eye(degree + 1)
        if not penalize_intercept:
            penalised = penalised[1:]
        design = np.vstack([design, np.sqrt(len(x) * float(l2)) * penalised])
        target = np.concatenate([y, np.zeros(len(penalised))])
    # lstsq (SVD) returns the minimum-norm least-squares solution = pinv(design) @ target.
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    return Polynomial(coef)


def mean_squared_error(p, x, y) -> float:
    """Mean of ``(p(x) - y)**2``; ``p`` is any callable on (n,) arrays (e.g. a Polynomial)."""
    x, y = _check_pair(x, y)
    return float(np.mean((np.asarray(p(x), dtype=np.float64).reshape(-1) - y) ** 2))


def degree_sweep(x_train, y_train, x_test, y_test, degrees: Iterable[int], *,
                 l2: float = 0.0) -> dict[str, np.ndarray]:
    """Fit one polynomial per degree on the training split; report train and test MSE.

    Returns ``{"degree": (m,) int, "train_mse": (m,), "test_mse": (m,),
    "coef_norm": (m,)}`` in the order of ``degrees`` (``coef_norm`` is the
    Euclidean norm of all coefficients).  ``l2`` is passed to :func:`fit_polynomial`.
    """
    x_train, y_train = _check_pair(x_train, y_train, "x_train", "y_train")
    x_test, y_test = _check_pair(x_test, y_test, "x_test", "y_test")
    if isinstance(degrees, Iterable) and not isinstance(degrees, (str, bytes, Sequence)):
        degrees = list(degrees)  # a generator or another one-pass iterable
    degrees = list(check_int_sequence("degrees", degrees, minimum=0))
    train, test, norms = [], [], []
    for degree in degrees:
        p = fit_polynomial(x_train, y_train, degree, l2=l2)
        train.append(mean_squared_error(p, x_train, y_train))
        test.append(mean_squared_error(p, x_test, y_test))
        norms.append(float(np.linalg.norm(p.coef)))
    return {"degree": np.array(degrees, dtype=np.int64), "train_mse": np.array(train),
            "test_mse": np.array(test), "coef_norm": np.array(norms)}


def weight_decay_path(x_train, y_train, x_test, y_test, degree: int, l2_values, *,
                      penalize_intercept: bool = False) -> dict:
    """Fit one degree-``degree`` polynomial per weight-decay strength; report its errors.

    ``l2_values``: (m,) strengths >= 0 (the ``l2`` of :func:`fit_polynomial`, the
    coefficient of ``sum(coef[1:]**2)`` added to the training MSE).  Returns
    ``{"l2": (m,) float, "fits": [m Polynomials], "train_mse": (m,), "test_mse": (m,)}``
    in the order of ``l2_values``.
    """
    x_train, y_train = _check_pair(x_train, y_train, "x_train", "y_train")
    x_test, y_test = _check_pair(x_test, y_test, "x_test", "y_test")
    degree = check_degree(degree)
    l2 = check_numbers("l2_values", l2_values, minimum=0.0, ndim=(0, 1, 2)).reshape(-1)
    fits = [fit_polynomial(x_train, y_train, degree, l2=float(lam),
                           penalize_intercept=penalize_intercept) for lam in l2]
    return {"l2": l2, "fits": fits,
            "train_mse": np.array([mean_squared_error(p, x_train, y_train) for p in fits]),
            "test_mse": np.array([mean_squared_error(p, x_test, y_test) for p in fits])}


class _WithoutIntercept:
    """x -> p(x) - p(0), see :func:`without_intercept`."""

    def __init__(self, p):
        self.p = p

    def __call__(self, x):
        return self.p(x) - self.p(0.0)

    def __repr__(self) -> str:
        return f"without_intercept({self.p!r})"


def without_intercept(p):
    """The callable ``g(x) = p(x) - p(0)``: ``p`` shifted so that ``g(0) = 0``.

    ``p``: any callable on arrays (e.g. a Polynomial).  For a line ``c*x + b``, ``g`` is
    ``c*x`` up to rounding, which passes the literal additivity test.
    """
    if not callable(p):
        raise TypeError(f"p must be a callable (e.g. a numpy Polynomial), got {type(p).__name__}")
    return _WithoutIntercept(p)


def additivity_by_degree(polynomials, x1, x2) -> dict[str, np.ndarray]:
    """Mean literal additivity defect of each polynomial, with and without its intercept.

    ``polynomials``: a sequence of m callables (e.g. the fits of rising degree);
    ``x1``, ``x2``: (n, 1) pairs of inputs.  Returns ``{"literal": (m,), "centred": (m,)}``:
    the mean over pairs of ``|p(x1 + x2) - p(x1) - p(x2)|`` and the same for
    :func:`without_intercept` ``(p)`` (``essay_lib.measures.linearity.additivity_defect``).
    """
    polynomials = list(polynomials)
    if not polynomials or not all(callable(p) for p in polynomials):
        raise TypeError("polynomials must be a non-empty sequence of callables")
    literal = [np.abs(additivity_defect(p, x1, x2)).mean() for p in polynomials]
    centred = [np.abs(additivity_defect(without_intercept(p), x1, x2)).mean()
               for p in polynomials]
    return {"literal": np.array(literal), "centred": np.array(centred)}
