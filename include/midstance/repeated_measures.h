#pragma once
// Relationships between two per-stance metrics when the stances come in groups (the left and the
// right leg of one runner, or several runners): stances of one group share an offset, so pooling
// them as independent points lets differences between the groups pass for a relationship (issue
// 12, item 9: swing-knee velocity against vertical force gave r = 0.72 pooled but 0.21 and -0.16
// within each leg). Both analyses here use only the variation within each group for the slope.
// Observations where x or y is NaN (or infinite) are left out; groups are integer labels.
#include <cmath>
#include <string>
#include <vector>

namespace midstance {

// Repeated-measures correlation: the common within-group slope and its correlation.
//   r_rm = Sxy_w / sqrt(Sxx_w Syy_w), Sab_w = sum_i sum_j (a_ij - mean_i a)(b_ij - mean_i b);
//   slope = Sxy_w / Sxx_w; dof = N - k - 1; t = r sqrt(dof / (1 - r^2)) (the ANCOVA y ~ group + x);
//   95 % CI tanh(atanh r +- 1.96 / sqrt(dof - 1)) as pingouin.rm_corr (its n = dof + 2).
// Bakdash & Marusich 2017, Repeated measures correlation, Front Psychol 8:456.
// Preconditions: k >= 2 groups, dof >= 1, x varying within some group; else NaN with a reason.
// (pingouin asks for 3 subjects; 2 are allowed here because the groups are often the two legs.)
struct RepeatedMeasuresCorrelation {
  int n = 0;                                       // observations used (x and y finite)
  int groups = 0;                                  // k: groups with at least one observation
  double dof = NAN;                                // N - k - 1
  double r = NAN;                                  // r_rm
  double p_value = NAN;                            // two-sided, H0: r_rm = 0 (Student t, dof)
  double r_ci_low = NAN, r_ci_high = NAN;          // 95 %, Fisher z; NaN for dof < 2
  double slope = NAN;                              // common within-group slope (y units per x unit)
  double slope_se = NAN;                           // sqrt(SSE / dof / Sxx_w)
  double slope_ci_low = NAN, slope_ci_high = NAN;  // 95 %, Student t with dof
  bool conclusive = false;  // n >= kMinConclusiveN (regression.h) and the slope's CI excludes zero
  std::string reason;                              // empty when r is defined, else why it is NaN
};

// x, y and group must have equal lengths (throws InvalidInput otherwise).
RepeatedMeasuresCorrelation CorrelateRepeatedMeasures(const std::vector<double>& x, const std::vector<double>& y,
                                                      const std::vector<int>& group);

// One sentence for the report, like LinearFit::verdict: "n = 24 stances in 2 legs: common slope
// within the legs 0.12 per unit, 95 % CI 0.03 to 0.21 excludes zero (repeated-measures r = 0.41,
// p = 0.01)"; below kMinConclusiveN stances it says that nothing can be concluded, and a reason why.
// groups_noun names the groups in the plural ("legs", "trial-legs").
std::string RepeatedMeasuresVerdict(const RepeatedMeasuresCorrelation& rm, const std::string& groups_noun);

// Linear mixed model y_ij = b0 + b1 x_ij + u_i + e_ij, u_i ~ N(0, tau^2), e_ij ~ N(0, sigma^2),
//   by REML: psi = tau^2 / sigma^2 maximises -1/2 [(N-2) ln Q + sum ln(1 + n_i psi) + ln det X'H^-1 X],
//   Q = r'H^-1 r at the GLS b, H_i = I + psi 11'; sigma^2 = Q / (N - 2) (statsmodels MixedLM reml=True).
// Patterson & Thompson 1971, Biometrika 58:545; Laird & Ware 1982, Biometrics 38:963.
// Preconditions: k >= 2 groups, N >= k + 2; groups of one observation are kept; else NaN + reason.
//
// Two standard errors are given. The model-based one, sigma^2 (X'H^-1 X)^-1, is what lme4, nlme and
// SAS report; the slope's test and interval use it with between-within degrees of freedom (SAS
// DDFM=BW; Schluchter & Elashoff 1990, J Stat Comput Simul 37:11): N - k - 1 when x varies within
// some group (x is then a within-group effect), k - 2 when it does not. statsmodels instead inverts
// the observed Hessian of its profiled REML likelihood in (b, psi), cross terms included, and
// tests with the normal z; those figures are reported too (the *_observed and *_z fields) so the
// results can be checked against statsmodels, but the verdicts use the t test.
struct MixedModelFit {
  int n = 0;                           // observations used (x and y finite)
  int groups = 0;                      // k
  double intercept = NAN, slope = NAN; // fixed effects (y units; y units per x unit)
  double intercept_se = NAN, slope_se = NAN;  // model-based
  double group_variance = NAN;         // tau^2, random-intercept variance (y units squared)
  double residual_variance = NAN;      // sigma^2 (y units squared)
  bool group_variance_at_zero = false; // REML's maximum on the boundary tau^2 = 0
  double slope_dof = NAN;              // between-within
  double slope_p_value = NAN;          // two-sided, Student t with slope_dof
  double slope_ci_low = NAN, slope_ci_high = NAN;  // 95 %, Student t with slope_dof
  double intercept_se_observed = NAN, slope_se_observed = NAN;  // statsmodels' bse_fe
  double slope_z_p_value = NAN;        // statsmodels' pvalues['x']
  double slope_z_ci_low = NAN, slope_z_ci_high = NAN;  // statsmodels' conf_int()
  std::string reason;                  // empty when fitted, else why the figures are NaN
};

// x, y and group must have equal lengths (throws InvalidInput otherwise).
MixedModelFit FitRandomInterceptModel(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<int>& group);

}  // namespace midstance
