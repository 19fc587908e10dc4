// Ordinary least squares with its confidence intervals, and the Student's t distribution those
// intervals need. The t distribution comes from the regularized incomplete beta function, written
// here rather than pulled from a library so the analysis layer stays dependency-free.
#include "midstance/regression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "midstance/error.h"

namespace midstance {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Standard normal 0.975 quantile, for the Fisher z interval of r.
constexpr double kZ975 = 1.959963984540054;
// Far more than any continued fraction or root search below needs (the beta continued fraction
// takes O(sqrt(max(a, b))) terms at worst, Press et al. 2007, 6.4); reaching it is a bug.
constexpr int kMaxIterations = 100000;
// Above this, ln B(a, b) uses Stirling's series: its first omitted term is below 1e-21 there.
constexpr double kStirlingFrom = 100.0;
// A residual sum of squares within this many ulps per point of the data's scale is rounding
// noise: the points lie exactly on the line.
constexpr double kRoundingUlps = 16.0;

double Square(double v) { return v * v; }

// Stirling's correction w(z) in ln G(z) = (z - 1/2) ln z - z + ln(2 pi) / 2 + w(z)
// (Abramowitz & Stegun 1964, 6.1.41).
double StirlingCorrection(double z) {
  const double inverse_square = 1.0 / (z * z);
  return (1.0 / 12.0 -
          inverse_square * (1.0 / 360.0 - inverse_square * (1.0 / 1260.0 - inverse_square / 1680.0))) /
         z;
}

// ln B(a, b). For large arguments lgamma(a) and lgamma(a + b) are about a ln a and their
// difference would lose ~7 digits at a = 5e5 (dof = 1e6), so that difference is taken from
// Stirling's series with the large terms cancelled analytically.
double LogBeta(double a, double b) {
  const double big = std::max(a, b);
  const double small = std::min(a, b);
  if (big < kStirlingFrom) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double sum = big + small;
  const double log_gamma_ratio = -(big - 0.5) * std::log1p(small / big) - small * std::log(sum) + small +
                                 StirlingCorrection(big) - StirlingCorrection(sum);
  return std::lgamma(small) + log_gamma_ratio;
}

// One step of the modified Lentz method (Press et al. 2007, Numerical Recipes 3rd ed., 5.2):
// updates C and D for the next partial numerator and returns the factor C D for the convergent.
double LentzStep(double numerator, double& c, double& d) {
  const double tiny = std::numeric_limits<double>::min() / kEpsilon;
  d = 1.0 + numerator * d;
  if (std::fabs(d) < tiny) d = tiny;
  c = 1.0 + numerator / c;
  if (std::fabs(c) < tiny) c = tiny;
  d = 1.0 / d;
  return c * d;
}

// Continued fraction for I_x(a, b) without its prefactor (Press et al. 2007, 6.4, eq. 6.4.5);
// converges quickly for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  // The fraction is 1 / (1 + d1 / (1 + d2 / ...)); Lentz's state just after its leading 1 / (...)
  // is C = infinity, D = 1, which makes the first step give 1 / (1 + d1) as in eq. 6.4.5.
  double c = kInfinity;
  double d = 1.0;
  double fraction = LentzStep(-(a + b) * x / (a + 1.0), c, d);
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double twice_m = 2.0 * m;
    const double even = m * (b - m) * x / ((a + twice_m - 1.0) * (a + twice_m));
    fraction *= LentzStep(even, c, d);
    const double odd = -(a + m) * (a + b + m) * x / ((a + twice_m) * (a + twice_m + 1.0));
    const double factor = LentzStep(odd, c, d);
    fraction *= factor;
    if (std::fabs(factor - 1.0) <= kEpsilon) return fraction;
  }
  MS_CHECK_MSG(false, "incomplete beta continued fraction did not converge: a = " << a << ", b = " << b
                                                                                 << ", x = " << x);
  return kNaN;
}

// A point of (0, 1) given as x and 1 - x, each with its logarithm, because callers can compute
// all four to full relative precision where forming 1 - x from x would cancel.
struct UnitSplit {
  double x, complement, log_x, log_complement;
};

// I_x(a, b) and 1 - I_x(a, b) = I_{1-x}(b, a). The continued fraction runs on whichever side
// converges, which is also the side with the smaller value, so both results keep their relative
// precision.
struct BetaPair {
  double lower, upper;
};

BetaPair RegularizedBeta(double a, double b, const UnitSplit& s) {
  if (s.x <= 0.0) return {0.0, 1.0};
  if (s.complement <= 0.0) return {1.0, 0.0};
  const double prefactor = std::exp(a * s.log_x + b * s.log_complement - LogBeta(a, b));
  if (s.x < (a + 1.0) / (a + b + 2.0)) {
    const double lower = prefactor * BetaContinuedFraction(a, b, s.x) / a;
    return {lower, 1.0 - lower};
  }
  const double upper = prefactor * BetaContinuedFraction(b, a, s.complement) / b;
  return {1.0 - upper, upper};
}

// For t >= 0: lower = P(|T| >= t) = I_{dof/(dof+t^2)}(dof/2, 1/2) and upper = P(|T| < t)
// (Abramowitz & Stegun 1964, 26.7.1; Press et al. 2007, 6.14.10).
BetaPair StudentTTails(double t, double dof) {
  if (t == 0.0) return {1.0, 0.0};
  const double ratio = t * t / dof;
  if (ratio == kInfinity) return {0.0, 1.0};
  const UnitSplit split{1.0 / (1.0 + ratio), ratio / (1.0 + ratio), -std::log1p(ratio), -std::log1p(1.0 / ratio)};
  return RegularizedBeta(0.5 * dof, 0.5, split);
}

// Density of Student's t: (1 + t^2/dof)^(-(dof+1)/2) / (sqrt(dof) B(dof/2, 1/2)).
double StudentTDensity(double t, double dof) {
  return std::exp(-0.5 * (dof + 1.0) * std::log1p(t * t / dof) - 0.5 * std::log(dof) - LogBeta(0.5 * dof, 0.5));
}

void CheckDof(double dof, const char* function) {
  if (dof > 0.0) return;
  char message[160];
  std::snprintf(message, sizeof message, "%s: dof: expected degrees of freedom > 0, got %.17g", function, dof);
  throw InvalidInput(message);
}

// The t >= 0 with P(|T| >= t) = two_sided. Near the centre it solves P(|T| < t) = 1 - two_sided
// instead, which is exact there and keeps small quantiles to full relative precision. Both
// residuals decrease in t with derivative -2 f(t); the root is bracketed by doubling, then found by
// Newton steps that fall back to bisection when they leave the bracket. Measured against mpmath at
// 50 digits: about 1e-15 relative up to dof 1000, 1e-11 at dof 1e6, where Lentz's iteration picks
// up rounding noise near the continued fraction's switch-over point.
double UpperQuantile(double two_sided, double dof) {
  const bool central = two_sided > 0.5;
  const double target = central ? 1.0 - two_sided : two_sided;
  auto residual = [&](double t) {
    const BetaPair tails = StudentTTails(t, dof);
    return central ? target - tails.upper : tails.lower - target;
  };
  double low = 0.0;
  double high = 1.0;
  while (residual(high) > 0.0) {
    low = high;
    high *= 2.0;
  }
  double t = 0.5 * (low + high);
  for (int i = 0; i < kMaxIterations; ++i) {
    const double r = residual(t);
    if (r == 0.0) return t;
    (r > 0.0 ? low : high) = t;
    double next = t + r / (2.0 * StudentTDensity(t, dof));
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    if (std::fabs(next - t) <= 2.0 * kEpsilon * t) return next;
    t = next;
  }
  MS_CHECK_MSG(false, "Student's t quantile did not converge: two-sided p = " << two_sided << ", dof = " << dof);
  return kNaN;
}

std::string Format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

struct Pairs {
  std::vector<double> x, y;
};

Pairs FinitePairs(const std::vector<double>& x, const std::vector<double>& y) {
  Pairs pairs;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    pairs.x.push_back(x[i]);
    pairs.y.push_back(y[i]);
  }
  return pairs;
}

bool AllEqual(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double value) { return value == v.front(); });
}

double Mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (double value : v) sum += value;
  return sum / static_cast<double>(v.size());
}

// Sums of squares and products about the means, taken in a second pass over the data: the
// one-pass formula sum(x^2) - n mean^2 cancels catastrophically when the mean is far from zero.
struct CentredSums {
  double mean_x = 0.0, mean_y = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0;
};

CentredSums ComputeSums(const Pairs& pairs) {
  CentredSums s;
  s.mean_x = Mean(pairs.x);
  s.mean_y = Mean(pairs.y);
  for (size_t i = 0; i < pairs.x.size(); ++i) {
    const double dx = pairs.x[i] - s.mean_x;
    const double dy = pairs.y[i] - s.mean_y;
    s.sxx += dx * dx;
    s.syy += dy * dy;
    s.sxy += dx * dy;
  }
  return s;
}

// Residual sum of squares from the residuals themselves rather than syy - slope sxy, which
// cancels when the fit is good. Returns exactly 0 when what is left is rounding noise, so a
// perfect line gets a collapsed interval and p = 0 instead of values made of noise.
double ResidualSumOfSquares(const Pairs& pairs, const CentredSums& s, double slope) {
  double sse = 0.0;
  double scale = 0.0;
  for (size_t i = 0; i < pairs.x.size(); ++i) {
    sse += Square((pairs.y[i] - s.mean_y) - slope * (pairs.x[i] - s.mean_x));
    scale = std::max(scale, std::fabs(pairs.y[i]) + std::fabs(slope * pairs.x[i]));
  }
  const double noise = kRoundingUlps * kEpsilon * scale;
  return sse <= static_cast<double>(pairs.x.size()) * Square(noise) ? 0.0 : sse;
}

// Slope interval b +- t_{0.975, n-2} SE(b), SE(b) = sqrt(SSE / (n - 2) / sxx), and the two-sided
// p-value of t = b / SE(b) (e.g. Draper & Smith 1998, Applied Regression Analysis, 3.1).
void FillSlopeInference(LinearFit& fit, double sse, double sxx) {
  const double dof = fit.n - 2.0;
  const double standard_error = std::sqrt(sse / dof / sxx);
  const double half_width = StudentTQuantile(0.975, dof) * standard_error;
  fit.slope_ci_low = fit.slope - half_width;
  fit.slope_ci_high = fit.slope + half_width;
  fit.p_value = standard_error == 0.0 ? 0.0 : StudentTTwoSidedP(fit.slope / standard_error, dof);
}

// Fisher's z: atanh(r) is close to normal with standard error 1 / sqrt(n - 3) (Fisher 1921).
void FillCorrelationInterval(LinearFit& fit) {
  if (fit.n < 4) return;
  const double z = std::atanh(fit.r);
  const double half_width = kZ975 / std::sqrt(fit.n - 3.0);
  fit.r_ci_low = std::tanh(z - half_width);
  fit.r_ci_high = std::tanh(z + half_width);
}

std::string TooFewVerdict(const LinearFit& fit) {
  std::string verdict = "n = " + std::to_string(fit.n) + ": too few stances to conclude anything (at least " +
                        std::to_string(kMinConclusiveN) + " needed); ";
  if (fit.n == 2) return verdict + "two points always lie on a line";
  verdict += "r = " + Format(fit.r);
  if (std::isnan(fit.r_ci_low)) return verdict;
  return verdict + ", 95 % CI " + Format(fit.r_ci_low) + " to " + Format(fit.r_ci_high);
}

std::string Verdict(const LinearFit& fit) {
  if (fit.n < kMinConclusiveN) return TooFewVerdict(fit);
  const std::string interval = "95 % CI " + Format(fit.slope_ci_low) + " to " + Format(fit.slope_ci_high);
  const std::string p = "(p = " + Format(fit.p_value) + ")";
  if (fit.conclusive) {
    return "n = " + std::to_string(fit.n) + ": slope " + Format(fit.slope) + " per unit, " + interval +
           " excludes zero " + p;
  }
  return "n = " + std::to_string(fit.n) + ": no relationship shown: the slope's " + interval + " includes zero " + p;
}

// Every usable y equal: the slope is exactly 0 with no scatter about it, so neither r nor a
// p-value exists; the verdict says so rather than reporting 0/0.
LinearFit FitConstantY(LinearFit fit, double y) {
  fit.slope = 0.0;
  fit.intercept = y;
  if (fit.n > 2) fit.slope_ci_low = fit.slope_ci_high = 0.0;
  fit.verdict = "n = " + std::to_string(fit.n) + ": no spread in y: every stance has the same y value, " +
                "so there is no relationship to show";
  return fit;
}

}  // namespace

double StudentTQuantile(double p, double dof) {
  if (!(p > 0.0 && p < 1.0)) {
    char message[160];
    std::snprintf(message, sizeof message, "StudentTQuantile: p: expected a probability in (0, 1), got %.17g", p);
    throw InvalidInput(message);
  }
  CheckDof(dof, "StudentTQuantile");
  if (p == 0.5) return 0.0;
  // 1 - p is exact for p >= 0.5 (Sterbenz), and 2 q is exact, so no precision is lost here.
  const double magnitude = UpperQuantile(2.0 * std::min(p, 1.0 - p), dof);
  return p < 0.5 ? -magnitude : magnitude;
}

double StudentTTwoSidedP(double t, double dof) {
  CheckDof(dof, "StudentTTwoSidedP");
  if (std::isnan(t)) return kNaN;
  return StudentTTails(std::fabs(t), dof).lower;
}

LinearFit FitLine(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) {
    throw InvalidInput("FitLine: x and y: expected the same length, got " + std::to_string(x.size()) +
                       " x values and " + std::to_string(y.size()) + " y values");
  }
  const Pairs pairs = FinitePairs(x, y);
  LinearFit fit;
  fit.n = static_cast<int>(pairs.x.size());
  if (fit.n < 2) {
    fit.verdict = "n = " + std::to_string(fit.n) + ": too few stances to fit a line";
    return fit;
  }
  if (AllEqual(pairs.x)) {
    fit.verdict = "n = " + std::to_string(fit.n) + ": no spread in x: every stance has the same x value, " +
                  "so no line can be fitted";
    return fit;
  }
  if (AllEqual(pairs.y)) return FitConstantY(fit, pairs.y.front());

  const CentredSums sums = ComputeSums(pairs);
  fit.slope = sums.sxy / sums.sxx;
  fit.intercept = sums.mean_y - fit.slope * sums.mean_x;
  const double sse = ResidualSumOfSquares(pairs, sums, fit.slope);
  fit.r = sse == 0.0 ? std::copysign(1.0, fit.slope)
                     : std::clamp(sums.sxy / std::sqrt(sums.sxx * sums.syy), -1.0, 1.0);
  if (fit.n > 2) FillSlopeInference(fit, sse, sums.sxx);
  FillCorrelationInterval(fit);
  fit.conclusive = fit.n >= kMinConclusiveN && (fit.slope_ci_low > 0.0 || fit.slope_ci_high < 0.0);
  fit.verdict = Verdict(fit);
  return fit;
}

}  // namespace midstance
