"""How fast is the observatory's synthetic control, and does it agree with pysyncon?

One area against 300 donors over 15 periods (10 before the change, 5 after), on a realistic
simulated panel: every area a mixture of three latent trends (as areas share regional and
national drifts) plus its own noise, so the treated area lies outside the donors' convex hull:
its best fit is not exact and its weights are unique, and two solvers can be compared. Prints:

- our fit (`evaluation.fit_weights`, and the whole `synthetic_control` with its uniqueness
  check) — target 2 s;
- pysyncon 1.7's `Synth.fit` on the same problem (each pre-period value a predictor, V fixed
  at the predictors' variances so its inner problem is exactly ours) and the largest weight
  difference — target 0.001;
- the full in-space placebo run (all 301 areas treated in turn).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/observatory_synthetic_control.py

pysyncon's default nested search over V (Nelder-Mead, up to 1,000 inner fits each solved by
SLSQP with numerical gradients) is not run: with 300 donors it takes far longer than the
bench allows. Exits 1 if a target is missed. `bench/observatory.py` may call `run()`.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # pysyncon oversubscribes 2 cores otherwise

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opendeal.observatory import evaluation
from opendeal.observatory.evaluation import Phase

DONORS, PERIODS, BEFORE = 300, 15, 10
TARGET_SECONDS = 2.0
TARGET_DIFFERENCE = 0.001


def make_panel(seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time_axis = np.arange(PERIODS, dtype=float)
    factors = np.vstack([62 + 0.15 * time_axis, 58 + 0.35 * time_axis, 66 - 0.1 * time_axis])
    loadings = rng.dirichlet(np.full(3, 0.8), size=DONORS + 1)
    values = loadings @ factors + rng.normal(0, 0.4, (DONORS + 1, PERIODS))
    values[0, BEFORE:] += 1.5  # the effect to find
    values = np.round(values, 1)  # published to one decimal place, as Fingertips' figures
    index = ["treated", *(f"E{i:08d}" for i in range(DONORS))]
    return pd.DataFrame(values, index=index, columns=range(2005, 2005 + PERIODS))


def run() -> bool:
    panel = make_panel()
    phases = [Phase.BEFORE] * BEFORE + [Phase.AFTER] * (PERIODS - BEFORE)
    x1 = panel.loc["treated"].iloc[:BEFORE]
    donors = panel.drop(index="treated").iloc[:, :BEFORE]

    evaluation.fit_weights(x1.to_numpy(), donors.to_numpy().T)  # imports scipy once
    started = time.perf_counter()
    weights = evaluation.fit_weights(x1.to_numpy(), donors.to_numpy().T)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = evaluation.synthetic_control(panel, "treated", phases, placebos=False)
    whole_seconds = time.perf_counter() - started
    print(
        f"ours: {DONORS} donors x {PERIODS} periods ({BEFORE} before): weights in "
        f"{fit_seconds * 1000:.1f} ms; with the uniqueness check {whole_seconds * 1000:.0f} ms "
        f"(target {TARGET_SECONDS:.0f} s); pre-period RMSPE {result.pre_rmspe:.3f}, "
        f"exact fit: {result.is_exact_fit}, weights unique: {result.weights_are_unique}, "
        f"{len(result.weights)} donors weighted, mean gap {result.mean_gap:.2f} (simulated 1.5)"
    )

    from pysyncon import Synth

    variances = pd.concat([donors.T, x1], axis=1).std(axis=1).to_numpy() ** 2
    synth = Synth()
    started = time.perf_counter()
    synth.fit(X0=donors.T, X1=x1, Z0=donors.T, Z1=x1, custom_V=1000 * variances / variances.sum())
    pysyncon_seconds = time.perf_counter() - started
    difference = float(np.abs(synth.W - weights).max())
    our_loss = float(np.mean((x1.to_numpy() - donors.to_numpy().T @ weights) ** 2))
    print(
        f"pysyncon Synth.fit (same problem, V fixed): {pysyncon_seconds:.1f} s; largest weight "
        f"difference {difference:.5f} (target {TARGET_DIFFERENCE}); pre-period MSPE ours "
        f"{our_loss:.6f}, pysyncon {synth.loss_V:.6f}"
    )

    started = time.perf_counter()
    with_placebos = evaluation.synthetic_control(panel, "treated", phases)
    placebo_seconds = time.perf_counter() - started
    print(
        f"in-space placebos: {len(with_placebos.placebos)} fits in {placebo_seconds:.1f} s "
        f"({placebo_seconds / len(with_placebos.placebos) * 1000:.1f} ms each); treated area "
        f"ranked {with_placebos.rank}, p = {with_placebos.p_value:.4f}; "
        f"{os.cpu_count()} CPUs, load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    return whole_seconds <= TARGET_SECONDS and difference <= TARGET_DIFFERENCE


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
