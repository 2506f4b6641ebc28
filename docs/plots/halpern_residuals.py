"""Residual against epochs (n component evaluations) of the Halpern-type methods and the
extragradient baselines on a finite-sum QP with similar components (docs/monotone.md)."""
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import problems  # noqa: E402
import solvers  # noqa: E402

op = problems.operators.QuadraticSum.random(1000, 40, similarity=0.1, random_state=0)
x0 = op.x0
r0 = problems.operators.residual(op, x0)
runs = {
    "halpern": solvers.halpern(op, x0, tol=1e-4 * r0, max_iter=20000),
    "vr_halpern": solvers.vr_halpern(op, x0, tol=1e-4 * r0, max_epochs=300, random_state=0),
    "vr_halpern, restarted": solvers.vr_halpern(op, x0, tol=1e-4 * r0, max_epochs=300,
                                                restart="adaptive", random_state=0),
    "extragradient": solvers.extragradient(op, x0, tol=1e-4 * r0, max_iter=20000),
    "eag": solvers.eag(op, x0, tol=1e-4 * r0, max_iter=20000),
    "vr_eg": solvers.vr_eg(op, x0, tol=1e-4 * r0, max_epochs=300, random_state=0),
}
fig, ax = plt.subplots(figsize=(6.4, 4.2))
for name, res in runs.items():
    h = res.history
    ax.semilogy(h.epochs, np.asarray(h.measure) / r0, label=name)
ax.set(xlabel="epochs (n component evaluations)", ylabel="relative natural residual",
       title="QuadraticSum.random(n=1000, d=40, similarity=0.1)")
ax.set_xlim(0, 300)
ax.legend(fontsize=8)
fig.tight_layout()
out = pathlib.Path(__file__).resolve().parents[1] / "_static" / "halpern_residuals.png"
fig.savefig(out, dpi=110)
for name, res in runs.items():
    print(f"{name:24s} epochs {res.nfev / op.n_components:9.1f}  residual "
          f"{res.measure / r0:.2e}  {res.message[:60]}")
