#!/usr/bin/env python3
"""Print midstance's repeated-measures figures next to pingouin's and statsmodels'.

midstance's figures come from the repeated_measures_test binary (its WriteFiguresForValidation
test, run with MIDSTANCE_STATS_OUT=DIR), on:
  - the test's own datasets (default), which tests/repeated_measures_test.cc also checks against
    statsmodels to 1e-6; or
  - random datasets made here (--random N), unbalanced, with singleton groups and NaNs.

References (validation only; the library and its tests do not need them):
  - pingouin.rm_corr (Bakdash & Marusich 2017): r, dof, p; its 95 % CI recomputed unrounded with
    pingouin.compute_esci (rm_corr rounds it to 2 decimals). pingouin needs >= 3 subjects, so for
    two groups only the ANCOVA (statsmodels OLS y ~ C(g) + x) is compared.
  - statsmodels MixedLM(y ~ x, groups=g).fit(reml=True): fixed effects, their bse (observed
    Hessian), group variance, scale, the z p-value and CI of the slope. Fitted with BFGS to a
    gradient of 1e-12, and once with statsmodels' defaults to show how far those stop from the optimum;
    and statsmodels' own REML log-likelihood evaluated at our estimates and at its own, which says
    who is nearer the maximum where the figures differ.

    tools/validate_statistics.py --test-binary build/tests/repeated_measures_test [--random 20 --seed 1]

Needs numpy, pandas, statsmodels and pingouin (pip install pingouin; the pyenv python3 has it).
"""
from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
import pingouin
import statsmodels
import statsmodels.formula.api as smf
from statsmodels.regression.mixed_linear_model import MixedLMParams

warnings.simplefilter("ignore")


def random_datasets(count: int, seed: int) -> pd.DataFrame:
    """Unbalanced groups (1 to 12 stances), random offsets and within slopes, a few NaNs."""
    rng = np.random.default_rng(seed)
    frames = []
    for s in range(count):
        k = int(rng.integers(3, 30))
        within_slope, between_slope = rng.normal(0, 0.5), rng.normal(0, 2)
        rows = []
        for g in range(k):
            n = int(rng.integers(1, 13))
            mean_x = 3 + rng.normal()
            x = mean_x + 0.3 * rng.normal(size=n)
            y = 2 + between_slope * mean_x + rng.normal() * rng.uniform(0.1, 2) + within_slope * (x - mean_x) \
                + 0.5 * rng.normal(size=n)
            rows += [(f"r{s}", 7 * g + 1, xi, yi) for xi, yi in zip(x, y)]
        frame = pd.DataFrame(rows, columns=["dataset", "g", "x", "y"])
        frame.loc[frame.sample(frac=0.03, random_state=seed + s).index, "y"] = np.nan
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def our_figures(test_binary: str, workdir: str) -> pd.DataFrame:
    env = dict(os.environ, MIDSTANCE_STATS_OUT=workdir)
    subprocess.run([test_binary, "--gtest_filter=RepeatedMeasures.WriteFiguresForValidation"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return pd.read_csv(os.path.join(workdir, "ours.csv")).set_index("dataset")


def reml_log_likelihood(model, fe_params, group_variance: float, residual_variance: float) -> float:
    """statsmodels' REML log-likelihood (scale profiled out) at the given estimates."""
    params = MixedLMParams.from_components(np.asarray(fe_params, float),
                                           cov_re=np.array([[group_variance / residual_variance]]))
    return float(model.loglike(params, profile_fe=False))


def likelihood_gap(d: pd.DataFrame, ours: pd.Series) -> float:
    """statsmodels' REML log-likelihood at our estimates minus at its own (BFGS to 1e-12): >= 0 means
    ours are at least as close to the maximum, so a difference in the figures is statsmodels stopping early."""
    d = d.dropna()
    model = smf.mixedlm("y ~ x", d, groups=d["g"])
    m = model.fit(reml=True, method="bfgs", gtol=1e-12)
    at_ours = reml_log_likelihood(model, [ours["lmm_intercept"], ours["lmm_slope"]], ours["lmm_group_variance"],
                                  ours["lmm_residual_variance"])
    return at_ours - reml_log_likelihood(model, m.fe_params.values, m.cov_re.iloc[0, 0], m.scale)


def their_figures(d: pd.DataFrame) -> dict:
    d = d.dropna()
    out = {}
    ols = smf.ols("y ~ C(g) + x", d).fit()
    t = ols.tvalues["x"]
    out["ancova"] = {"rm_r": t / math.sqrt(t * t + ols.df_resid), "rm_dof": ols.df_resid, "rm_p": ols.pvalues["x"],
                     "rm_slope": ols.params["x"], "rm_slope_se": ols.bse["x"]}
    if d["g"].nunique() >= 3:
        rm = pingouin.rm_corr(data=d, x="x", y="y", subject="g")
        r = float(rm["r"].iloc[0])
        dof = int(rm["dof"].iloc[0])
        low, high = pingouin.compute_esci(stat=r, nx=dof + 2, eftype="pearson", decimals=17)
        out["pingouin"] = {"rm_r": r, "rm_dof": dof, "rm_p": float(rm["pval"].iloc[0]), "rm_r_ci_low": low,
                           "rm_r_ci_high": high}
    for label, kwargs in (("statsmodels", {"method": "bfgs", "gtol": 1e-12}), ("statsmodels default", {})):
        m = smf.mixedlm("y ~ x", d, groups=d["g"]).fit(reml=True, **kwargs)
        ci = m.conf_int().loc["x"]
        out[label] = {"lmm_intercept": m.fe_params["Intercept"], "lmm_slope": m.fe_params["x"],
                      "lmm_intercept_se_observed": m.bse_fe["Intercept"], "lmm_slope_se_observed": m.bse_fe["x"],
                      "lmm_group_variance": m.cov_re.iloc[0, 0], "lmm_residual_variance": m.scale,
                      "lmm_slope_z_p": m.pvalues["x"], "lmm_slope_z_ci_low": ci[0], "lmm_slope_z_ci_high": ci[1]}
    return out


def relative(ours: float, theirs: float) -> float:
    if math.isnan(ours) and math.isnan(theirs):
        return 0.0
    return abs(ours - theirs) / max(abs(theirs), 1e-300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test-binary", required=True, help="build/tests/repeated_measures_test")
    parser.add_argument("--random", type=int, default=0, help="this many random datasets instead of the test's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="only the largest differences")
    args = parser.parse_args()
    print(f"pingouin {pingouin.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory() as workdir:
        if args.random:
            random_datasets(args.random, args.seed).to_csv(os.path.join(workdir, "data.csv"), index=False)
        ours = our_figures(args.test_binary, workdir)
        data = pd.read_csv(os.path.join(workdir, "data.csv"))
    worst: dict[str, float] = {}
    gaps = []
    for name, d in data.groupby("dataset", sort=False):
        row = ours.loc[name]
        gaps.append(likelihood_gap(d, row))
        if not args.quiet:
            print(f"\n{name}: N = {row['n']}, k = {row['groups']}; model-based slope SE {row['lmm_slope_se']:.6g}, "
                  f"between-within dof {row['lmm_slope_dof']:g}, t p {row['lmm_slope_p']:.4g}")
            print(f"  {'figure':28s} {'midstance':>22s} {'reference':>22s}  {'rel. diff':>9s}  reference")
        for source, figures in their_figures(d).items():
            for figure, theirs in figures.items():
                difference = relative(float(row[figure]), float(theirs))
                worst[source] = max(worst.get(source, 0.0), difference)
                if not args.quiet:
                    print(f"  {figure:28s} {row[figure]:22.15g} {theirs:22.15g}  {difference:9.2g}  {source}")
        if not args.quiet:
            print(f"  REML log-likelihood at our estimates minus at statsmodels': {gaps[-1]:.3g}")
    print("\nlargest relative difference per reference:")
    for source, difference in worst.items():
        print(f"  {source:22s} {difference:.2g}")
    print(f"REML log-likelihood (statsmodels') at our estimates minus at statsmodels' own: smallest {min(gaps):.3g}, "
          f"largest {max(gaps):.3g} over {len(gaps)} datasets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
