#pragma once
// Straight-line relationships between two per-stance metrics (e.g. swing-knee forward velocity
// at mid-stance against peak vertical force): ordinary least squares y = intercept + slope x,
// Pearson's r, the 95 % confidence interval of the slope (Student's t with n - 2 degrees of
// freedom) and of r (Fisher's z transform), and a plain-language verdict that says when n is too
// small to conclude anything. Pairs where either value is NaN are left out.
#include <cmath>
#include <string>
#include <vector>

namespace midstance {

struct LinearFit {
  int n = 0;                         // pairs used (both values finite)
  double slope = NAN, intercept = NAN;
  double r = NAN;                    // Pearson correlation
  double slope_ci_low = NAN, slope_ci_high = NAN;  // 95 % CI of the slope
  double r_ci_low = NAN, r_ci_high = NAN;          // 95 % CI of r (Fisher z); NaN for n < 4
  double p_value = NAN;              // two-sided, H0: slope = 0
  bool conclusive = false;           // n >= kMinConclusiveN and the slope's CI excludes zero
  std::string verdict;               // one sentence for the report, e.g. "n = 3: too few stances to conclude anything"
};

// Below this many stances the report says that nothing can be concluded, whatever p says: with
// n < 10 a correlation's 95 % interval spans most of [-1, 1] unless |r| > 0.9.
constexpr int kMinConclusiveN = 10;

// x and y must have equal lengths (throws InvalidInput otherwise). Fewer than 2 usable pairs or
// no spread in x: slope etc. NaN; n = 2 gives a line but no interval; no spread in y gives slope 0
// with r and p NaN. The verdict says why.
LinearFit FitLine(const std::vector<double>& x, const std::vector<double>& y);

// Quantile of Student's t distribution: P(T <= t) = p, for 0 < p < 1 and dof > 0.
double StudentTQuantile(double p, double dof);
// Two-sided p-value of |T| >= |t| with dof degrees of freedom.
double StudentTTwoSidedP(double t, double dof);

}  // namespace midstance
