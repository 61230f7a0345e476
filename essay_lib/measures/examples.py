"""Functions whose linearity we know, as numpy callables (n, d) -> (n, k) or (n,).

Chapter 04 checks Z and Z̄ on them before measuring a single network: a line through
the origin, the same line lifted by an offset (affine), a random affine map, a quadratic
form, powers x^n, a smooth curved function, rescaled copies αf + c, and a polynomial fit
seen as a function of (n, 1) inputs.  Each factory validates its arguments and returns a
plain callable with a readable ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from essay_lib.util.checks import check_array, check_int, check_number


@dataclass(frozen=True)
class _Function:
    """A named numpy function; ``rule`` maps an (n, d) float64 array to the output."""

    name: str
    rule: object

    def __call__(self, X):
        return self.rule(np.asarray(X, dtype=np.float64))

    def __repr__(self) -> str:
        return self.name


def line(slope: float, offset: float = 0.0) -> _Function:
    """f(x) = slope·x + offset on (n, 1) inputs (affine; linear when offset = 0)."""
    slope, offset = check_number("slope", slope), check_number("offset", offset)
    return _Function(f"{slope:g}x + {offset:g}", lambda x: slope * x + offset)


def affine(W, b) -> _Function:
    """f(x) = x W + b: W (d, k), b (k,)."""
    W, b = check_array("W", W, ndim=2), check_array("b", b, ndim=1)
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have {W.shape[1]} entries (W's columns), got {b.shape[0]}")
    return _Function("affine map", lambda x: x @ W + b)


def quadratic_form(A) -> _Function:
    """f(x) = xᵀ A x for A (d, d); returns (n,).  Its second difference is aᵀ(A + Aᵀ)b."""
    A = check_array("A", A, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be square, got shape {A.shape}")
    return _Function("quadratic form", lambda x: np.einsum("ni,ij,nj->n", x, A, x))


def power(n: int) -> _Function:
    """f(x) = x**n elementwise (on (n, 1) inputs: the power of the input)."""
    n = check_int("n", n, minimum=0)
    return _Function(f"x^{n}", lambda x: x ** n)


def smooth_curve() -> _Function:
    """f(x) = sin(3x) + x³: smooth, curved, neither convex nor concave on [-1, 1]."""
    return _Function("sin 3x + x^3", lambda x: np.sin(3 * x) + x ** 3)


def rescaled(f, alpha: float, c: float) -> _Function:
    """x -> alpha·f(x) + c (Z is unchanged by it for alpha != 0)."""
    alpha, c = check_number("alpha", alpha), check_number("c", c)
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    return _Function(f"{alpha:g}·({f!r}) + {c:g}", lambda x: alpha * np.asarray(f(x)) + c)


def polynomial_function(p) -> _Function:
    """A numpy ``Polynomial`` (or any callable of a 1-D array) as a function of (n, 1)
    inputs, returning (n,)."""
    if not callable(p):
        raise TypeError(f"p must be callable (e.g. numpy.polynomial.Polynomial), "
                        f"got {type(p).__name__}")
    return _Function(f"polynomial of degree {getattr(p, 'degree', lambda: '?')()}",
                     lambda x: np.asarray(p(x[:, 0]), dtype=np.float64))
