// Straight-line fits and Student's t against independent truth:
//  - t quantiles: mpmath 1.2.1 at 50 digits (root of its regularized incomplete beta), and the
//    closed forms for 1 and 2 degrees of freedom. scipy 1.10.1's t.ppf (cdflib's stdtrit) agrees
//    with the mpmath values only to 2e-9, so it is not used as the reference here.
//  - two-sided p-values: scipy 1.10.1, 2 * scipy.stats.t.sf(|t|, dof) (cephes stdtr).
//  - fits: scipy 1.10.1 scipy.stats.linregress; the slope interval as
//    slope +- scipy.stats.t.ppf(0.975, n - 2) * stderr and the r interval as
//    numpy.tanh(numpy.arctanh(r) +- 1.959963984540054 / numpy.sqrt(n - 3)) (numpy 1.24.2).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "midstance/error.h"
#include "midstance/regression.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;
constexpr double kFitTolerance = 1e-9;  // relative, against scipy / numpy

void ExpectRelativeNear(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_NEAR(actual, expected, tolerance * std::fabs(expected)) << what;
}

bool Contains(const std::string& text, const std::string& phrase) { return text.find(phrase) != std::string::npos; }

// Twelve stances: swing-knee forward velocity at mid-stance (m/s) and peak vertical force (body
// weights), made up to correlate clearly.
const std::vector<double> kKneeVelocity = {2.41, 2.87, 3.02, 3.35, 3.58, 3.71, 3.96, 4.12, 4.40, 4.63, 4.85, 5.10};
const std::vector<double> kPeakForce = {2.18, 2.05, 2.31, 2.27, 2.49, 2.36, 2.52, 2.47, 2.71, 2.58, 2.80, 2.69};
// The same velocities against a force that barely follows them.
const std::vector<double> kScatteredForce = {2.31, 2.05, 2.52, 2.27, 2.18, 2.71, 2.36, 2.49, 2.27, 2.58, 2.40, 2.33};

struct ReferenceFit {
  double slope, intercept, r, p, slope_ci_low, slope_ci_high, r_ci_low, r_ci_high;
};

void ExpectMatchesReference(const LinearFit& fit, const ReferenceFit& reference) {
  ExpectRelativeNear(fit.slope, reference.slope, kFitTolerance, "slope");
  ExpectRelativeNear(fit.intercept, reference.intercept, kFitTolerance, "intercept");
  ExpectRelativeNear(fit.r, reference.r, kFitTolerance, "r");
  ExpectRelativeNear(fit.p_value, reference.p, kFitTolerance, "p");
  ExpectRelativeNear(fit.slope_ci_low, reference.slope_ci_low, kFitTolerance, "slope CI low");
  ExpectRelativeNear(fit.slope_ci_high, reference.slope_ci_high, kFitTolerance, "slope CI high");
  ExpectRelativeNear(fit.r_ci_low, reference.r_ci_low, kFitTolerance, "r CI low");
  ExpectRelativeNear(fit.r_ci_high, reference.r_ci_high, kFitTolerance, "r CI high");
}

std::vector<double> LastNine(const std::vector<double>& v) { return std::vector<double>(v.end() - 9, v.end()); }

TEST(StudentTQuantile, MatchesHighPrecisionReference) {
  struct Case {
    double p, dof, t;
  };
  // mpmath 1.2.1, 50 digits.
  const Case cases[] = {
      {0.975, 1, 12.706204736174694},    {0.995, 1, 63.656741162871526},   {0.6, 1, 0.32491969623290623},
      {0.025, 1, -12.706204736174705},   {0.975, 2, 4.302652729749462},    {0.995, 2, 9.92484320091829},
      {0.6, 2, 0.2886751345948128},      {0.025, 2, -4.302652729749464},   {0.975, 5, 2.5705818356363146},
      {0.995, 5, 4.032142983555227},     {0.6, 5, 0.26718086570414507},    {0.025, 5, -2.5705818356363155},
      {0.975, 10, 2.2281388519862744},   {0.995, 10, 3.169272672616951},   {0.6, 10, 0.26018482949208016},
      {0.025, 10, -2.228138851986275},   {0.975, 30, 2.0422724563012378},  {0.995, 30, 2.749995653567225},
      {0.6, 30, 0.2556053649519127},     {0.025, 30, -2.042272456301238},  {0.975, 1000, 1.962339080826408},
      {0.995, 1000, 2.5807546980659506}, {0.6, 1000, 0.2534145158394987},  {0.025, 1000, -1.9623390808264085},
  };
  for (const Case& c : cases) {
    ExpectRelativeNear(StudentTQuantile(c.p, c.dof), c.t, 1e-12,
                       "p = " + std::to_string(c.p) + ", dof = " + std::to_string(c.dof));
  }
}

// At a million degrees of freedom the incomplete beta's continued fraction picks up rounding noise
// near its switch-over point; the requirement is 1e-8, measured error about 1e-11.
TEST(StudentTQuantile, StaysAccurateAtAMillionDegreesOfFreedom) {
  // mpmath 1.2.1, 50 digits.
  ExpectRelativeNear(StudentTQuantile(0.975, 1e6), 1.9599663568141066, 1e-10, "p = 0.975");
  ExpectRelativeNear(StudentTQuantile(0.995, 1e6), 2.575834220105334, 1e-10, "p = 0.995");
  ExpectRelativeNear(StudentTQuantile(0.6, 1e6), 0.2533471705378416, 1e-10, "p = 0.6");
  ExpectRelativeNear(StudentTQuantile(0.025, 1e6), -1.959966356814107, 1e-10, "p = 0.025");
}

// Quantile of the Cauchy distribution (t with 1 dof) for p <= 1/2: tan(pi (p - 1/2)), written as
// -1 / tan(pi p) in the tail, where pi (p - 1/2) would sit near the pole and amplify its rounding.
double CauchyLowerQuantile(double p) {
  return p < 0.25 ? -1.0 / std::tan(kPi * p) : std::tan(kPi * (p - 0.5));
}

// Closed forms for dof 1 (above) and dof 2, t = (2p - 1) / sqrt(2p(1-p)), down to the 1e-6 tails.
TEST(StudentTQuantile, MatchesClosedFormsForOneAndTwoDegreesOfFreedom) {
  for (double upper : {1 - 1e-6, 0.999, 0.95, 0.8, 0.6, 0.500001}) {
    const double lower = 1.0 - upper;  // exact: the upper tail mirrors exactly this lower p
    const double cauchy = CauchyLowerQuantile(lower);
    ExpectRelativeNear(StudentTQuantile(lower, 1), cauchy, 1e-12, "dof 1, p = " + std::to_string(lower));
    ExpectRelativeNear(StudentTQuantile(upper, 1), -cauchy, 1e-12, "dof 1, p = " + std::to_string(upper));
    for (double p : {lower, upper}) {
      const double expected = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
      ExpectRelativeNear(StudentTQuantile(p, 2), expected, 1e-12, "dof 2, p = " + std::to_string(p));
    }
  }
  EXPECT_EQ(StudentTQuantile(0.5, 3), 0.0);
}

TEST(StudentTQuantile, RejectsProbabilitiesOutsideTheOpenUnitIntervalAndBadDof) {
  for (double p : {0.0, 1.0, -0.1, 1.5, kNaN}) EXPECT_THROW(StudentTQuantile(p, 5), InvalidInput) << p;
  for (double dof : {0.0, -1.0, kNaN}) EXPECT_THROW(StudentTQuantile(0.975, dof), InvalidInput) << dof;
}

TEST(StudentTTwoSidedP, MatchesScipy) {
  struct Case {
    double t, dof, p;
  };
  // scipy 1.10.1: 2 * scipy.stats.t.sf(abs(t), dof).
  const Case cases[] = {
      {2.0, 1, 0.2951672353008664},        {-2.0, 1, 0.2951672353008664},
      {0.5, 2, 0.6666666666666667},        {2.2281388519862744, 10, 0.049999999999999975},
      {-3.1, 5, 0.026853184190035198},     {1.0, 30, 0.32530861542602985},
      {4.5, 30, 9.519359392112457e-05},    {0.0, 7, 1.0},
      {12.0, 3, 0.001245015800789336},     {3.0, 1000, 0.0027667090442381878},
  };
  for (const Case& c : cases) {
    ExpectRelativeNear(StudentTTwoSidedP(c.t, c.dof), c.p, 1e-12,
                       "t = " + std::to_string(c.t) + ", dof = " + std::to_string(c.dof));
  }
  ExpectRelativeNear(StudentTTwoSidedP(1.96, 1e6), 0.04999606758526978, 1e-10, "t = 1.96, dof = 1e6");
  EXPECT_EQ(StudentTTwoSidedP(kInfinity, 4), 0.0);
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(kNaN, 4)));
}

TEST(StudentTTwoSidedP, RejectsBadDof) {
  for (double dof : {0.0, -2.0, kNaN}) EXPECT_THROW(StudentTTwoSidedP(1.0, dof), InvalidInput) << dof;
}

TEST(FitLine, MatchesScipyOnTwelveStances) {
  const LinearFit fit = FitLine(kKneeVelocity, kPeakForce);
  EXPECT_EQ(fit.n, 12);
  ExpectMatchesReference(fit, {0.24890864076565736, 1.4983502103983133, 0.9145925012457167, 3.096603775569354e-05,
                               0.1713659679005628, 0.3264513136307519, 0.7170720436863074, 0.9761346131048942});
  EXPECT_TRUE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "n = 12: slope 0.249 per unit")) << fit.verdict;
  EXPECT_TRUE(Contains(fit.verdict, "excludes zero")) << fit.verdict;
}

TEST(FitLine, ScatteredStancesShowNoRelationship) {
  const LinearFit fit = FitLine(kKneeVelocity, kScatteredForce);
  EXPECT_EQ(fit.n, 12);
  ExpectMatchesReference(fit, {0.059025256545968345, 2.1462365165737882, 0.27110639830329913, 0.39403042269709954,
                               -0.08863492187930391, 0.20668543497124062, -0.3585872326245549, 0.7312361521154205});
  EXPECT_FALSE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "no relationship shown")) << fit.verdict;
  EXPECT_TRUE(Contains(fit.verdict, "includes zero")) << fit.verdict;
}

// Nine stances whose slope interval excludes zero (p = 0.002) are still too few to conclude.
TEST(FitLine, NineStancesAreTooFewEvenWhenTheIntervalExcludesZero) {
  const LinearFit fit = FitLine(LastNine(kKneeVelocity), LastNine(kPeakForce));
  EXPECT_EQ(fit.n, 9);
  ExpectMatchesReference(fit, {0.2492365998077936, 1.4993089096940202, 0.8731947672171039, 0.0021072928755341627,
                               0.12490719104786, 0.37356600856772726, 0.4976835081244637, 0.9730420152363135});
  EXPECT_FALSE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "n = 9: too few stances to conclude anything (at least 10 needed)"))
      << fit.verdict;
  EXPECT_TRUE(Contains(fit.verdict, "r = 0.873, 95 % CI 0.498 to 0.973")) << fit.verdict;
}

TEST(FitLine, ThreeStancesHaveASlopeIntervalButNoCorrelationInterval) {
  const LinearFit fit = FitLine({2.41, 3.71, 5.10}, {2.18, 2.36, 2.69});
  EXPECT_EQ(fit.n, 3);
  ExpectRelativeNear(fit.slope, 0.19014201248825768, kFitTolerance, "slope");
  ExpectRelativeNear(fit.intercept, 1.6988688732939163, kFitTolerance, "intercept");
  ExpectRelativeNear(fit.r, 0.9889363047769917, kFitTolerance, "r");
  ExpectRelativeNear(fit.p_value, 0.09478649094401534, kFitTolerance, "p");
  ExpectRelativeNear(fit.slope_ci_low, -0.1722562893359188, kFitTolerance, "slope CI low");
  ExpectRelativeNear(fit.slope_ci_high, 0.5525403143124341, kFitTolerance, "slope CI high");
  EXPECT_TRUE(std::isnan(fit.r_ci_low));
  EXPECT_TRUE(std::isnan(fit.r_ci_high));
  EXPECT_TRUE(Contains(fit.verdict, "too few")) << fit.verdict;
}

TEST(FitLine, SkipsPairsWithANonFiniteValue) {
  std::vector<double> x = kKneeVelocity;
  std::vector<double> y = kPeakForce;
  x.insert(x.begin() + 3, kNaN);
  y.insert(y.begin() + 3, 2.5);
  x.insert(x.begin() + 7, 3.9);
  y.insert(y.begin() + 7, kNaN);
  x.push_back(kInfinity);
  y.push_back(2.4);
  const LinearFit clean = FitLine(kKneeVelocity, kPeakForce);
  const LinearFit fit = FitLine(x, y);
  EXPECT_EQ(fit.n, 12);
  EXPECT_EQ(fit.slope, clean.slope);
  EXPECT_EQ(fit.intercept, clean.intercept);
  EXPECT_EQ(fit.r, clean.r);
  EXPECT_EQ(fit.slope_ci_low, clean.slope_ci_low);
  EXPECT_EQ(fit.slope_ci_high, clean.slope_ci_high);
  EXPECT_EQ(fit.p_value, clean.p_value);
  EXPECT_EQ(fit.verdict, clean.verdict);
}

TEST(FitLine, TwoStancesGiveALineButNoInterval) {
  const LinearFit fit = FitLine({1.0, 3.0}, {2.0, 1.0});
  EXPECT_EQ(fit.n, 2);
  EXPECT_DOUBLE_EQ(fit.slope, -0.5);
  EXPECT_DOUBLE_EQ(fit.intercept, 2.5);
  EXPECT_TRUE(std::isnan(fit.slope_ci_low));
  EXPECT_TRUE(std::isnan(fit.slope_ci_high));
  EXPECT_TRUE(std::isnan(fit.p_value));
  EXPECT_TRUE(std::isnan(fit.r_ci_low));
  EXPECT_TRUE(std::isnan(fit.r_ci_high));
  EXPECT_FALSE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "n = 2: too few")) << fit.verdict;
}

TEST(FitLine, OneStanceCannotFitALine) {
  const LinearFit fit = FitLine({1.0, kNaN}, {2.0, 3.0});
  EXPECT_EQ(fit.n, 1);
  EXPECT_TRUE(std::isnan(fit.slope));
  EXPECT_TRUE(std::isnan(fit.intercept));
  EXPECT_FALSE(fit.conclusive);
  EXPECT_EQ(fit.verdict, "n = 1: too few stances to fit a line");
  EXPECT_EQ(FitLine({}, {}).verdict, "n = 0: too few stances to fit a line");
}

TEST(FitLine, NoSpreadInXGivesNoSlope) {
  const LinearFit fit = FitLine(std::vector<double>(12, 0.1), kPeakForce);
  EXPECT_EQ(fit.n, 12);
  EXPECT_TRUE(std::isnan(fit.slope));
  EXPECT_TRUE(std::isnan(fit.p_value));
  EXPECT_FALSE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "n = 12: no spread in x")) << fit.verdict;
}

TEST(FitLine, NoSpreadInYGivesAFlatLineAndNoCorrelation) {
  const LinearFit fit = FitLine(kKneeVelocity, std::vector<double>(12, 2.3));
  EXPECT_EQ(fit.slope, 0.0);
  EXPECT_EQ(fit.intercept, 2.3);
  EXPECT_TRUE(std::isnan(fit.r));
  EXPECT_TRUE(std::isnan(fit.p_value));
  EXPECT_FALSE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "no spread in y")) << fit.verdict;
}

// Points exactly on y = 1.5 - 0.25 x, with x = 0.1 i not representable, so the residuals are
// rounding noise rather than exact zeros.
TEST(FitLine, PerfectLineCollapsesTheInterval) {
  std::vector<double> x, y;
  for (int i = 0; i < 12; ++i) {
    x.push_back(0.1 * i);
    y.push_back(1.5 - 0.25 * x.back());
  }
  const LinearFit fit = FitLine(x, y);
  ExpectRelativeNear(fit.slope, -0.25, 1e-14, "slope");
  ExpectRelativeNear(fit.intercept, 1.5, 1e-14, "intercept");
  EXPECT_EQ(fit.slope_ci_low, fit.slope);
  EXPECT_EQ(fit.slope_ci_high, fit.slope);
  EXPECT_EQ(fit.p_value, 0.0);
  EXPECT_EQ(fit.r, -1.0);
  EXPECT_EQ(fit.r_ci_low, -1.0);
  EXPECT_EQ(fit.r_ci_high, -1.0);
  EXPECT_TRUE(fit.conclusive);
  EXPECT_TRUE(Contains(fit.verdict, "excludes zero")) << fit.verdict;
}

TEST(FitLine, SizeMismatchThrowsNamingBothSizes) {
  try {
    FitLine({1.0, 2.0, 3.0}, {1.0, 2.0});
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string message = e.what();
    EXPECT_TRUE(Contains(message, "3 x values")) << message;
    EXPECT_TRUE(Contains(message, "2 y values")) << message;
    EXPECT_FALSE(Contains(message, "\n")) << message;
  }
}

TEST(FitLine, VerdictIsOneLine) {
  for (const LinearFit& fit : {FitLine(kKneeVelocity, kPeakForce), FitLine(kKneeVelocity, kScatteredForce),
                               FitLine({1.0, 2.0}, {1.0, 3.0})}) {
    EXPECT_FALSE(fit.verdict.empty());
    EXPECT_FALSE(Contains(fit.verdict, "\n")) << fit.verdict;
  }
}

}  // namespace
}  // namespace midstance
