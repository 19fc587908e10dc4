// The internal lab frame from the data (lab_frame.h).
#include "midstance/lab_frame.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "midstance/error.h"

namespace midstance {
namespace {

constexpr double kDegrees = 180.0 / M_PI;
constexpr double kSnapDeg = 10.0;             // labs align their axes with the floor and the runway
constexpr double kOvergroundTravelM = 1.0;    // the pelvis travels this far over a trial: overground
constexpr double kTreadmillPelvisRangeM = 0.6;  // a runner on a belt stays within this
constexpr double kMinBeltSpeedMS = 0.5;       // slower "belts" are marker drift, not a treadmill
constexpr double kStanceBandM = 0.015;        // a foot within this of its floor level is on the ground
constexpr double kLoadedN = 50;               // resolved GRF samples above this carry the direction

struct Direction {
  Eigen::Vector3d axis;
  std::string evidence;
};

std::string Text(const char* format, double a, double b = 0, double c = 0) {
  char text[256];
  std::snprintf(text, sizeof(text), format, a, b, c);
  return text;
}

// The nearest signed unit axis among `axes` (file frame), or `v` itself when none is within
// kSnapDeg; *angle_deg is the angle between v and the result's nearest axis.
Eigen::Vector3d Snap(const Eigen::Vector3d& v, const std::vector<Eigen::Vector3d>& axes, double* angle_deg) {
  Eigen::Vector3d best = v;
  double best_cos = -2;
  for (const Eigen::Vector3d& a : axes) {
    for (double sign : {1.0, -1.0}) {
      const double c = v.dot(sign * a);
      if (c > best_cos) best_cos = c, best = sign * a;
    }
  }
  *angle_deg = std::acos(std::clamp(best_cos, -1.0, 1.0)) * kDegrees;
  return *angle_deg <= kSnapDeg ? best : v;
}

std::vector<Eigen::Vector3d> FileAxes() { return {Eigen::Vector3d::UnitX(), Eigen::Vector3d::UnitY(), Eigen::Vector3d::UnitZ()}; }

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

double Quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Centroid per frame of the group's markers present in that frame; NaN when none is.
std::vector<Eigen::Vector3d> Centroids(const MarkerTrajectories& m, const std::vector<int>& group) {
  std::vector<Eigen::Vector3d> out(static_cast<size_t>(m.frame_count), Eigen::Vector3d::Constant(NAN));
  for (int f = 0; f < m.frame_count; ++f) {
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    int n = 0;
    for (int k : group) {
      const Eigen::Map<const Eigen::Vector3d> p(m.At(f, k));
      if (p.allFinite()) sum += p, ++n;
    }
    if (n > 0) out[static_cast<size_t>(f)] = sum / n;
  }
  return out;
}

std::vector<int> AllMarkers(const MarkerTrajectories& m) {
  std::vector<int> all(m.labels.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return all;
}

std::optional<Direction> UpFromPlates(const Trial& trial) {
  if (trial.plates.empty()) return std::nullopt;
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  for (const ForcePlate& plate : trial.plates) {
    const auto& c = plate.corners_m;
    const Eigen::Vector3d into_floor = (c[0] - c[1]).cross(c[0] - c[3]);
    if (!into_floor.allFinite() || into_floor.norm() < 1e-6) continue;
    Eigen::Vector3d up = -into_floor.normalized();
    if (sum.norm() > 0 && up.dot(sum) < 0) up = -up;  // plates of one floor share a normal
    sum += up;
    centre += (c[0] + c[1] + c[2] + c[3]) / 4.0;
  }
  if (sum.norm() < 1e-9) return std::nullopt;
  Eigen::Vector3d up = sum.normalized();
  centre /= static_cast<double>(trial.plates.size());
  std::string evidence = "force plate normal from FORCE_PLATFORM:CORNERS";
  // Markers stand above the floor: a normal pointing the other way means corners listed
  // counter-clockwise seen from above.
  std::vector<double> heights;
  const MarkerTrajectories& m = trial.markers;
  for (size_t i = 0; i + 2 < m.positions_m.size(); i += 3 * 7) {
    const Eigen::Vector3d p(m.positions_m[i], m.positions_m[i + 1], m.positions_m[i + 2]);
    if (p.allFinite()) heights.push_back((p - centre).dot(up));
  }
  const double median_height = Median(heights);
  if (median_height < 0) {
    up = -up;
    evidence += " (corners counter-clockwise seen from above: the markers stand on the other side)";
  } else if (!heights.empty()) {
    evidence += Text(", markers a median %.0f mm above the plates", median_height * 1e3);
  }
  return Direction{up, evidence};
}

std::optional<Direction> UpFromGroundReactions(const Trial& trial) {
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  int64_t n = 0;
  for (const GroundReaction& g : trial.ground_reactions) {
    for (size_t i = 0; i + 2 < g.force_n.size(); i += 3) {
      const Eigen::Vector3d f(g.force_n[i], g.force_n[i + 1], g.force_n[i + 2]);
      if (f.allFinite() && f.norm() > kLoadedN) sum += f, ++n;
    }
  }
  if (n == 0 || sum.norm() < 1e-9) return std::nullopt;
  return Direction{sum.normalized(), "mean ground reaction force over " + std::to_string(n) + " loaded samples (the ground pushes up)"};
}

std::optional<Direction> UpFromMarkers(const MarkerTrajectories& m, const MarkerGroups& groups, const std::string& what) {
  if (groups.pelvis.empty() || !groups.HasFeet()) return std::nullopt;
  std::vector<int> feet = groups.foot[0];
  feet.insert(feet.end(), groups.foot[1].begin(), groups.foot[1].end());
  const std::vector<Eigen::Vector3d> pelvis = Centroids(m, groups.pelvis), foot = Centroids(m, feet);
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  int n = 0;
  for (size_t f = 0; f < pelvis.size(); ++f) {
    if (pelvis[f].allFinite() && foot[f].allFinite()) sum += pelvis[f] - foot[f], ++n;
  }
  if (n == 0 || sum.norm() / n < 0.3) return std::nullopt;  // a pelvis 30 cm above the feet at least
  return Direction{sum.normalized(), "pelvis above the feet in the " + what + " (" + groups.source + ", " + std::to_string(n) + " frames)"};
}

// Foot velocity in the horizontal plane while the foot is on the ground, per frame of stance.
std::vector<Eigen::Vector3d> StanceFootVelocities(const MarkerTrajectories& m, const MarkerGroups& groups, const Eigen::Vector3d& up) {
  std::vector<Eigen::Vector3d> out;
  const Eigen::Matrix3d horizontal = Eigen::Matrix3d::Identity() - up * up.transpose();
  for (const std::vector<int>& foot : groups.foot) {
    if (foot.empty()) continue;
    const std::vector<double> sole = LowestAlong(m, foot, up);
    const double floor = Quantile(sole, 0.05);
    for (int f = 1; f + 1 < m.frame_count; ++f) {
      if (!(sole[static_cast<size_t>(f)] < floor + kStanceBandM)) continue;
      Eigen::Vector3d v = Eigen::Vector3d::Zero();
      int n = 0;
      for (int k : foot) {
        const Eigen::Map<const Eigen::Vector3d> a(m.At(f - 1, k)), b(m.At(f + 1, k));
        if (a.allFinite() && b.allFinite()) v += (b - a) * m.rate_hz / 2.0, ++n;
      }
      if (n > 0) out.push_back(horizontal * v / n);
    }
  }
  return out;
}

struct Heading {
  Eigen::Vector3d forward;
  std::string source;
  bool treadmill = false;
  std::string treadmill_evidence;
  Eigen::Vector3d belt_velocity = Eigen::Vector3d::Constant(NAN);
};

Heading DecideHeading(const MarkerTrajectories& m, const MarkerGroups& groups, const Eigen::Vector3d& up) {
  const Eigen::Matrix3d horizontal = Eigen::Matrix3d::Identity() - up * up.transpose();
  const std::vector<Eigen::Vector3d> pelvis = Centroids(m, groups.pelvis.empty() ? AllMarkers(m) : groups.pelvis);
  std::optional<Eigen::Vector3d> first, last;
  double range = 0;
  for (const Eigen::Vector3d& p : pelvis) {
    if (!p.allFinite()) continue;
    if (!first) first = p;
    last = p;
    range = std::max(range, (horizontal * (p - *first)).norm());
  }
  Heading h;
  const std::string body = groups.pelvis.empty() ? "marker centroid" : "pelvis";
  if (first) {
    const Eigen::Vector3d travel = horizontal * (*last - *first);
    if (travel.norm() > kOvergroundTravelM) {
      h.forward = travel.normalized();
      h.source = body + Text(" travel over the trial (%.2f m)", travel.norm());
      return h;
    }
  }
  if (first && range < kTreadmillPelvisRangeM && groups.HasFeet() && m.rate_hz > 0) {
    const std::vector<Eigen::Vector3d> v = StanceFootVelocities(m, groups, up);
    std::vector<double> vx, vy, vz;
    for (const Eigen::Vector3d& x : v) vx.push_back(x.x()), vy.push_back(x.y()), vz.push_back(x.z());
    const Eigen::Vector3d belt(Median(vx), Median(vy), Median(vz));
    if (belt.allFinite() && belt.norm() > kMinBeltSpeedMS) {
      h.treadmill = true;
      h.belt_velocity = belt;
      h.forward = -belt.normalized();
      h.treadmill_evidence = "the " + body + Text(" stays within %.2f m while the stance feet move backwards at %.2f m/s", range, belt.norm()) +
                             " (median of " + std::to_string(v.size()) + " stance frames)";
      h.source = "against the belt (treadmill)";
      return h;
    }
  }
  // Nothing moves: the file's first axis across the vertical.
  for (const Eigen::Vector3d& axis : FileAxes()) {
    const Eigen::Vector3d a = horizontal * axis;
    if (a.norm() > 0.5) {
      h.forward = a.normalized();
      h.source = "the file's " + AxisName(axis) + " (no travel and no treadmill belt in the markers)";
      return h;
    }
  }
  h.forward = Eigen::Vector3d::UnitX();
  h.source = "the file's +x";
  return h;
}

}  // namespace

std::string AxisName(const Eigen::Vector3d& axis) {
  static const char* const kNames[3] = {"x", "y", "z"};
  for (int i = 0; i < 3; ++i) {
    if (std::abs(std::abs(axis(i)) - 1.0) < 1e-9) return std::string(axis(i) > 0 ? "+" : "-") + kNames[i];
  }
  return "";
}

Eigen::Vector3d ParseAxis(const std::string& text, const std::string& option) {
  static const char* const kChoices[] = {"x", "y", "z", "-x", "-y", "-z", "+x", "+y", "+z"};
  for (int i = 0; i < 9; ++i) {
    if (text == kChoices[i]) {
      Eigen::Vector3d axis = Eigen::Vector3d::Zero();
      axis(i % 3) = i / 3 == 1 ? -1.0 : 1.0;
      return axis;
    }
  }
  throw InvalidInput(option + ": expected x, y, z, -x, -y or -z (the file's up axis), got '" + text + "'");
}

void LabFrameOptions::Validate() const {
  if (!vertical_axis.empty()) ParseAxis(vertical_axis, "--vertical-axis");
  if (!std::isnan(treadmill_speed_m_s) && !(treadmill_speed_m_s > 0.1 && treadmill_speed_m_s < 15)) {
    throw InvalidInput("--treadmill-speed: expected 0.1-15 m/s, got " + std::to_string(treadmill_speed_m_s));
  }
}

std::vector<double> LowestAlong(const MarkerTrajectories& markers, const std::vector<int>& group, const Eigen::Vector3d& up) {
  std::vector<double> out(static_cast<size_t>(markers.frame_count), NAN);
  for (int f = 0; f < markers.frame_count; ++f) {
    for (int k : group) {
      const Eigen::Map<const Eigen::Vector3d> p(markers.At(f, k));
      if (!p.allFinite()) continue;
      const double h = p.dot(up);
      double& lowest = out[static_cast<size_t>(f)];
      if (std::isnan(lowest) || h < lowest) lowest = h;
    }
  }
  return out;
}

LabFrameDecision DecideLabFrame(const Trial& trial, const MarkerGroups& groups, const Trial* static_trial,
                                const MarkerGroups* static_groups, const LabFrameOptions& options) {
  options.Validate();
  LabFrameDecision d;
  std::optional<Direction> up;
  if (!options.vertical_axis.empty()) {
    up = Direction{ParseAxis(options.vertical_axis, "--vertical-axis"), "--vertical-axis " + options.vertical_axis};
  }
  if (!up) up = UpFromPlates(trial);
  if (!up) up = UpFromGroundReactions(trial);
  if (!up && static_trial && static_groups) up = UpFromMarkers(static_trial->markers, *static_groups, "static trial");
  if (!up) up = UpFromMarkers(trial.markers, groups, "trial");
  if (!up) {
    up = Direction{Eigen::Vector3d::UnitZ(), "the file's +z (no plates, no forces and no pelvis and feet among the markers decide it)"};
    d.warnings.push_back(trial.path + ": vertical axis not determined by the data: taken as the file's +z (give --vertical-axis if wrong)");
  }
  double tilt_deg = 0;
  const Eigen::Vector3d vertical = Snap(up->axis, FileAxes(), &tilt_deg);
  if (AxisName(vertical).empty()) {
    d.warnings.push_back(trial.path + ": " + Text("the vertical is %.1f degrees from every file axis: kept exact", tilt_deg));
  }
  Heading heading = DecideHeading(trial.markers, groups, vertical);
  std::vector<Eigen::Vector3d> horizontal_axes;
  for (const Eigen::Vector3d& a : FileAxes()) {
    if (std::abs(a.dot(vertical)) < 1e-9) horizontal_axes.push_back(a);
  }
  double heading_angle = 0;
  Eigen::Vector3d forward = horizontal_axes.empty() ? heading.forward : Snap(heading.forward, horizontal_axes, &heading_angle);
  forward = (forward - forward.dot(vertical) * vertical).normalized();
  Eigen::Matrix3d internal_from_file;
  internal_from_file.row(0) = forward.transpose();
  internal_from_file.row(1) = vertical.cross(forward).transpose();
  internal_from_file.row(2) = vertical.transpose();

  LabFrame& f = d.frame;
  f.internal_from_file = internal_from_file;
  f.vertical = AxisName(vertical).empty() ? "tilted" : AxisName(vertical);
  f.vertical_source = up->evidence;
  f.heading_source = heading.source + (AxisName(forward).empty() ? "" : ", along the file's " + AxisName(forward));
  f.treadmill = heading.treadmill;
  f.treadmill_evidence = heading.treadmill_evidence;
  if (f.treadmill) {
    f.belt_speed_m_s = std::isnan(options.treadmill_speed_m_s) ? heading.belt_velocity.norm() : options.treadmill_speed_m_s;
    f.belt_speed_source = std::isnan(options.treadmill_speed_m_s) ? "estimated from the stance feet" : "--treadmill-speed";
  } else if (!std::isnan(options.treadmill_speed_m_s)) {
    f.treadmill = true;
    f.belt_speed_m_s = options.treadmill_speed_m_s;
    f.belt_speed_source = "--treadmill-speed";
    f.treadmill_evidence = "--treadmill-speed given";
  }
  return d;
}

}  // namespace midstance
