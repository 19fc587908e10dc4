// Static calibration: landmarks -> segment frames and joint centres -> every tracking marker and
// joint centre expressed in its segment, averaged over the calibration frames. Averaging in the
// segment frames (not the lab) makes the same code serve a static trial and, when there is none,
// the complete frames of the dynamic trial.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include <Eigen/Geometry>

#include "midstance/error.h"
#include "midstance/joint_centres.h"
#include "midstance/logging.h"
#include "midstance/skeleton.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDegrees = 180.0 / M_PI;


std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::vector<std::string> Split(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(s);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  return parts;
}


std::string Expand(const std::string& pattern, const MarkerSet& set, int side) {
  return Replace(pattern, "{s}", set.side_letters[side]);
}

// The first alternative whose labels are all in the trial.
ResolvedLandmark ResolvePatterns(const std::vector<std::string>& patterns, const MarkerSet& set, int side,
                                 const std::map<std::string, int>& columns) {
  for (const std::string& pattern : patterns) {
    ResolvedLandmark resolved;
    for (const std::string& label : Split(Expand(pattern, set, side), '+')) {
      const auto it = columns.find(UpperLabel(label));
      if (it == columns.end()) {
        resolved.columns.clear();
        break;
      }
      resolved.columns.push_back(it->second);
      resolved.description += (resolved.description.empty() ? "" : "+") + label;
    }
    if (!resolved.columns.empty()) return resolved;
  }
  return {};
}

std::string PatternList(const LandmarkAlternatives& alternatives, const MarkerSet& set, int side) {
  std::string list;
  for (const std::string& p : alternatives.patterns) list += (list.empty() ? "" : " or ") + Expand(p, set, side);
  return list;
}

Eigen::Vector3d Position(const MarkerTrajectories& trial, int frame, const ResolvedLandmark& landmark) {
  if (landmark.columns.empty()) return Eigen::Vector3d::Constant(kNaN);
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  for (int column : landmark.columns) sum += Eigen::Map<const Eigen::Vector3d>(trial.At(frame, column));
  return sum / static_cast<double>(landmark.columns.size());
}

bool Present(const Eigen::Vector3d& v) { return v.allFinite(); }

struct SideLandmarks {
  std::map<std::string, ResolvedLandmark> role;
  const ResolvedLandmark& operator[](const std::string& name) const {
    static const ResolvedLandmark kNone;
    const auto it = role.find(name);
    return it == role.end() ? kNone : it->second;
  }
  bool Has(const std::string& name) const { return !(*this)[name].columns.empty(); }
};

struct TrackingMarker {
  int segment;
  ResolvedLandmark landmark;
  double weight = 1;
};

// Segment of each kind on one side in chain order.
int SegmentOf(const std::string& kind, int side) {
  if (kind == "pelvis") return kPelvis;
  const int base = side == kLeftLimb ? kThighLeft : kThighRight;
  return base + (kind == "thigh" ? 0 : kind == "shank" ? 1 : 2);
}

// Everything the calibration reads from one frame.
struct FrameAnatomy {
  bool ok = false;
  Eigen::Matrix3d rotation[kSegmentCount];
  Eigen::Vector3d origin[kSegmentCount];
  Eigen::Vector3d hip[2], knee[2], ankle[2];
};

class Calibrator {
 public:
  Calibrator(const MarkerTrajectories& trial, const MarkerSet& set, const SkeletonModel& model, const CalibrationOptions& options)
      : trial_(trial), set_(set), model_(model), options_(options), columns_(LabelColumns(trial.labels)) {}
  // The trial is copied: a static trial's mislabelled samples are blanked before averaging.

  SkeletonCalibration Run(const SubjectParameters& subject);

 private:
  void ResolveLandmarks();
  void ResolveTracking();
  std::vector<int> CalibrationFrames();
  void CheckStandingStill();
  void CheckChordWands(const std::vector<int>& frames) const;
  SubjectParameters Subject(const SubjectParameters& given, const std::vector<int>& frames);
  void ChooseMethods();
  FrameAnatomy Anatomy(int frame) const;
  IkChain BuildChain(const std::vector<int>& frames, SkeletonCalibration* calibration) const;
  [[noreturn]] void Missing(const std::string& labels, const std::string& what) const {
    throw FileFormatError(trial_.file, "marker " + labels, "present for " + what + " (model '" + model_.name +
                          "', marker set '" + set_.name + "')", "absent");
  }

  MarkerTrajectories trial_;
  const MarkerSet& set_;
  const SkeletonModel& model_;
  const CalibrationOptions& options_;
  std::map<std::string, int> columns_;
  SideLandmarks side_[2];
  ResolvedLandmark back_;  // PSIS midpoint or sacrum
  std::string back_description_;
  std::vector<TrackingMarker> tracking_;
  std::vector<std::string> notes_;
  SubjectParameters subject_;
  std::string knee_method_[2], ankle_method_[2];
};

void Calibrator::ResolveLandmarks() {
  for (int side : {kLeftLimb, kRightLimb}) {
    for (const auto& [role, alternatives] : set_.landmarks) {
      ResolvedLandmark resolved = ResolvePatterns(alternatives.patterns, set_, side, columns_);
      const bool needed = !alternatives.optional && role != "psis" && role != "sacrum" && role != "heel" &&
                          role != "thigh_wand" && role != "tibia_wand" && role != "knee_medial" && role != "ankle_medial";
      if (resolved.columns.empty() && needed) Missing(PatternList(alternatives, set_, side), role + " (" + LimbSideName(side) + ")");
      side_[side].role[role] = resolved;
    }
  }
  // The back of the pelvis: both PSIS (midpoint) or the sacrum.
  if (side_[kLeftLimb].Has("psis") && side_[kRightLimb].Has("psis")) {
    back_.columns = side_[kLeftLimb]["psis"].columns;
    back_.columns.insert(back_.columns.end(), side_[kRightLimb]["psis"].columns.begin(), side_[kRightLimb]["psis"].columns.end());
    back_.description = side_[kLeftLimb]["psis"].description + "+" + side_[kRightLimb]["psis"].description;
  } else if (side_[kLeftLimb].Has("sacrum")) {
    back_ = side_[kLeftLimb]["sacrum"];
  } else {
    std::string wanted;
    for (const char* role : {"psis", "sacrum"}) {
      if (set_.landmarks.count(role)) wanted += (wanted.empty() ? "" : " or ") + PatternList(set_.landmarks.at(role), set_, kLeftLimb);
    }
    Missing(wanted.empty() ? "PSIS or sacrum" : wanted, "the back of the pelvis");
  }
}

void Calibrator::ResolveTracking() {
  for (const auto& [kind, entries] : set_.tracking) {
    for (int side : {kLeftLimb, kRightLimb}) {
      if (kind == "pelvis" && side == kRightLimb) continue;
      for (const std::string& entry : entries) {
        std::vector<ResolvedLandmark> found;
        if (set_.landmarks.count(entry)) {
          if (kind == "pelvis" && entry != "sacrum") {
            for (int s : {kLeftLimb, kRightLimb}) found.push_back(side_[s][entry]);
          } else {
            found.push_back(side_[side][entry]);
          }
        } else {
          found.push_back(ResolvePatterns({entry}, set_, side, columns_));
        }
        for (const ResolvedLandmark& landmark : found) {
          if (landmark.columns.empty()) continue;
          const bool duplicate = std::any_of(tracking_.begin(), tracking_.end(),
                                             [&](const TrackingMarker& t) { return t.landmark.description == landmark.description; });
          const auto w = set_.weights.find(entry);
          if (!duplicate) tracking_.push_back({SegmentOf(kind, side), landmark, w == set_.weights.end() ? 1.0 : w->second});
        }
      }
    }
  }
}

void Calibrator::ChooseMethods() {
  for (int side : {kLeftLimb, kRightLimb}) {
    const SideLandmarks& l = side_[side];
    // A label that exists but is never seen (a medial marker gone from every frame) does not count.
    const auto seen = [&](const std::string& role) {
      if (!l.Has(role)) return false;
      for (int f = 0; f < trial_.frame_count; ++f) {
        if (Present(Position(trial_, f, l[role]))) return true;
      }
      return false;
    };
    const auto choose = [&](const std::vector<std::string>& preference, const std::string& pair_method,
                            const std::string& medial, const std::string& wand, const std::string& joint) {
      for (const std::string& method : preference) {
        if (method == pair_method && seen(medial)) return method;
        if (method == "chord" && seen(wand)) return method;
      }
      Missing(set_.landmarks.count(medial) ? PatternList(set_.landmarks.at(medial), set_, side) : medial,
              "the " + joint + " centre (" + LimbSideName(side) + "): a medial marker or a wand for the chord function");
    };
    knee_method_[side] = choose(model_.knee_centre, "condyles", "knee_medial", "thigh_wand", "knee");
    ankle_method_[side] = choose(model_.ankle_centre, "malleoli", "ankle_medial", "tibia_wand", "ankle");
  }
}

// The landmarks and tracking markers every calibration frame must have.
std::vector<int> Calibrator::CalibrationFrames() {
  std::vector<const ResolvedLandmark*> needed = {&back_};
  for (int side : {kLeftLimb, kRightLimb}) {
    for (const char* role : {"asis", "knee_lateral", "ankle_lateral", "toe"}) needed.push_back(&side_[side][role]);
    if (knee_method_[side] == "condyles") needed.push_back(&side_[side]["knee_medial"]);
    if (knee_method_[side] == "chord") needed.push_back(&side_[side]["thigh_wand"]);
    if (ankle_method_[side] == "malleoli") needed.push_back(&side_[side]["ankle_medial"]);
    if (ankle_method_[side] == "chord") needed.push_back(&side_[side]["tibia_wand"]);
  }
  const auto all_present = [&](int f, const std::vector<const ResolvedLandmark*>& list) {
    return std::all_of(list.begin(), list.end(), [&](const ResolvedLandmark* l) { return Present(Position(trial_, f, *l)); });
  };
  std::vector<int> complete;
  for (int f = 0; f < trial_.frame_count; ++f) {
    if (all_present(f, needed)) complete.push_back(f);
  }
  if (complete.empty()) {
    // Name the landmark seen least, so the user knows what to fix.
    const ResolvedLandmark* worst = needed.front();
    int worst_count = trial_.frame_count + 1;
    for (const ResolvedLandmark* l : needed) {
      int count = 0;
      for (int f = 0; f < trial_.frame_count; ++f) count += Present(Position(trial_, f, *l)) ? 1 : 0;
      if (count < worst_count) worst_count = count, worst = l;
    }
    throw FileFormatError(trial_.file, "marker " + worst->description,
                          "seen together with the other calibration landmarks in at least one frame",
                          "seen in " + std::to_string(worst_count) + " of " + std::to_string(trial_.frame_count) + " frames");
  }
  // The heel and tracking markers join when they are seen in most complete frames.
  for (int side : {kLeftLimb, kRightLimb}) {
    ResolvedLandmark& heel = side_[side].role["heel"];
    int seen = 0;
    for (int f : complete) seen += Present(Position(trial_, f, heel)) ? 1 : 0;
    if (!heel.columns.empty() && 2 * seen < static_cast<int>(complete.size())) {
      notes_.push_back("heel marker " + heel.description + " seen in " + std::to_string(seen) + " of " +
                       std::to_string(complete.size()) + " calibration frames: the " + LimbSideName(side) +
                       " foot's long axis runs from the ankle centre to the toe");
      heel.columns.clear();
    }
    if (!heel.columns.empty()) needed.push_back(&heel);
  }
  std::vector<TrackingMarker> kept;
  for (const TrackingMarker& t : tracking_) {
    int seen = 0;
    for (int f : complete) seen += Present(Position(trial_, f, t.landmark)) ? 1 : 0;
    if (2 * seen < static_cast<int>(complete.size())) {
      notes_.push_back("tracking marker " + t.landmark.description + " seen in " + std::to_string(seen) + " of " +
                       std::to_string(complete.size()) + " calibration frames: not used");
      continue;
    }
    kept.push_back(t);
  }
  tracking_ = kept;
  for (const TrackingMarker& t : tracking_) needed.push_back(&t.landmark);
  std::vector<int> frames;
  for (int f : complete) {
    if (all_present(f, needed)) frames.push_back(f);
  }
  if (frames.empty()) {
    frames = complete;  // tracking gaps: calibrate on what the complete frames have
    // The foot's long axis must be defined the same way in every frame: heel to toe, or, when
    // the heel is missing from any of these frames, ankle centre to toe throughout.
    for (int side : {kLeftLimb, kRightLimb}) {
      ResolvedLandmark& heel = side_[side].role["heel"];
      if (heel.columns.empty()) continue;
      const bool everywhere = std::all_of(frames.begin(), frames.end(), [&](int f) { return Present(Position(trial_, f, heel)); });
      if (!everywhere) {
        notes_.push_back("heel marker " + heel.description + " missing from some calibration frames: the " +
                         LimbSideName(side) + " foot's long axis runs from the ankle centre to the toe");
        heel.columns.clear();
      }
    }
  }
  // Evenly spaced, at most max_frames.
  if (options_.max_frames > 0 && static_cast<int>(frames.size()) > options_.max_frames) {
    std::vector<int> spaced;
    for (int i = 0; i < options_.max_frames; ++i) spaced.push_back(frames[static_cast<size_t>(i) * frames.size() / options_.max_frames]);
    frames = spaced;
  }
  return frames;
}

// A static trial: each marker should stay put. Samples far from the marker's median position are
// labelling slips (hybrid_standing.c3d swaps R_SHANK_1 for 20 of 1200 frames) and are left out,
// with a note; a marker whose 90th-percentile distance from its median exceeds the model's limit
// means the subject moved, and the trial is refused.
void Calibrator::CheckStandingStill() {
  std::set<int> columns;
  const auto add = [&](const ResolvedLandmark& l) { columns.insert(l.columns.begin(), l.columns.end()); };
  add(back_);
  for (int side : {kLeftLimb, kRightLimb}) {
    for (const auto& [role, landmark] : side_[side].role) add(landmark);
  }
  for (const TrackingMarker& t : tracking_) add(t.landmark);
  const double limit = model_.static_motion_limit_m;
  for (int column : columns) {
    std::vector<double> coordinate[3];
    for (int f = 0; f < trial_.frame_count; ++f) {
      const double* p = trial_.At(f, column);
      if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
      for (int k = 0; k < 3; ++k) coordinate[k].push_back(p[k]);
    }
    if (coordinate[0].empty()) continue;
    Eigen::Vector3d median;
    for (int k = 0; k < 3; ++k) {
      std::vector<double> v = coordinate[k];
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      median[k] = v[v.size() / 2];
    }
    std::vector<double> distance;
    for (size_t i = 0; i < coordinate[0].size(); ++i) {
      distance.push_back((Eigen::Vector3d(coordinate[0][i], coordinate[1][i], coordinate[2][i]) - median).norm());
    }
    std::vector<double> sorted = distance;
    const size_t p90 = sorted.size() * 9 / 10;
    std::nth_element(sorted.begin(), sorted.begin() + p90, sorted.end());
    const std::string label = StripSubjectPrefix(trial_.labels[column]);
    if (sorted[p90] > limit) {
      std::ostringstream got, expected;
      got.precision(3);
      got << "marker " << label << " 90th-percentile distance from its median position " << sorted[p90] * 1000 << " mm";
      expected << "a subject standing still (every marker within " << limit * 1000 << " mm of its median in 90 % of frames)";
      throw FileFormatError(trial_.file, "static trial", expected.str(), got.str());
    }
    int blanked = 0;
    for (int f = 0; f < trial_.frame_count; ++f) {
      double* p = trial_.At(f, column);
      if (!std::isfinite(p[0])) continue;
      if ((Eigen::Map<const Eigen::Vector3d>(p) - median).norm() > limit) {
        p[0] = p[1] = p[2] = kNaN;
        ++blanked;
      }
    }
    if (blanked > 0) {
      notes_.push_back("static trial: marker " + label + " more than " + std::to_string(static_cast<int>(limit * 1000)) +
                       " mm from its median in " + std::to_string(blanked) + " of " + std::to_string(trial_.frame_count) +
                       " frames (mislabelled?): those samples left out");
    }
  }
}

// The chord function places the joint centre on the side of the hip-knee (knee-ankle) line away
// from the wand, so it needs the wand lateral of that line, as Plug-in Gait's wands are (Davis et
// al. 1991). A thigh marker on the front of the thigh (some Helen Hayes variants) puts the centre
// behind the knee instead: refused rather than computed.
void Calibrator::CheckChordWands(const std::vector<int>& frames) const {
  for (int side : {kLeftLimb, kRightLimb}) {
    for (const bool knee : {true, false}) {
      if ((knee ? knee_method_[side] : ankle_method_[side]) != "chord") continue;
      const ResolvedLandmark& wand = side_[side][knee ? "thigh_wand" : "tibia_wand"];
      const ResolvedLandmark& marker = side_[side][knee ? "knee_lateral" : "ankle_lateral"];
      std::vector<double> lateral_mm;
      for (int f : frames) {
        const Eigen::Vector3d asis[2] = {Position(trial_, f, side_[kLeftLimb]["asis"]), Position(trial_, f, side_[kRightLimb]["asis"])};
        const Eigen::Vector3d outward = (side == kRightLimb ? 1.0 : -1.0) * (asis[kRightLimb] - asis[kLeftLimb]).normalized();
        const Eigen::Vector3d c = Position(trial_, f, marker);
        const Eigen::Vector3d proximal = knee ? Position(trial_, f, side_[side]["asis"]) : Position(trial_, f, side_[side]["knee_lateral"]);
        const Eigen::Vector3d u = (proximal - c).normalized();
        Eigen::Vector3d w = Position(trial_, f, wand) - c;
        w -= w.dot(u) * u;
        if (w.allFinite()) lateral_mm.push_back(w.dot(outward) * 1000);
      }
      if (lateral_mm.empty()) continue;
      std::nth_element(lateral_mm.begin(), lateral_mm.begin() + lateral_mm.size() / 2, lateral_mm.end());
      const double median = lateral_mm[lateral_mm.size() / 2];
      if (median < 5) {
        std::ostringstream got;
        got.precision(3);
        got << "a marker " << -median << " mm medial of that line (median of " << lateral_mm.size() << " frames)";
        throw FileFormatError(trial_.file, "marker " + wand.description,
                              std::string("a ") + (knee ? "thigh" : "tibia") + " wand lateral of the line from the " +
                                  (knee ? "ASIS" : "lateral knee marker") + " to " + marker.description +
                                  " (chord function; or medial markers)",
                              got.str());
      }
    }
  }
}

SubjectParameters Calibrator::Subject(const SubjectParameters& given, const std::vector<int>& frames) {
  // Estimate per frame and average, so a dynamic trial gives segment lengths, not lab averages.
  SubjectParameters sum;
  int n = 0;
  for (int f : frames) {
    LegLandmarks legs[2];
    for (int side : {kLeftLimb, kRightLimb}) {
      const SideLandmarks& l = side_[side];
      legs[side].asis = Position(trial_, f, l["asis"]);
      legs[side].knee_lateral = Position(trial_, f, l["knee_lateral"]);
      legs[side].knee_medial = Position(trial_, f, l["knee_medial"]);
      legs[side].ankle_lateral = Position(trial_, f, l["ankle_lateral"]);
      legs[side].ankle_medial = Position(trial_, f, l["ankle_medial"]);
    }
    const SubjectParameters estimate = EstimateMissing(given, legs[kLeftLimb], legs[kRightLimb]);
    if (n == 0) {
      sum = estimate;
    } else {
      for (int s : {kLeftLimb, kRightLimb}) {
        sum.leg_length_m[s] += estimate.leg_length_m[s];
        sum.knee_width_m[s] += estimate.knee_width_m[s];
        sum.ankle_width_m[s] += estimate.ankle_width_m[s];
      }
    }
    ++n;
  }
  for (int s : {kLeftLimb, kRightLimb}) {
    sum.leg_length_m[s] /= n;
    sum.knee_width_m[s] /= n;
    sum.ankle_width_m[s] /= n;
  }
  for (const std::string& warning : ValidateSubjectParameters(sum)) notes_.push_back(warning);
  for (const auto& [field, source] : sum.source) {
    if (source.find("estimated") != std::string::npos || source.find("typical") != std::string::npos ||
        source.find("default") != std::string::npos) {
      notes_.push_back("subject " + field + ": " + source);
    }
  }
  return sum;
}

FrameAnatomy Calibrator::Anatomy(int f) const {
  FrameAnatomy a;
  const Eigen::Vector3d asis[2] = {Position(trial_, f, side_[kLeftLimb]["asis"]), Position(trial_, f, side_[kRightLimb]["asis"])};
  const Eigen::Vector3d back = Position(trial_, f, back_);
  a.rotation[kPelvis] = PelvisAxes(asis[kLeftLimb], asis[kRightLimb], back);
  a.origin[kPelvis] = 0.5 * (asis[kLeftLimb] + asis[kRightLimb]);
  const double width = (asis[kRightLimb] - asis[kLeftLimb]).norm();
  const double depth = (a.origin[kPelvis] - back).norm();
  const double radius = subject_.marker_diameter_m / 2;
  for (int side : {kLeftLimb, kRightLimb}) {
    const SideLandmarks& l = side_[side];
    const double to_right = side == kRightLimb ? 1.0 : -1.0;
    const Eigen::Vector3d hip_in_pelvis = model_.hip_centre == "davis"
                                              ? DavisHipCentre(subject_.leg_length_m[side], width, radius, side)
                                              : HarringtonHipCentre(width, depth, side);
    a.hip[side] = a.origin[kPelvis] + a.rotation[kPelvis] * hip_in_pelvis;
    const Eigen::Vector3d knee_lateral = Position(trial_, f, l["knee_lateral"]);
    const Eigen::Vector3d knee_medial = Position(trial_, f, l["knee_medial"]);
    a.knee[side] = knee_method_[side] == "condyles"
                       ? Eigen::Vector3d(0.5 * (knee_lateral + knee_medial))
                       : ChordJointCentre(a.hip[side], Position(trial_, f, l["thigh_wand"]), knee_lateral,
                                          (subject_.knee_width_m[side] + subject_.marker_diameter_m) / 2);
    const Eigen::Vector3d ankle_lateral = Position(trial_, f, l["ankle_lateral"]);
    const Eigen::Vector3d ankle_medial = Position(trial_, f, l["ankle_medial"]);
    a.ankle[side] = ankle_method_[side] == "malleoli"
                        ? Eigen::Vector3d(0.5 * (ankle_lateral + ankle_medial))
                        : ChordJointCentre(a.knee[side], Position(trial_, f, l["tibia_wand"]), ankle_lateral,
                                           (subject_.ankle_width_m[side] + subject_.marker_diameter_m) / 2);
    const bool pairs = model_.lateral_axes == "landmark_pairs";
    const Eigen::Vector3d knee_right = pairs && Present(knee_medial) ? Eigen::Vector3d(to_right * (knee_lateral - knee_medial))
                                                                     : Eigen::Vector3d(to_right * (knee_lateral - a.knee[side]));
    const Eigen::Vector3d ankle_right = pairs && Present(ankle_medial)
                                            ? Eigen::Vector3d(to_right * (ankle_lateral - ankle_medial))
                                            : Eigen::Vector3d(to_right * (ankle_lateral - a.ankle[side]));
    const int thigh = SegmentOf("thigh", side), shank = thigh + 1, foot = thigh + 2;
    a.rotation[thigh] = LongAxisFrame(a.hip[side], a.knee[side], knee_right);
    a.origin[thigh] = a.hip[side];
    a.rotation[shank] = LongAxisFrame(a.knee[side], a.ankle[side], ankle_right);
    a.origin[shank] = a.knee[side];
    const Eigen::Vector3d heel = Position(trial_, f, l["heel"]);
    const Eigen::Vector3d toe = Position(trial_, f, l["toe"]);
    a.rotation[foot] = FootAxes(Present(heel) ? heel : a.ankle[side], toe, a.rotation[shank].col(2));
    a.origin[foot] = a.ankle[side];
  }
  a.ok = true;
  for (int s = 0; s < kSegmentCount; ++s) a.ok = a.ok && a.rotation[s].allFinite() && a.origin[s].allFinite();
  return a;
}

// A segment followed by one marker only (a Plug-in Gait foot without its heel marker: the toe)
// is a pointer: rotation about the line from its joint centre to that marker moves nothing, and a
// free rotation whose axis lies near that line leaves the normal equations nearly singular and
// the solver crawling. Such a rotation (axis within 30 degrees of the line: sensitivity, the
// marker's displacement per radian over its distance from the joint, below 0.5) is swapped for
// the model's locked rotation that the marker follows best (for the toe-only foot: foot rotation
// instead of inversion), or locked when none does better; the notes say so. Segments with two or
// more markers are fully determined and keep the model's degrees of freedom.
constexpr double kMinPointerSensitivity = 0.5;

double RotationSensitivity(const IkChain& chain, const SegmentPose* poses, const double* q, int s, int k) {
  const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double axis[3];
  JointAxis(chain, poses, identity, q, s, k, axis);
  double moved_sum = 0, lever_sum = 0;
  for (int m = 0; m < chain.marker_count; ++m) {
    int t = chain.marker_segment[m];
    while (t >= 0 && t != s) t = chain.joints[t].parent;
    if (t != s) continue;
    double p[3], moved[3];
    MarkerPosition(chain, poses, m, p);
    const double lever[3] = {p[0] - poses[s].origin_m[0], p[1] - poses[s].origin_m[1], p[2] - poses[s].origin_m[2]};
    Cross3(axis, lever, moved);
    moved_sum += moved[0] * moved[0] + moved[1] * moved[1] + moved[2] * moved[2];
    lever_sum += lever[0] * lever[0] + lever[1] * lever[1] + lever[2] * lever[2];
  }
  return lever_sum > 0 ? std::sqrt(moved_sum / lever_sum) : 0;
}

void SelectObservedRotations(IkChain* chain, SkeletonCalibration* calibration) {
  double q[kMaxChainCoordinates] = {};
  for (int s = 1; s < chain->segment_count; ++s) {
    for (int k = 0; k < 3; ++k) {
      if (chain->joints[s].coordinate[k] >= 0) q[chain->joints[s].coordinate[k]] = chain->joints[s].locked_rad[k];
    }
  }
  const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  SegmentPose poses[kMaxChainSegments];
  ChainPoses(*chain, identity, q, poses);
  bool free[kMaxChainSegments][3] = {};
  for (int s = 1; s < chain->segment_count; ++s) {
    for (int k = 0; k < 3; ++k) free[s][k] = chain->joints[s].coordinate[k] >= 0;
    int markers = 0;
    for (int m = 0; m < chain->marker_count; ++m) {
      int t = chain->marker_segment[m];
      while (t >= 0 && t != s) t = chain->joints[t].parent;
      markers += t == s ? 1 : 0;
    }
    if (markers != 1) continue;
    double sensitivity[3];
    for (int k = 0; k < 3; ++k) sensitivity[k] = RotationSensitivity(*chain, poses, q, s, k);
    const double best = std::max({sensitivity[0], sensitivity[1], sensitivity[2]});
    for (int k = 0; k < 3; ++k) {
      if (!free[s][k] || sensitivity[k] >= kMinPointerSensitivity) continue;
      int swap = -1;
      for (int j = 0; j < 3; ++j) {
        if (!free[s][j] && j != k && sensitivity[j] > sensitivity[k] && (swap < 0 || sensitivity[j] > sensitivity[swap])) swap = j;
      }
      free[s][k] = false;
      std::ostringstream note;
      note.precision(2);
      note << SegmentName(s) << " has one marker, and rotation " << "ZXY"[k] << " moves it " << sensitivity[k]
           << " of its distance from the joint per radian (best rotation " << best << "): locked at its calibration angle";
      if (swap >= 0) {
        free[s][swap] = true;
        note << ", rotation " << "ZXY"[swap] << " freed instead";
      }
      calibration->notes.push_back(note.str());
    }
  }
  int next = kRootCoordinates;
  for (int s = 1; s < chain->segment_count; ++s) {
    for (int k = 0; k < 3; ++k) chain->joints[s].coordinate[k] = free[s][k] ? next++ : -1;
  }
  chain->coordinate_count = next;
}

int Parent(int segment) { return segment == kPelvis ? -1 : (segment == kThighLeft || segment == kThighRight) ? kPelvis : segment - 1; }

const JointModel& JointOf(const SkeletonModel& model, int segment) {
  return (segment == kThighLeft || segment == kThighRight) ? model.hip
         : (segment == kShankLeft || segment == kShankRight) ? model.knee
                                                              : model.ankle;
}

IkChain Calibrator::BuildChain(const std::vector<int>& frames, SkeletonCalibration* calibration) const {
  // Sums over frames of: markers in their segment, joint centres in the parent, static angles.
  std::vector<Eigen::Vector3d> marker_sum(tracking_.size(), Eigen::Vector3d::Zero());
  std::vector<int> marker_n(tracking_.size(), 0);
  Eigen::Vector3d centre_sum[kSegmentCount], angle_sum[kSegmentCount];
  for (int s = 0; s < kSegmentCount; ++s) centre_sum[s] = angle_sum[s] = Eigen::Vector3d::Zero();
  std::map<std::string, Eigen::Vector3d> centres_lab;
  int used = 0;
  for (int f : frames) {
    const FrameAnatomy a = Anatomy(f);
    if (!a.ok) continue;
    ++used;
    for (size_t m = 0; m < tracking_.size(); ++m) {
      const Eigen::Vector3d p = Position(trial_, f, tracking_[m].landmark);
      if (!Present(p)) continue;
      const int s = tracking_[m].segment;
      marker_sum[m] += a.rotation[s].transpose() * (p - a.origin[s]);
      ++marker_n[m];
    }
    for (int s = 1; s < kSegmentCount; ++s) {
      const int p = Parent(s);
      centre_sum[s] += a.rotation[p].transpose() * (a.origin[s] - a.origin[p]);
      const Eigen::Matrix3d relative = a.rotation[p].transpose() * a.rotation[s];
      double r[9], angles[3];
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) r[3 * i + j] = relative(i, j);
      }
      JcsAngles(r, angles);
      angle_sum[s] += Eigen::Vector3d(angles[0], angles[1], angles[2]);
    }
    for (int side : {kLeftLimb, kRightLimb}) {
      const std::string name = LimbSideName(side);
      const auto add = [&](const std::string& key, const Eigen::Vector3d& v) {
        centres_lab.try_emplace(key, Eigen::Vector3d::Zero()).first->second += v;
      };
      add("hip_" + name, a.hip[side]);
      add("knee_" + name, a.knee[side]);
      add("ankle_" + name, a.ankle[side]);
    }
  }
  if (used == 0) {
    throw FileFormatError(trial_.file, "calibration frames", "landmarks that make segment frames (not collinear, "
                          "knee and ankle widths smaller than the segments)", "none of " + std::to_string(frames.size()));
  }
  calibration->frames_used = used;
  for (auto& [name, sum] : centres_lab) calibration->static_joint_centres_m[name] = sum / used;

  IkChain chain;
  chain.segment_count = kSegmentCount;
  int next = kRootCoordinates;
  for (int s = 0; s < kSegmentCount; ++s) {
    ChainJoint& joint = chain.joints[s];
    joint.parent = Parent(s);
    if (joint.parent < 0) continue;
    const Eigen::Vector3d centre = centre_sum[s] / used;
    const Eigen::Vector3d angles = angle_sum[s] / used;
    const JointModel& model = JointOf(model_, s);
    const std::array<int, 3>& sign = SegmentSide(s) == kRightLimb ? model.right_sign : model.left_sign;
    for (int k = 0; k < 3; ++k) {
      joint.centre_in_parent_m[k] = centre[k];
      joint.locked_rad[k] = angles[k];
      const double a = model.limits_deg[k][0] / kDegrees * sign[k], b = model.limits_deg[k][1] / kDegrees * sign[k];
      joint.lower_rad[k] = std::min(a, b);
      joint.upper_rad[k] = std::max(a, b);
      joint.coordinate[k] = model.free[k] ? next++ : -1;
    }
  }
  for (size_t m = 0; m < tracking_.size(); ++m) {
    if (marker_n[m] == 0) continue;
    MS_CHECK(chain.marker_count < kMaxChainMarkers);
    const int i = chain.marker_count++;
    chain.marker_segment[i] = tracking_[m].segment;
    const Eigen::Vector3d local = marker_sum[m] / marker_n[m];
    for (int k = 0; k < 3; ++k) chain.marker_local_m[i][k] = local[k];
    chain.marker_weight[i] = tracking_[m].weight;
    calibration->marker_labels.push_back(tracking_[m].landmark.description);
  }
  SelectObservedRotations(&chain, calibration);
  return chain;
}

SkeletonCalibration Calibrator::Run(const SubjectParameters& subject) {
  ResolveLandmarks();
  ResolveTracking();
  ChooseMethods();
  if (options_.is_static_trial) CheckStandingStill();
  const std::vector<int> frames = CalibrationFrames();
  CheckChordWands(frames);
  subject_ = Subject(subject, frames);
  SkeletonCalibration calibration;
  calibration.model = model_.name;
  calibration.marker_set = set_.name;
  calibration.source_file = trial_.file;
  calibration.from_static_trial = options_.is_static_trial;
  calibration.hip_method = model_.hip_centre == "davis" ? "Davis et al. 1991 (Plug-in Gait)" : "Harrington et al. 2007";
  for (int side : {kLeftLimb, kRightLimb}) {
    calibration.knee_method[side] = knee_method_[side] == "condyles" ? "condyle midpoint" : "chord function";
    calibration.ankle_method[side] = ankle_method_[side] == "malleoli" ? "malleolus midpoint" : "chord function";
  }
  calibration.chain = BuildChain(frames, &calibration);
  // Every segment needs markers to follow it.
  int count[kSegmentCount] = {};
  for (int m = 0; m < calibration.chain.marker_count; ++m) ++count[calibration.chain.marker_segment[m]];
  if (count[kPelvis] < 3) Missing("(pelvis tracking markers)", "the pelvis: at least 3 markers");
  for (int s = 1; s < kSegmentCount; ++s) {
    if (count[s] == 0) Missing("(" + std::string(SegmentName(s)) + " tracking markers)", std::string("the ") + SegmentName(s));
  }
  calibration.subject = subject_;
  calibration.notes.insert(calibration.notes.begin(), notes_.begin(), notes_.end());
  if (!options_.is_static_trial) {
    calibration.notes.push_back("no static trial: calibrated on " + std::to_string(calibration.frames_used) +
                                " frames of the dynamic trial where every landmark is seen");
  }
  return calibration;
}

}  // namespace

const char* SegmentName(int segment) {
  static const char* const kNames[] = {"pelvis", "thigh_left", "shank_left", "foot_left", "thigh_right", "shank_right", "foot_right"};
  return segment >= 0 && segment < kSegmentCount ? kNames[segment] : "?";
}

int SegmentSide(int segment) {
  if (segment >= kThighLeft && segment <= kFootLeft) return kLeftLimb;
  if (segment >= kThighRight && segment <= kFootRight) return kRightLimb;
  return -1;
}

SkeletonCalibration CalibrateSkeleton(const MarkerTrajectories& trial, const MarkerSet& markers,
                                      const SkeletonModel& model, const SubjectParameters& subject,
                                      const CalibrationOptions& options) {
  return Calibrator(trial, markers, model, options).Run(subject);
}

MarkerSet DetectMarkerSet(const std::string& file, const std::vector<std::string>& labels) {
  const std::map<std::string, int> columns = LabelColumns(labels);
  std::string closest, closest_missing;
  size_t fewest = SIZE_MAX;
  for (const MarkerSet& set : BuiltInMarkerSets()) {
    std::vector<std::string> missing;
    for (int side : {kLeftLimb, kRightLimb}) {
      for (const auto& [role, alternatives] : set.landmarks) {
        if (alternatives.optional) continue;
        if (ResolvePatterns(alternatives.patterns, set, side, columns).columns.empty()) {
          missing.push_back(PatternList(alternatives, set, side));
        }
      }
    }
    if (missing.empty()) return set;
    if (missing.size() < fewest) {
      fewest = missing.size();
      closest = set.name;
      closest_missing.clear();
      for (const std::string& m : missing) closest_missing += (closest_missing.empty() ? "" : ", ") + m;
    }
  }
  throw FileFormatError(file, "marker labels", "a known marker set (or --markerset FILE.toml)",
                        "none; the closest, '" + closest + "', misses " + closest_missing);
}

}  // namespace midstance
