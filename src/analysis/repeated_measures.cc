// Repeated-measures correlation and the random-intercept mixed model. Both work from per-group
// sufficient statistics (count, means, sums of squares and products about the group means, taken
// in a second pass), which keeps within-group sums free of the cancellation that raw sums suffer
// when a metric's mean is far from zero, and makes the REML likelihood a closed form in psi.
#include "midstance/repeated_measures.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "midstance/error.h"
#include "midstance/regression.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// Standard normal 0.975 quantile: pingouin's Fisher-z interval and statsmodels' z interval.
constexpr double kZ975 = 1.959963984540054;
// A residual sum of squares within this many ulps per point of the data's scale is rounding noise.
constexpr double kRoundingUlps = 16.0;
// The REML search for psi = tau^2 / sigma^2 (dimensionless): a grid of ln psi over 16 decades plus
// psi = 0, then bisection on the score between the best grid point's neighbours. Beyond 1e8 the
// groups' offsets are 1e4 residual SDs apart and the fixed effects no longer change.
constexpr double kLowestPsiDecade = -8.0, kHighestPsiDecade = 8.0, kPsiDecadeStep = 0.25;
constexpr int kBisectionSteps = 300;

double Square(double v) { return v * v; }

struct Group {
  int n = 0;
  double mean_x = 0.0, mean_y = 0.0;
  double sxx = 0.0, sxy = 0.0, syy = 0.0;  // about the group's own means
};

struct GroupedData {
  int n = 0;
  std::vector<Group> groups;
  std::vector<double> x, y;
  std::vector<size_t> group_of;  // index into groups, per observation
  double sxx = 0.0, sxy = 0.0, syy = 0.0;  // within-group sums, pooled over the groups
};

void CheckLengths(const char* function, const std::vector<double>& x, const std::vector<double>& y,
                  const std::vector<int>& group) {
  if (x.size() == y.size() && x.size() == group.size()) return;
  throw InvalidInput(std::string(function) + ": x, y and group: expected the same length, got " +
                     std::to_string(x.size()) + ", " + std::to_string(y.size()) + " and " +
                     std::to_string(group.size()));
}

GroupedData Collect(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& group) {
  GroupedData data;
  std::map<int, size_t> index_of_label;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    const auto found = index_of_label.emplace(group[i], data.groups.size());
    if (found.second) data.groups.emplace_back();
    data.x.push_back(x[i]);
    data.y.push_back(y[i]);
    data.group_of.push_back(found.first->second);
  }
  data.n = static_cast<int>(data.x.size());
  for (size_t i = 0; i < data.x.size(); ++i) {
    Group& g = data.groups[data.group_of[i]];
    ++g.n;
    g.mean_x += data.x[i];
    g.mean_y += data.y[i];
  }
  for (Group& g : data.groups) {
    g.mean_x /= g.n;
    g.mean_y /= g.n;
  }
  for (size_t i = 0; i < data.x.size(); ++i) {
    Group& g = data.groups[data.group_of[i]];
    const double dx = data.x[i] - g.mean_x, dy = data.y[i] - g.mean_y;
    g.sxx += dx * dx;
    g.sxy += dx * dy;
    g.syy += dy * dy;
  }
  for (const Group& g : data.groups) {
    data.sxx += g.sxx;
    data.sxy += g.sxy;
    data.syy += g.syy;
  }
  return data;
}

// Residual sum of squares about the common within-group slope, from the residuals themselves
// (Syy - slope Sxy cancels when the fit is good); exactly 0 when only rounding noise is left.
double WithinResidualSumOfSquares(const GroupedData& data, double slope) {
  double sse = 0.0, scale = 0.0;
  for (size_t i = 0; i < data.x.size(); ++i) {
    const Group& g = data.groups[data.group_of[i]];
    sse += Square((data.y[i] - g.mean_y) - slope * (data.x[i] - g.mean_x));
    scale = std::max(scale, std::fabs(data.y[i]) + std::fabs(slope * data.x[i]));
  }
  const double noise = kRoundingUlps * kEpsilon * scale;
  return sse <= data.n * Square(noise) ? 0.0 : sse;
}

std::string Count(int n, const char* what) { return std::to_string(n) + " " + what; }

std::string Format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// Why a repeated-measures analysis cannot be done on these data, or empty.
std::string TooFewReason(const GroupedData& data) {
  const int k = static_cast<int>(data.groups.size());
  if (k < 2) {
    return Count(k, "group(s)") + ": at least 2 groups are needed (with one group this is a plain correlation)";
  }
  if (data.n - k - 1 < 1) {
    return "too few observations for a within-group slope (at least 2 more than the " + Count(k, "groups") + ")";
  }
  return "";
}

void FillCorrelationInterval(RepeatedMeasuresCorrelation& rm) {
  if (rm.dof < 2.0) return;
  const double z = std::atanh(rm.r);
  const double half_width = kZ975 / std::sqrt(rm.dof - 1.0);
  rm.r_ci_low = std::tanh(z - half_width);
  rm.r_ci_high = std::tanh(z + half_width);
}

// ---- REML for the random-intercept model, on data centred at the grand means -------------------

struct CentredGroup {
  double n, mean_x, mean_y;  // means relative to the grand means
};

struct Centred {
  std::vector<CentredGroup> groups;
  double n = 0.0;
  double wxx = 0.0, wxy = 0.0;
  double within_sse = 0.0;   // about the within slope wxy / wxx (wyy when wxx = 0)
  double within_slope = 0.0;
  double grand_x = 0.0, grand_y = 0.0;
};

Centred Centre(const GroupedData& data, double within_sse) {
  Centred c;
  c.n = data.n;
  for (size_t i = 0; i < data.x.size(); ++i) {
    c.grand_x += data.x[i];
    c.grand_y += data.y[i];
  }
  c.grand_x /= data.n;
  c.grand_y /= data.n;
  for (const Group& g : data.groups) c.groups.push_back({double(g.n), g.mean_x - c.grand_x, g.mean_y - c.grand_y});
  c.wxx = data.sxx;
  c.wxy = data.sxy;
  c.within_slope = data.sxx > 0.0 ? data.sxy / data.sxx : 0.0;
  c.within_sse = within_sse;
  return c;
}

// The profiled REML criterion and its pieces at one psi. With c_i = n_i / (1 + n_i psi), the GLS
// normal equations are A b = v with A = [[sum c, sum c mx], [sum c mx, Wxx + sum c mx^2]] and
// v = [sum c my, Wxy + sum c mx my], and Q = SSE_w + Wxx (b1 - b_w)^2 + sum c_i e_i^2 with
// e_i = my_i - b0 - b1 mx_i (Searle, Casella & McCulloch 1992, Variance Components, 6.6).
struct RemlPoint {
  double psi = 0.0;
  Eigen::Matrix2d a;
  Eigen::Vector2d beta;
  double q = 0.0;
  double log_likelihood = 0.0;  // up to a constant
  double score = 0.0;           // d log_likelihood / d psi, b profiled out
};

Eigen::Vector2d Design(const CentredGroup& g) { return {1.0, g.mean_x}; }

RemlPoint EvaluateReml(const Centred& c, double psi) {
  RemlPoint p;
  p.psi = psi;
  p.a << 0.0, 0.0, 0.0, c.wxx;
  Eigen::Vector2d v(0.0, c.wxy);
  double log_det_h = 0.0;
  for (const CentredGroup& g : c.groups) {
    const double d = 1.0 + g.n * psi;
    const double weight = g.n / d;
    p.a += weight * Design(g) * Design(g).transpose();
    v += weight * g.mean_y * Design(g);
    log_det_h += std::log(d);
  }
  p.beta = p.a.ldlt().solve(v);
  p.q = c.within_sse + c.wxx * Square(p.beta(1) - c.within_slope);
  double dq = 0.0;
  Eigen::Matrix2d da = Eigen::Matrix2d::Zero();
  double sum_n_over_d = 0.0;
  for (const CentredGroup& g : c.groups) {
    const double d = 1.0 + g.n * psi;
    const double e = g.mean_y - Design(g).dot(p.beta);
    p.q += g.n / d * e * e;
    dq -= Square(g.n / d) * e * e;
    da -= Square(g.n / d) * Design(g) * Design(g).transpose();
    sum_n_over_d += g.n / d;
  }
  const double fac = c.n - 2.0;
  p.log_likelihood = -0.5 * (fac * std::log(p.q) + log_det_h + std::log(p.a.determinant()));
  p.score = -0.5 * (fac * dq / p.q + sum_n_over_d + (p.a.inverse() * da).trace());
  return p;
}

// Bisection on the score between a psi where it is positive and one where it is negative, in
// ln psi while both ends are positive.
RemlPoint BisectScore(const Centred& c, RemlPoint rising, RemlPoint falling) {
  for (int i = 0; i < kBisectionSteps; ++i) {
    const double mid = rising.psi > 0.0 ? std::sqrt(rising.psi * falling.psi) : 0.5 * (rising.psi + falling.psi);
    if (mid == rising.psi || mid == falling.psi) break;
    const RemlPoint p = EvaluateReml(c, mid);
    (p.score > 0.0 ? rising : falling) = p;
  }
  return rising.log_likelihood >= falling.log_likelihood ? rising : falling;
}

// The REML maximum over psi >= 0: the best point of the grid, then the score's root between its
// neighbours. psi = 0 is the answer when the criterion falls from there (tau^2 on the boundary).
RemlPoint MaximiseReml(const Centred& c) {
  std::vector<RemlPoint> grid{EvaluateReml(c, 0.0)};
  for (double decade = kLowestPsiDecade; decade <= kHighestPsiDecade + 1e-9; decade += kPsiDecadeStep) {
    grid.push_back(EvaluateReml(c, std::pow(10.0, decade)));
  }
  size_t best = 0;
  for (size_t i = 1; i < grid.size(); ++i) {
    if (grid[i].log_likelihood > grid[best].log_likelihood) best = i;
  }
  if (best == 0 && grid[0].score <= 0.0) return grid[0];
  const RemlPoint& below = grid[best == 0 ? 0 : best - 1];
  const RemlPoint& above = grid[std::min(best + 1, grid.size() - 1)];
  if (below.score > 0.0 && grid[best].score < 0.0) return BisectScore(c, below, grid[best]);
  if (grid[best].score > 0.0 && above.score < 0.0) return BisectScore(c, grid[best], above);
  return grid[best];
}

// Covariance of the centred fixed effects from the observed Hessian of statsmodels' profiled REML
// likelihood in (b0, b1, psi) (statsmodels 0.13 MixedLM.hessian): blocks -fac A / Q for b,
// -fac / Q sum n_i^2 e_i x_i / d_i^2 for (b, psi), and the second derivative in psi.
Eigen::Matrix2d ObservedCovariance(const Centred& c, const RemlPoint& p) {
  const double fac = c.n - 2.0;
  Eigen::Vector2d cross = Eigen::Vector2d::Zero();
  double dq = 0.0, d2q = 0.0, d2_log_det_h = 0.0;
  Eigen::Matrix2d da = Eigen::Matrix2d::Zero(), d2a = Eigen::Matrix2d::Zero();
  for (const CentredGroup& g : c.groups) {
    const double d = 1.0 + g.n * p.psi;
    const double e = g.mean_y - Design(g).dot(p.beta);
    const Eigen::Matrix2d outer = Design(g) * Design(g).transpose();
    cross += Square(g.n / d) * e * Design(g);
    dq -= Square(g.n / d) * e * e;
    d2q += 2.0 * g.n * Square(g.n / d) / d * e * e;
    da -= Square(g.n / d) * outer;
    d2a += 2.0 * g.n * Square(g.n / d) / d * outer;
    d2_log_det_h -= Square(g.n / d);
  }
  const Eigen::Matrix2d a_inverse = p.a.inverse();
  Eigen::Matrix3d hessian;
  hessian.topLeftCorner<2, 2>() = -fac * p.a / p.q;
  hessian.topRightCorner<2, 1>() = -fac * cross / p.q;
  hessian.bottomLeftCorner<1, 2>() = hessian.topRightCorner<2, 1>().transpose();
  hessian(2, 2) = -0.5 * (fac * (d2q / p.q - Square(dq / p.q)) + d2_log_det_h + (a_inverse * d2a).trace() -
                          (a_inverse * da * a_inverse * da).trace());
  return (-hessian).inverse().topLeftCorner<2, 2>();
}

// Standard error of the uncentred intercept b0 = b0' + mean y - b1 mean x.
double InterceptStandardError(const Eigen::Matrix2d& covariance, double grand_x) {
  const Eigen::Vector2d e(1.0, -grand_x);
  return std::sqrt(e.dot(covariance * e));
}

void FillSlopeTests(MixedModelFit& fit) {
  if (fit.slope_dof >= 1.0) {
    const double half_width = StudentTQuantile(0.975, fit.slope_dof) * fit.slope_se;
    fit.slope_ci_low = fit.slope - half_width;
    fit.slope_ci_high = fit.slope + half_width;
    fit.slope_p_value = StudentTTwoSidedP(fit.slope / fit.slope_se, fit.slope_dof);
  }
  const double z_half_width = kZ975 * fit.slope_se_observed;
  fit.slope_z_ci_low = fit.slope - z_half_width;
  fit.slope_z_ci_high = fit.slope + z_half_width;
  fit.slope_z_p_value = std::erfc(std::fabs(fit.slope / fit.slope_se_observed) / std::sqrt(2.0));
}

}  // namespace

RepeatedMeasuresCorrelation CorrelateRepeatedMeasures(const std::vector<double>& x, const std::vector<double>& y,
                                                      const std::vector<int>& group) {
  CheckLengths("CorrelateRepeatedMeasures", x, y, group);
  const GroupedData data = Collect(x, y, group);
  RepeatedMeasuresCorrelation rm;
  rm.n = data.n;
  rm.groups = static_cast<int>(data.groups.size());
  rm.reason = TooFewReason(data);
  if (!rm.reason.empty()) return rm;
  rm.dof = rm.n - rm.groups - 1.0;
  if (data.sxx == 0.0) {
    rm.reason = "x does not vary within any group, so there is no within-group slope";
    return rm;
  }
  rm.slope = data.sxy / data.sxx;
  if (data.syy == 0.0) {
    rm.reason = "y does not vary within any group: the within-group slope is 0 and r is undefined";
    return rm;
  }
  const double sse = WithinResidualSumOfSquares(data, rm.slope);
  rm.r = sse == 0.0 ? std::copysign(1.0, rm.slope) : std::clamp(data.sxy / std::sqrt(data.sxx * data.syy), -1.0, 1.0);
  rm.slope_se = std::sqrt(sse / rm.dof / data.sxx);
  const double half_width = StudentTQuantile(0.975, rm.dof) * rm.slope_se;
  rm.slope_ci_low = rm.slope - half_width;
  rm.slope_ci_high = rm.slope + half_width;
  rm.p_value = rm.slope_se == 0.0 ? 0.0 : StudentTTwoSidedP(rm.slope / rm.slope_se, rm.dof);
  FillCorrelationInterval(rm);
  rm.conclusive = rm.n >= kMinConclusiveN && (rm.slope_ci_low > 0.0 || rm.slope_ci_high < 0.0);
  return rm;
}

std::string RepeatedMeasuresVerdict(const RepeatedMeasuresCorrelation& rm, const std::string& groups_noun) {
  const std::string head = "n = " + std::to_string(rm.n) + " stances in " + std::to_string(rm.groups) + " " + groups_noun + ": ";
  const std::string correlation = "repeated-measures r = " + Format(rm.r);
  if (rm.n < kMinConclusiveN) {
    std::string verdict = head + "too few stances to conclude anything (at least " + std::to_string(kMinConclusiveN) +
                          " needed); ";
    if (!rm.reason.empty()) return verdict + rm.reason;
    verdict += correlation;
    if (std::isnan(rm.r_ci_low)) return verdict;
    return verdict + ", 95 % CI " + Format(rm.r_ci_low) + " to " + Format(rm.r_ci_high);
  }
  if (!rm.reason.empty()) return head + rm.reason;
  const std::string interval = "95 % CI " + Format(rm.slope_ci_low) + " to " + Format(rm.slope_ci_high);
  const std::string statistics = " (" + correlation + ", p = " + Format(rm.p_value) + ")";
  if (rm.conclusive) {
    return head + "common slope within the " + groups_noun + " " + Format(rm.slope) + " per unit, " + interval +
           " excludes zero" + statistics;
  }
  return head + "no relationship within the " + groups_noun + " shown: the common slope's " + interval +
         " includes zero" + statistics;
}

MixedModelFit FitRandomInterceptModel(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<int>& group) {
  CheckLengths("FitRandomInterceptModel", x, y, group);
  const GroupedData data = Collect(x, y, group);
  MixedModelFit fit;
  fit.n = data.n;
  fit.groups = static_cast<int>(data.groups.size());
  fit.reason = TooFewReason(data);
  if (!fit.reason.empty()) return fit;
  const bool x_varies_within = data.sxx > 0.0;
  const double within_slope = x_varies_within ? data.sxy / data.sxx : 0.0;
  const double within_sse = WithinResidualSumOfSquares(data, within_slope);
  if (within_sse == 0.0) {
    fit.reason = "every group lies exactly on one line: no residual variance to estimate";
    return fit;
  }
  fit.slope_dof = x_varies_within ? fit.n - fit.groups - 1.0 : fit.groups - 2.0;
  if (fit.slope_dof < 1.0) {
    fit.reason = "x does not vary within any group and " + Count(fit.groups, "groups") +
                 " leave no degrees of freedom for a between-group slope";
    fit.slope_dof = kNaN;
    return fit;
  }
  const Centred centred = Centre(data, within_sse);
  const RemlPoint best = MaximiseReml(centred);
  fit.residual_variance = best.q / (fit.n - 2.0);
  fit.group_variance = best.psi * fit.residual_variance;
  fit.group_variance_at_zero = best.psi == 0.0;
  fit.slope = best.beta(1);
  fit.intercept = best.beta(0) + centred.grand_y - fit.slope * centred.grand_x;
  const Eigen::Matrix2d model_covariance = fit.residual_variance * best.a.inverse();
  fit.slope_se = std::sqrt(model_covariance(1, 1));
  fit.intercept_se = InterceptStandardError(model_covariance, centred.grand_x);
  const Eigen::Matrix2d observed_covariance = ObservedCovariance(centred, best);
  fit.slope_se_observed = std::sqrt(observed_covariance(1, 1));
  fit.intercept_se_observed = InterceptStandardError(observed_covariance, centred.grand_x);
  FillSlopeTests(fit);
  return fit;
}

}  // namespace midstance
