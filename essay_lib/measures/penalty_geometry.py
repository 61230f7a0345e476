"""L1 and L2 penalties in two dimensions and on linear models: chapter 01's exact pictures.

Not networks, so not on the nets floor: closed forms and small solvers that show what
the penalties of :mod:`essay_lib.nets.regularization` do where everything can be drawn
or solved exactly.

* :func:`quadratic_loss`, :func:`ball_boundary`, :func:`constrained_minimum`: a quadratic
  bowl in the plane, the L1 diamond / L2 circle of a given radius, and the exact minimum
  of the bowl inside it (the constraint picture);
* :func:`linear_penalty_path`: lasso and ridge weights of a linear model along a range of
  penalty coefficients, with the penalty convention of the networks (``coefficient *
  sum |w|`` or ``coefficient * sum w**2`` added to the mean squared error).

numpy, scipy and scikit-learn only (no torch).
"""

from __future__ import annotations

import numpy as np

from essay_lib.util.checks import check_choice, check_int, check_number

__all__ = ["NORMS", "ball_boundary", "constrained_minimum", "linear_penalty_path",
           "quadratic_loss"]

# ----------------------------------------------------------------------------- the 2-D picture
#: the norms of the two penalties
NORMS = ("l1", "l2")


def _check_norm(norm) -> str:
    return check_choice("norm", norm, NORMS)


def _check_radius(radius) -> float:
    return check_number("radius", radius, minimum=0.0, low_closed=False)


def _check_bowl(hessian, center) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(hessian, dtype=np.float64)
    c = np.asarray(center, dtype=np.float64)
    if A.shape != (2, 2) or c.shape != (2,):
        raise ValueError(f"hessian must be (2, 2) and center (2,), got {A.shape} and {c.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(c))):
        raise ValueError("hessian and center must be finite")
    if not np.allclose(A, A.T) or np.linalg.eigvalsh(A).min() <= 0:
        raise ValueError("hessian must be symmetric positive definite")
    return A, c


def quadratic_loss(w, hessian, center) -> np.ndarray:
    """``(w - center)^T hessian (w - center)`` for points ``w`` of shape (..., 2); returns (...)."""
    A, c = _check_bowl(hessian, center)
    w = np.asarray(w, dtype=np.float64)
    if w.shape[-1:] != (2,):
        raise ValueError(f"w must have shape (..., 2), got {w.shape}")
    d = w - c
    return np.einsum("...i,ij,...j->...", d, A, d)


def ball_boundary(radius: float, norm: str, n_points: int = 401) -> np.ndarray:
    """Points (n_points, 2) on ``||w||_1 = radius`` (diamond) or ``||w||_2 = radius`` (circle)."""
    radius, norm = _check_radius(radius), _check_norm(norm)
    check_int("n_points", n_points, minimum=5)
    theta = np.linspace(0.0, 2 * np.pi, n_points)
    u = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    scale = np.abs(u).sum(axis=1) if norm == "l1" else np.linalg.norm(u, axis=1)
    return radius * u / scale[:, None]


def constrained_minimum(hessian, center, radius: float, norm: str) -> np.ndarray:
    """Exact minimiser (2,) of ``quadratic_loss(w, hessian, center)`` with ``||w|| <= radius``.

    ``norm="l2"``: ``w = (A + mu I)^{-1} A c`` with ``mu >= 0`` found by root
    finding so that ``||w||_2 = radius``.  ``norm="l1"``: the best point over the
    diamond's four vertices and four edges (each a 1-D quadratic, solved exactly).
    A centre inside the ball is its own answer.
    """
    A, c = _check_bowl(hessian, center)
    radius, norm = _check_radius(radius), _check_norm(norm)
    if (np.abs(c).sum() if norm == "l1" else np.linalg.norm(c)) <= radius:
        return c.copy()
    if norm == "l2":
        from scipy.optimize import brentq

        def excess(mu):
            return np.linalg.norm(np.linalg.solve(A + mu * np.eye(2), A @ c)) - radius

        high = 1.0
        while excess(high) > 0:
            high *= 2.0
        mu = brentq(excess, 0.0, high, xtol=1e-14, rtol=1e-14)
        return np.linalg.solve(A + mu * np.eye(2), A @ c)
    vertices = radius * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    candidates = [v for v in vertices]
    for start, end in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
        direction = end - start
        s = -((start - c) @ A @ direction) / (direction @ A @ direction)
        candidates.append(start + np.clip(s, 0.0, 1.0) * direction)
    candidates = np.array(candidates)
    return candidates[np.argmin(quadratic_loss(candidates, A, c))]


# ----------------------------------------------------------------------------- linear models
def linear_penalty_path(X, y, coefficients, penalty: str) -> np.ndarray:
    """Penalised least-squares weights (no intercept) for each coefficient: (len(coefficients), d).

    Minimises ``mean_i (y_i - x_i w)^2 + coefficient * sum_j |w_j|`` (``"l1"``, the
    lasso; scikit-learn's coordinate descent with ``alpha = coefficient / 2``) or
    ``... + coefficient * sum_j w_j^2`` (``"l2"``, ridge; closed form
    ``(X^T X / n + coefficient I)^{-1} X^T y / n``), the same convention as
    :func:`~essay_lib.nets.regularization.l1_penalty` /
    :func:`~essay_lib.nets.regularization.l2_penalty` on a mean data loss.  Centre ``X`` and
    ``y`` first.  ``X``: (n, d); ``y``: (n,) or (n, 1); coefficients > 0.
    """
    penalty = _check_norm(penalty)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X must have shape (n, d) with n, d >= 1, got {X.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) or ({len(X)}, 1), got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    lams = np.asarray(coefficients, dtype=np.float64)
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)) or np.any(lams <= 0):
        raise ValueError("coefficients must be a non-empty 1-D sequence of finite numbers > 0")
    n, d = X.shape
    if penalty == "l2":
        gram, xty = X.T @ X / n, X.T @ y / n
        return np.array([np.linalg.solve(gram + lam * np.eye(d), xty) for lam in lams])
    from sklearn.linear_model import Lasso

    model = Lasso(fit_intercept=False, warm_start=True, tol=1e-10, max_iter=100_000)
    path = []
    for lam in lams:
        model.set_params(alpha=lam / 2.0)
        path.append(model.fit(X, y).coef_.copy())
    return np.array(path)
