// Repeated-measures correlation and the random-intercept mixed model against independent truth:
//  - closed forms: two groups whose within-group sums are worked by hand (r_rm = 1/2, t = 1 with
//    3 dof, p = 2/3 - sqrt(3) / (2 pi)); a balanced design with x centred in every group, where
//    REML equals the ANOVA estimators (sigma^2 = SSE_w / (N - k - 1), sigma^2 + n tau^2 = MS_between;
//    Searle, Casella & McCulloch 1992, 4.8) and the GLS slope the within slope;
//  - synthetic groups whose offsets follow their mean x (pooled r high, within slope known);
//  - statsmodels (Debian's python3-statsmodels, through /usr/bin/python3) on random unbalanced data:
//    the ANCOVA OLS y ~ C(g) + x, which rm_corr equals (Bakdash & Marusich 2017, eq. 1), and
//    MixedLM(y ~ x, groups = g).fit(reml=True), to 1e-6. tools/validate_statistics.py adds pingouin.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "midstance/error.h"
#include "midstance/regression.h"
#include "midstance/relationship.h"
#include "midstance/repeated_measures.h"
#include "support/test_support.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr double kZ975 = 1.959963984540054;
constexpr double kClosedFormTolerance = 1e-12;  // relative
constexpr double kStatsmodelsTolerance = 1e-6;  // relative

void ExpectRelativeNear(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_NEAR(actual, expected, tolerance * std::max(1e-300, std::fabs(expected))) << what;
}

bool Contains(const std::string& text, const std::string& phrase) { return text.find(phrase) != std::string::npos; }

struct Dataset {
  std::vector<double> x, y;
  std::vector<int> group;
};

// Two groups ten x units and twenty y units apart; within each, x = mean + {-1, 0, 1} and
// y = mean + {-1, 1, 0}: Sxx_w = 4, Sxy_w = 2, Syy_w = 4.
Dataset TwoOffsetGroups() {
  return {{0, 1, 2, 10, 11, 12}, {0, 2, 1, 20, 22, 21}, {0, 0, 0, 1, 1, 1}};
}

TEST(CorrelateRepeatedMeasures, MatchesHandWorkedSums) {
  const Dataset d = TwoOffsetGroups();
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  EXPECT_TRUE(rm.reason.empty()) << rm.reason;
  EXPECT_EQ(rm.n, 6);
  EXPECT_EQ(rm.groups, 2);
  EXPECT_EQ(rm.dof, 3.0);
  ExpectRelativeNear(rm.r, 0.5, kClosedFormTolerance, "r = 2 / sqrt(4 * 4)");
  ExpectRelativeNear(rm.slope, 0.5, kClosedFormTolerance, "slope = 2 / 4");
  // SSE = 4 - 2^2 / 4 = 3, SE = sqrt(3 / 3 / 4) = 1/2, t = 1; Student t with 3 dof in closed form.
  ExpectRelativeNear(rm.slope_se, 0.5, kClosedFormTolerance, "slope SE");
  ExpectRelativeNear(rm.p_value, 2.0 / 3.0 - std::sqrt(3.0) / (2.0 * kPi), kClosedFormTolerance, "p");
  const double half_width = StudentTQuantile(0.975, 3) * 0.5;
  ExpectRelativeNear(rm.slope_ci_low, 0.5 - half_width, kClosedFormTolerance, "slope CI low");
  ExpectRelativeNear(rm.slope_ci_high, 0.5 + half_width, kClosedFormTolerance, "slope CI high");
  // pingouin: n = dof + 2 = 5, so the Fisher-z standard error is 1 / sqrt(2).
  ExpectRelativeNear(rm.r_ci_low, std::tanh(std::atanh(0.5) - kZ975 / std::sqrt(2.0)), kClosedFormTolerance, "r CI low");
  ExpectRelativeNear(rm.r_ci_high, std::tanh(std::atanh(0.5) + kZ975 / std::sqrt(2.0)), kClosedFormTolerance, "r CI high");
  EXPECT_FALSE(rm.conclusive);
  EXPECT_EQ(RepeatedMeasuresVerdict(rm, "legs"),
            "n = 6 stances in 2 legs: too few stances to conclude anything (at least 10 needed); "
            "repeated-measures r = 0.5, 95 % CI -0.684 to 0.959");
}

TEST(CorrelateRepeatedMeasures, PooledFitIsFooledByTheGroupOffsets) {
  const Dataset d = TwoOffsetGroups();
  EXPECT_GT(FitLine(d.x, d.y).r, 0.99);
  EXPECT_NEAR(CorrelateRepeatedMeasures(d.x, d.y, d.group).r, 0.5, 1e-12);
}

// Balanced: three groups of three, x = {-1, 0, 1} in each, offsets 0, 5 and 13.
Dataset BalancedCentredGroups() {
  return {{-1, 0, 1, -1, 0, 1, -1, 0, 1}, {-1, 1, 0, 5, 4, 7, 11, 13, 14}, {0, 0, 0, 1, 1, 1, 2, 2, 2}};
}

TEST(FitRandomInterceptModel, MatchesAnovaEstimatorsOnABalancedDesign) {
  const Dataset d = BalancedCentredGroups();
  const MixedModelFit fit = FitRandomInterceptModel(d.x, d.y, d.group);
  EXPECT_TRUE(fit.reason.empty()) << fit.reason;
  // Within: Sxx_w = 6, Sxy_w = 6, Syy_w = 102 / 9, SSE_w = 16 / 3 over N - k - 1 = 5 dof.
  // Group means 0, 16/3, 38/3 about 6: MS_between = 3 (36 + 4/9 + 400/9) / 2 = 364 / 3.
  const double residual_variance = 16.0 / 15.0;
  const double between_mean_square = 364.0 / 3.0;
  ExpectRelativeNear(fit.slope, 1.0, 1e-12, "slope");
  ExpectRelativeNear(fit.intercept, 6.0, 1e-12, "intercept");
  ExpectRelativeNear(fit.residual_variance, residual_variance, 1e-10, "sigma^2");
  ExpectRelativeNear(fit.group_variance, (between_mean_square - residual_variance) / 3.0, 1e-10, "tau^2");
  EXPECT_FALSE(fit.group_variance_at_zero);
  ExpectRelativeNear(fit.slope_se, std::sqrt(residual_variance / 6.0), 1e-10, "slope SE");
  ExpectRelativeNear(fit.intercept_se, std::sqrt(between_mean_square / 9.0), 1e-10, "intercept SE");
  // Every group's mean residual is zero here, so statsmodels' cross terms vanish too.
  ExpectRelativeNear(fit.slope_se_observed, fit.slope_se, 1e-10, "observed slope SE");
  EXPECT_EQ(fit.slope_dof, 5.0);
  const double half_width = StudentTQuantile(0.975, 5) * fit.slope_se;
  ExpectRelativeNear(fit.slope_ci_low, 1.0 - half_width, 1e-10, "slope CI low");
  ExpectRelativeNear(fit.slope_p_value, StudentTTwoSidedP(1.0 / fit.slope_se, 5), 1e-9, "slope p");
  ExpectRelativeNear(fit.slope_z_ci_high, 1.0 + kZ975 * fit.slope_se, 1e-10, "slope z CI high");
}

TEST(FitRandomInterceptModel, PutsTheGroupVarianceAtZeroWhenTheGroupsAgree) {
  // Group means lie on the within line and the groups scatter less than the residuals allow.
  const Dataset d{{-1, 0, 1, -1, 0, 1, -1, 0, 1}, {-1, 1, 0, 0, -1, 1, 1, 0, -1}, {0, 0, 0, 1, 1, 1, 2, 2, 2}};
  const MixedModelFit fit = FitRandomInterceptModel(d.x, d.y, d.group);
  EXPECT_TRUE(fit.reason.empty()) << fit.reason;
  EXPECT_TRUE(fit.group_variance_at_zero);
  EXPECT_EQ(fit.group_variance, 0.0);
  // tau^2 = 0 leaves ordinary least squares: SSE / (N - 2) as the residual variance.
  const LinearFit ols = FitLine(d.x, d.y);
  ExpectRelativeNear(fit.slope, ols.slope, 1e-12, "slope");
}

// k groups of n_per_group stances; each group's mean x is spread between_sd and its y offset is
// between_slope times that, and within a group y = within_slope x + noise.
Dataset OffsetGroups(int k, int n_per_group, double between_slope, double within_slope, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> standard(0.0, 1.0);
  Dataset d;
  for (int g = 0; g < k; ++g) {
    const double mean_x = 3.0 + 1.0 * standard(rng);
    const double offset = between_slope * mean_x;
    for (int i = 0; i < n_per_group; ++i) {
      const double dx = 0.2 * standard(rng);
      d.x.push_back(mean_x + dx);
      d.y.push_back(offset + within_slope * dx + 0.1 * standard(rng));
      d.group.push_back(g);
    }
  }
  return d;
}

TEST(CorrelateRepeatedMeasures, SeesNoWithinGroupRelationshipThatPoolingInvents) {
  const Dataset d = OffsetGroups(8, 15, 2.0, 0.0, 7);
  const LinearFit pooled = FitLine(d.x, d.y);
  EXPECT_GT(pooled.r, 0.9);
  EXPECT_LT(pooled.p_value, 1e-30);
  EXPECT_TRUE(pooled.conclusive);
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  EXPECT_EQ(rm.dof, 120 - 8 - 1);
  EXPECT_LT(std::fabs(rm.r), 0.2);
  EXPECT_LT(rm.r_ci_low, 0.0);
  EXPECT_GT(rm.r_ci_high, 0.0);
  EXPECT_GT(rm.p_value, 0.05);
  EXPECT_FALSE(rm.conclusive);
  // The mixed model assumes offsets unrelated to x, which these break; its slope blends the within
  // and between slopes (Mundlak 1978), and stays near the within one only because the offsets
  // dwarf the residuals here (tau^2 / sigma^2 ~ 240). So the verdicts use rm_corr.
  const MixedModelFit lmm = FitRandomInterceptModel(d.x, d.y, d.group);
  EXPECT_GT(lmm.group_variance / lmm.residual_variance, 100.0);
  EXPECT_LT(lmm.slope_ci_low, 0.0);
  EXPECT_GT(lmm.slope_ci_high, 0.0);
  const std::string verdict = RepeatedMeasuresVerdict(rm, "runners");
  EXPECT_TRUE(Contains(verdict, "n = 120 stances in 8 runners: no relationship within the runners shown")) << verdict;
  EXPECT_TRUE(Contains(verdict, "includes zero")) << verdict;
  std::printf("pooled r = %.3f (p = %.2g); repeated-measures r = %.3f (p = %.2g)\n", pooled.r, pooled.p_value, rm.r,
              rm.p_value);
}

TEST(CorrelateRepeatedMeasures, RecoversAWithinSlopeOppositeToTheBetweenTrend) {
  const Dataset d = OffsetGroups(10, 12, -1.5, 0.5, 11);
  EXPECT_LT(FitLine(d.x, d.y).slope, 0.0);
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  EXPECT_GT(rm.r, 0.5);
  EXPECT_NEAR(rm.slope, 0.5, 4.0 * rm.slope_se);
  EXPECT_GT(rm.slope_ci_low, 0.0);
  EXPECT_TRUE(rm.conclusive);
  const std::string verdict = RepeatedMeasuresVerdict(rm, "runners");
  EXPECT_TRUE(Contains(verdict, "n = 120 stances in 10 runners: common slope within the runners")) << verdict;
  EXPECT_TRUE(Contains(verdict, "excludes zero (repeated-measures r = ")) << verdict;
}

TEST(CorrelateRepeatedMeasures, LeavesOutNaNsAndCountsSingletonGroupsWithoutEffect) {
  Dataset d = TwoOffsetGroups();
  const RepeatedMeasuresCorrelation clean = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  d.x.push_back(kNaN), d.y.push_back(3.0), d.group.push_back(0);
  d.x.push_back(4.0), d.y.push_back(kNaN), d.group.push_back(1);
  d.x.push_back(50.0), d.y.push_back(70.0), d.group.push_back(9);  // one stance: adds 1 to N and to k
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  EXPECT_EQ(rm.n, 7);
  EXPECT_EQ(rm.groups, 3);
  EXPECT_EQ(rm.dof, clean.dof);
  EXPECT_DOUBLE_EQ(rm.r, clean.r);
  EXPECT_DOUBLE_EQ(rm.p_value, clean.p_value);
}

TEST(RepeatedMeasures, GiveNaNWithAReasonWhenTheDataCannotSupportThem) {
  struct Case {
    Dataset data;
    std::string phrase;
  };
  const Case cases[] = {
      {{{}, {}, {}}, "0 group(s)"},
      {{{1, 2, 3, 4}, {1, 3, 2, 4}, {0, 0, 0, 0}}, "1 group(s)"},
      {{{1, 2, 3}, {1, 3, 2}, {0, 0, 1}}, "too few observations for a within-group slope (at least 2 more than the 2 groups)"},
      {{{kNaN, kNaN, kNaN, kNaN, 1}, {1, 2, 3, 4, 5}, {0, 0, 1, 1, 2}}, "1 group(s)"},
  };
  for (const Case& c : cases) {
    const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(c.data.x, c.data.y, c.data.group);
    EXPECT_TRUE(std::isnan(rm.r));
    EXPECT_TRUE(std::isnan(rm.p_value));
    EXPECT_TRUE(Contains(rm.reason, c.phrase)) << rm.reason;
    EXPECT_TRUE(Contains(RepeatedMeasuresVerdict(rm, "legs"), rm.reason));
    const MixedModelFit fit = FitRandomInterceptModel(c.data.x, c.data.y, c.data.group);
    EXPECT_TRUE(std::isnan(fit.slope));
    EXPECT_TRUE(std::isnan(fit.slope_p_value));
    EXPECT_TRUE(Contains(fit.reason, c.phrase)) << fit.reason;
  }
}

TEST(RepeatedMeasures, NameWhatDoesNotVaryWithinTheGroups) {
  // x constant within each group: no within slope; the mixed model still has a between slope.
  const Dataset between_only{{1, 1, 2, 2, 3, 3, 5, 5}, {1, 2, 2, 4, 3, 3, 6, 4}, {0, 0, 1, 1, 2, 2, 3, 3}};
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(between_only.x, between_only.y, between_only.group);
  EXPECT_TRUE(std::isnan(rm.r));
  EXPECT_TRUE(Contains(rm.reason, "x does not vary within any group")) << rm.reason;
  const MixedModelFit fit = FitRandomInterceptModel(between_only.x, between_only.y, between_only.group);
  EXPECT_TRUE(fit.reason.empty()) << fit.reason;
  EXPECT_EQ(fit.slope_dof, 2.0);  // k - 2
  EXPECT_TRUE(std::isfinite(fit.slope_p_value));

  const Dataset flat_y{{1, 2, 3, 1, 2, 3}, {4, 4, 4, 7, 7, 7}, {0, 0, 0, 1, 1, 1}};
  const RepeatedMeasuresCorrelation flat = CorrelateRepeatedMeasures(flat_y.x, flat_y.y, flat_y.group);
  EXPECT_EQ(flat.slope, 0.0);
  EXPECT_TRUE(std::isnan(flat.r));
  EXPECT_TRUE(Contains(flat.reason, "y does not vary within any group")) << flat.reason;
  const MixedModelFit exact = FitRandomInterceptModel(flat_y.x, flat_y.y, flat_y.group);
  EXPECT_TRUE(std::isnan(exact.slope));
  EXPECT_TRUE(Contains(exact.reason, "exactly on one line")) << exact.reason;
}

TEST(RepeatedMeasures, RejectMismatchedLengths) {
  EXPECT_THROW(CorrelateRepeatedMeasures({1, 2}, {1, 2}, {0}), InvalidInput);
  EXPECT_THROW(FitRandomInterceptModel({1, 2}, {1}, {0, 1}), InvalidInput);
}

// Issue 12, item 9 in miniature: one runner's right leg pushes harder and drives its knee faster
// than the left, with no relationship within either leg. The pooled fit calls that conclusive;
// the relationship's verdict comes from the repeated-measures correlation and does not.
RelationshipSample TwoLegsOfOneRunner() {
  const Dataset d = OffsetGroups(2, 14, 1.5, 0.0, 3);
  RelationshipSample sample;
  sample.force = d.x;
  sample.knee_drive = d.y;
  sample.leg = d.group;
  sample.group = d.group;
  return sample;
}

TEST(RelateByLeg, TakesTheVerdictFromTheRepeatedMeasuresAnalysisWhenBothLegsArePresent) {
  const RelationshipSample sample = TwoLegsOfOneRunner();
  const Relationship rel = RelateByLeg("swing_knee_velocity_pelvis", "vertical_force_mid_bw", sample);
  EXPECT_GT(rel.fit.r, 0.8);
  EXPECT_TRUE(rel.fit.conclusive) << rel.fit.verdict;
  EXPECT_EQ(rel.left.n, 14);
  EXPECT_EQ(rel.right.n, 14);
  EXPECT_EQ(rel.legs.groups, 2);
  EXPECT_EQ(rel.legs.dof, 25.0);
  EXPECT_EQ(rel.legs_mixed.slope_dof, 25.0);
  EXPECT_FALSE(rel.conclusive) << rel.verdict;
  EXPECT_EQ(rel.verdict, RepeatedMeasuresVerdict(rel.legs, "legs"));
  EXPECT_TRUE(Contains(rel.verdict, "n = 28 stances in 2 legs: no relationship within the legs shown")) << rel.verdict;
  EXPECT_EQ(rel.verdict_source, "repeated-measures correlation over the legs (Bakdash & Marusich 2017)");
}

TEST(RelateByLeg, FallsBackToTheOneLegPresentAndToThePooledFitWithoutKnownLegs) {
  RelationshipSample sample = TwoLegsOfOneRunner();
  for (int& leg : sample.leg) leg = leg == 1 ? -1 : leg;  // right stances of unknown leg
  const Relationship left_only = RelateByLeg("y", "x", sample);
  EXPECT_EQ(left_only.right.n, 0);
  EXPECT_EQ(left_only.verdict, left_only.left.verdict);
  EXPECT_EQ(left_only.verdict_source, "least squares, left leg only");
  EXPECT_EQ(left_only.fit.n, 28);  // the pooled fit still sees every stance
  for (int& leg : sample.leg) leg = -1;
  const Relationship unknown = RelateByLeg("y", "x", sample);
  EXPECT_EQ(unknown.verdict, unknown.fit.verdict);
  EXPECT_EQ(unknown.verdict_source, "least squares (no stance of a known leg)");
  EXPECT_TRUE(std::isnan(unknown.legs.r));
  sample.group.pop_back();
  EXPECT_THROW(RelateByLeg("y", "x", sample), InvalidInput);
}

// Unbalanced random groups (2 to 9 stances, one singleton, a NaN) with random offsets.
Dataset RandomUnbalanced(int k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> standard(0.0, 1.0);
  std::uniform_int_distribution<int> size(2, 9);
  Dataset d;
  for (int g = 0; g < k; ++g) {
    const int n = g == 0 ? 1 : size(rng);
    const double mean_x = 3.0 + 0.5 * standard(rng);
    const double offset = 1.5 * standard(rng);
    for (int i = 0; i < n; ++i) {
      const double x = mean_x + 0.3 * standard(rng);
      d.x.push_back(x);
      d.y.push_back(2.0 + offset + 0.4 * x + 0.5 * standard(rng));
      d.group.push_back(100 + 3 * g);
    }
  }
  d.y[3] = kNaN;
  return d;
}

// A python3 that can import statsmodels (Debian's python3-statsmodels serves /usr/bin/python3,
// which a pyenv python3 earlier on PATH does not see), or empty.
std::string PythonWithStatsmodels() {
  for (const std::string python : {"/usr/bin/python3", "python3"}) {
    if (std::system((python + " -c 'import statsmodels.formula.api' >/dev/null 2>&1").c_str()) == 0) return python;
  }
  return "";
}

// Per dataset: ANCOVA slope, SE, p, residual dof, r = t / sqrt(t^2 + dof); MixedLM intercept,
// slope, their SEs, tau^2, sigma^2, slope p and CI, and whether BFGS said it converged. BFGS to a
// gradient of 1e-12: statsmodels' default tolerance leaves tau^2 about 3e-6 from the REML optimum;
// on larger sets it stops short of 1e-12 and says so, yet agrees to 1e-8 (the test is the agreement).
constexpr const char* kStatsmodelsScript = R"(import sys, warnings
import numpy as np, pandas as pd, statsmodels.formula.api as smf
warnings.simplefilter('ignore')
data = pd.read_csv(sys.argv[1]).dropna()
for name, d in data.groupby('dataset', sort=False):
    ols = smf.ols('y ~ C(g) + x', d).fit()
    t = ols.tvalues['x']
    mixed = smf.mixedlm('y ~ x', d, groups=d['g']).fit(reml=True, method='bfgs', gtol=1e-12)
    ci = mixed.conf_int().loc['x']
    values = [ols.params['x'], ols.bse['x'], ols.pvalues['x'], ols.df_resid, t / np.sqrt(t * t + ols.df_resid),
              mixed.fe_params['Intercept'], mixed.fe_params['x'], mixed.bse_fe['Intercept'], mixed.bse_fe['x'],
              mixed.cov_re.iloc[0, 0], mixed.scale, mixed.pvalues['x'], ci[0], ci[1], float(mixed.converged)]
    print(name, ' '.join(repr(float(v)) for v in values))
)";

struct StatsmodelsFigures {
  double ancova_slope, ancova_se, ancova_p, ancova_dof, ancova_r;
  double intercept, slope, intercept_se, slope_se, group_variance, residual_variance, slope_p, ci_low, ci_high;
  double converged;
};

std::string DatasetCsv(const std::vector<Dataset>& datasets) {
  std::ostringstream csv;
  csv.precision(17);
  csv << "dataset,g,x,y\n";
  for (size_t s = 0; s < datasets.size(); ++s) {
    const Dataset& d = datasets[s];
    for (size_t i = 0; i < d.x.size(); ++i) {
      csv << "d" << s << "," << d.group[i] << "," << d.x[i] << ",";
      if (std::isfinite(d.y[i])) csv << d.y[i];
      csv << "\n";
    }
  }
  return csv.str();
}

// Unbalanced sets of 6, 12 and 25 groups; offsets that fake a pooled relationship; two legs.
std::vector<Dataset> ReferenceDatasets() {
  return {RandomUnbalanced(6, 1), RandomUnbalanced(12, 2), RandomUnbalanced(25, 3), OffsetGroups(8, 15, 2.0, 0.0, 7),
          OffsetGroups(2, 20, 1.0, 0.3, 5)};
}

// tools/validate_statistics.py's hook, skipped otherwise: with MIDSTANCE_STATS_OUT=DIR it writes
// DIR/ours.csv with this library's figures for the datasets of DIR/data.csv (columns dataset, g,
// x, y; empty y for NaN), or for this test's own datasets (also written to DIR/data.csv) when
// there is no DIR/data.csv.
std::vector<std::pair<std::string, Dataset>> ReadDatasetCsv(const std::string& path) {
  std::vector<std::pair<std::string, Dataset>> datasets;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string name, g, x, y;
    std::getline(cells, name, ',');
    std::getline(cells, g, ',');
    std::getline(cells, x, ',');
    std::getline(cells, y, ',');
    if (datasets.empty() || datasets.back().first != name) datasets.push_back({name, {}});
    Dataset& d = datasets.back().second;
    d.group.push_back(std::stoi(g));
    d.x.push_back(x.empty() ? kNaN : std::stod(x));
    d.y.push_back(y.empty() ? kNaN : std::stod(y));
  }
  return datasets;
}

std::string FiguresCsvRow(const std::string& name, const Dataset& d) {
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
  const MixedModelFit fit = FitRandomInterceptModel(d.x, d.y, d.group);
  std::ostringstream row;
  row.precision(17);
  row << name << "," << rm.n << "," << rm.groups;
  for (double v : {rm.r, rm.dof, rm.p_value, rm.r_ci_low, rm.r_ci_high, rm.slope, rm.slope_se, fit.intercept,
                   fit.slope, fit.intercept_se_observed, fit.slope_se_observed, fit.group_variance,
                   fit.residual_variance, fit.slope_z_p_value, fit.slope_z_ci_low, fit.slope_z_ci_high,
                   fit.intercept_se, fit.slope_se, fit.slope_dof, fit.slope_p_value, fit.slope_ci_low,
                   fit.slope_ci_high}) {
    row << ",";
    if (!std::isnan(v)) row << v;
  }
  return row.str() + "\n";
}

TEST(RepeatedMeasures, WriteFiguresForValidation) {
  const char* out = std::getenv("MIDSTANCE_STATS_OUT");
  if (out == nullptr) GTEST_SKIP() << "MIDSTANCE_STATS_OUT not set: run by tools/validate_statistics.py";
  const std::string dir = out;
  std::vector<std::pair<std::string, Dataset>> datasets = ReadDatasetCsv(dir + "/data.csv");
  if (datasets.empty()) {
    const std::vector<Dataset> own = ReferenceDatasets();
    std::ofstream(dir + "/data.csv") << DatasetCsv(own);
    for (size_t s = 0; s < own.size(); ++s) datasets.push_back({"d" + std::to_string(s), own[s]});
  }
  std::ofstream figures(dir + "/ours.csv");
  figures << "dataset,n,groups,rm_r,rm_dof,rm_p,rm_r_ci_low,rm_r_ci_high,rm_slope,rm_slope_se,lmm_intercept,"
             "lmm_slope,lmm_intercept_se_observed,lmm_slope_se_observed,lmm_group_variance,lmm_residual_variance,"
             "lmm_slope_z_p,lmm_slope_z_ci_low,lmm_slope_z_ci_high,lmm_intercept_se,lmm_slope_se,lmm_slope_dof,"
             "lmm_slope_p,lmm_slope_ci_low,lmm_slope_ci_high\n";
  for (const auto& [name, d] : datasets) figures << FiguresCsvRow(name, d);
  EXPECT_TRUE(figures.good());
}

TEST(RepeatedMeasures, MatchStatsmodels) {
  const std::string python = PythonWithStatsmodels();
  if (python.empty()) {
    GTEST_SKIP() << "no python3 with statsmodels found (Debian: apt-get install python3-statsmodels): "
                    "statsmodels comparison skipped";
  }
  const std::vector<Dataset> datasets = ReferenceDatasets();
  testing::TempDir dir;
  std::ofstream(dir / "data.csv") << DatasetCsv(datasets);
  std::ofstream(dir / "reference.py") << kStatsmodelsScript;
  const std::string command = python + " " + (dir / "reference.py") + " " + (dir / "data.csv");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << command;
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << command;
  std::istringstream lines(out);
  size_t s = 0;
  for (std::string name; lines >> name; ++s) {
    ASSERT_LT(s, datasets.size());
    StatsmodelsFigures f;
    lines >> f.ancova_slope >> f.ancova_se >> f.ancova_p >> f.ancova_dof >> f.ancova_r >> f.intercept >> f.slope >>
        f.intercept_se >> f.slope_se >> f.group_variance >> f.residual_variance >> f.slope_p >> f.ci_low >>
        f.ci_high >> f.converged;
    const Dataset& d = datasets[s];
    const std::string where = "dataset " + name + ": ";
    const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(d.x, d.y, d.group);
    EXPECT_EQ(rm.dof, f.ancova_dof) << where;
    ExpectRelativeNear(rm.slope, f.ancova_slope, kStatsmodelsTolerance, where + "rm slope");
    ExpectRelativeNear(rm.slope_se, f.ancova_se, kStatsmodelsTolerance, where + "rm slope SE");
    ExpectRelativeNear(rm.p_value, f.ancova_p, kStatsmodelsTolerance, where + "rm p");
    ExpectRelativeNear(rm.r, f.ancova_r, kStatsmodelsTolerance, where + "rm r");

    const MixedModelFit fit = FitRandomInterceptModel(d.x, d.y, d.group);
    ExpectRelativeNear(fit.intercept, f.intercept, kStatsmodelsTolerance, where + "intercept");
    ExpectRelativeNear(fit.slope, f.slope, kStatsmodelsTolerance, where + "slope");
    ExpectRelativeNear(fit.intercept_se_observed, f.intercept_se, kStatsmodelsTolerance, where + "intercept SE");
    ExpectRelativeNear(fit.slope_se_observed, f.slope_se, kStatsmodelsTolerance, where + "slope SE");
    ExpectRelativeNear(fit.group_variance, f.group_variance, kStatsmodelsTolerance, where + "tau^2");
    ExpectRelativeNear(fit.residual_variance, f.residual_variance, kStatsmodelsTolerance, where + "sigma^2");
    ExpectRelativeNear(fit.slope_z_p_value, f.slope_p, kStatsmodelsTolerance, where + "slope z p");
    ExpectRelativeNear(fit.slope_z_ci_low, f.ci_low, kStatsmodelsTolerance, where + "slope z CI low");
    ExpectRelativeNear(fit.slope_z_ci_high, f.ci_high, kStatsmodelsTolerance, where + "slope z CI high");
    std::printf("%s N = %d, k = %d: rm r %.10g (ANCOVA %.10g); LMM slope %.10g (statsmodels %.10g), tau^2 %.10g "
                "(%.10g), sigma^2 %.10g (%.10g), SE %.10g (%.10g); model-based SE %.6g, t-dof %.0f, p %.3g (statsmodels converged: %.0f)\n",
                name.c_str(), fit.n, fit.groups, rm.r, f.ancova_r, fit.slope, f.slope, fit.group_variance,
                f.group_variance, fit.residual_variance, f.residual_variance, fit.slope_se_observed, f.slope_se,
                fit.slope_se, fit.slope_dof, fit.slope_p_value, f.converged);
  }
  EXPECT_EQ(s, datasets.size());
}

}  // namespace
}  // namespace midstance
