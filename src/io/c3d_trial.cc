// A C3D file read into the trial model (c3d_trial.h).
#include "midstance/c3d_trial.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <limits>
#include <cstdio>

#include "midstance/error.h"
#include "midstance/forceplate.h"

namespace midstance {
namespace {

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Metres per file unit; a file without POINT:UNITS is in millimetres, the norm (c3d.org guide).
double MetresPerUnit(const C3dFile& c3d) { return c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres(); }

// GROUP:NAME's first number when present, finite and > 0 (Vicon writes 0 for "not measured").
const C3dParameter* PositiveParameter(const C3dFile& file, const std::string& group, const std::string& name) {
  const C3dParameter* p = file.Find(group, name);
  if (!p || p->numbers.empty() || !std::isfinite(p->numbers[0]) || !(p->numbers[0] > 0)) return nullptr;
  return p;
}

// A C3D residual word of 0 marks a point the software interpolated rather than reconstructed
// (c3d.org guide, "3D point residuals"): kept as data, flagged as filled.
void CopyResiduals(const C3dFile& c3d, double unit_m, const std::vector<int>& columns, MarkerTrajectories* m) {
  const size_t frames = static_cast<size_t>(c3d.frame_count);
  m->residual_m.assign(frames * columns.size(), NAN);
  m->filled.assign(frames * columns.size(), 0);
  for (size_t f = 0; f < frames; ++f) {
    for (size_t k = 0; k < columns.size(); ++k) {
      const double r = c3d.residuals[f * static_cast<size_t>(c3d.point_count) + static_cast<size_t>(columns[k])];
      m->residual_m[f * columns.size() + k] = r * unit_m;
      m->filled[f * columns.size() + k] = r == 0 ? 1 : 0;
    }
  }
}

MarkerTrajectories Columns(const C3dFile& c3d, const std::vector<int>& columns) {
  MarkerTrajectories t;
  t.file = c3d.path;
  t.rate_hz = c3d.point_rate_hz;
  t.frame_count = static_cast<int>(c3d.frame_count);
  const double unit = MetresPerUnit(c3d);
  for (int c : columns) t.labels.push_back(c3d.point_labels[static_cast<size_t>(c)]);
  t.positions_m.resize(static_cast<size_t>(c3d.frame_count) * columns.size() * 3);
  for (size_t f = 0; f < static_cast<size_t>(c3d.frame_count); ++f) {
    for (size_t k = 0; k < columns.size(); ++k) {
      for (size_t i = 0; i < 3; ++i) {
        t.positions_m[(f * columns.size() + k) * 3 + i] =
            c3d.points[(f * static_cast<size_t>(c3d.point_count) + static_cast<size_t>(columns[k])) * 3 + i] * unit;
      }
    }
  }
  if (c3d.residuals.size() == static_cast<size_t>(c3d.frame_count) * static_cast<size_t>(c3d.point_count)) {
    CopyResiduals(c3d, unit, columns, &t);
  }
  return t;
}

AnalogChannels AnalogOf(const C3dFile& c3d) {
  AnalogChannels a;
  a.rate_hz = c3d.analog_rate_hz;
  a.channel_count = c3d.analog_channel_count;
  a.samples = c3d.analog_channel_count > 0 ? static_cast<int64_t>(c3d.analog.size()) / c3d.analog_channel_count : 0;
  a.labels = c3d.analog_labels;
  a.values = c3d.analog;
  a.offset_s = 0;  // the first analog sample is taken with the first frame (c3d.org guide)
  return a;
}

// Kistler specifies its COP correction as a few millimetres on plates of 400-900 mm; a
// polynomial that moves the COP at a corner of the surface by more than a tenth of the plate's
// half-size is in another layout or length unit than the BioWare one applied here.
constexpr double kMaxCopCorrectionOfHalfSize = 0.1;
constexpr size_t kKistlerCoefficients = 12;  // Px1-6, Py1-6

// Why `plate`'s FPCOPPOLY cannot be applied as Kistler's correction, or "" when it can.
std::string CopPolynomialProblem(const ForcePlate& plate) {
  if (plate.cop_polynomial.size() != kKistlerCoefficients) {
    return std::to_string(plate.cop_polynomial.size()) + " coefficients, not " + std::to_string(kKistlerCoefficients) +
           " (Px1-6, Py1-6)";
  }
  const auto& c = plate.corners_m;
  const double half_x = (c[0] - c[1]).norm() / 2, half_y = (c[0] - c[3]).norm() / 2;
  double worst = 0;
  for (const double sx : {-1.0, 1.0}) {
    for (const double sy : {-1.0, 1.0}) {
      double x = sx * half_x, y = sy * half_y;
      CorrectKistlerCop(plate.cop_polynomial, plate.moment_unit_m, &x, &y);
      const double shift = std::max(std::abs(x - sx * half_x) / half_x, std::abs(y - sy * half_y) / half_y);
      worst = std::isfinite(shift) ? std::max(worst, shift) : std::numeric_limits<double>::infinity();
    }
  }
  if (worst <= kMaxCopCorrectionOfHalfSize) return "";
  char text[160];
  std::snprintf(text, sizeof(text), "a correction moving the COP by %.3g times the plate's half-size at its corners", worst);
  return text;
}

// Qualisys exports of Kistler plates store FPCOPPOLY in a layout (or unit) whose coefficients,
// applied as BioWare's, would throw the COP off the plate. Nothing in the file says which layout
// it is, so such coefficients are ignored (Kistler's correction is a few mm, so the uncorrected COP
// stays usable), with one warning naming the plates, rather than the file refused.
void DropUnusableCopPolynomials(const C3dFile& c3d, std::vector<ForcePlate>* plates, std::vector<std::string>* warnings) {
  std::string dropped, problem;
  int count = 0;
  for (size_t i = 0; i < plates->size(); ++i) {
    ForcePlate& plate = (*plates)[i];
    if (plate.cop_polynomial.empty()) continue;
    const std::string why = CopPolynomialProblem(plate);
    if (why.empty()) continue;
    if (c3d.read_options.strict) {
      throw FileFormatError(c3d.path, plate.name + ":FPCOPPOLY", "Kistler's COP correction (12 coefficients, a few mm)", why);
    }
    plate.cop_polynomial.clear();
    dropped += (dropped.empty() ? "" : ", ") + std::to_string(i + 1);
    ++count;
    if (problem.empty()) problem = why;
  }
  if (dropped.empty() || !warnings) return;
  warnings->push_back(c3d.path + ": FORCE_PLATFORM:FPCOPPOLY cannot be applied as Kistler's COP correction (plate" + std::string(count > 1 ? "s " : " ") + dropped +
                      ": " + problem + "): ignored, COP uncorrected");
}

}  // namespace

std::vector<std::string> C3dModelOutputLabels(const C3dFile& c3d) {
  std::vector<std::string> labels;
  for (const char* kind : {"ANGLES", "FORCES", "MOMENTS", "POWERS", "SCALARS", "REACTIONS"}) {
    if (const C3dParameter* p = c3d.Find("POINT", kind)) {
      for (const std::string& label : p->strings) {
        if (!label.empty()) labels.push_back(Upper(label));
      }
    }
  }
  return labels;
}

MarkerTrajectories MarkerTrajectoriesFromC3d(const C3dFile& c3d) {
  std::vector<int> all(static_cast<size_t>(c3d.point_count));
  for (int i = 0; i < c3d.point_count; ++i) all[static_cast<size_t>(i)] = i;
  return Columns(c3d, all);
}

Trial TrialFromC3d(const C3dFile& c3d) {
  Trial trial;
  trial.path = c3d.path;
  trial.format = "c3d";
  trial.input_paths = {c3d.path};
  trial.warnings = c3d.warnings;
  if (c3d.point_units.empty() && c3d.point_count > 0) {
    trial.warnings.push_back(c3d.path + ": POINT:UNITS absent: points read as millimetres, the format's norm");
  }
  const std::vector<std::string> outputs = C3dModelOutputLabels(c3d);
  const std::set<std::string> output_set(outputs.begin(), outputs.end());
  std::vector<int> markers;
  for (int i = 0; i < c3d.point_count; ++i) {
    const std::string& label = c3d.point_labels[static_cast<size_t>(i)];
    // Model outputs are matched with and without a subject prefix ("A22:LKneeAngles").
    const std::string bare = Upper(label.find(':') == std::string::npos ? label : label.substr(label.find(':') + 1));
    if (output_set.count(Upper(label)) || output_set.count(bare)) {
      trial.model_outputs.push_back(label);
    } else {
      markers.push_back(i);
    }
  }
  trial.markers = Columns(c3d, markers);
  if (const int64_t zeros = ZeroMarkersToNan(&trial.markers); zeros > 0) {
    trial.warnings.push_back(c3d.path + ": " + std::to_string(zeros) +
                             " marker samples stored as exactly (0, 0, 0): read as missing (NaN)");
  }
  trial.analog = AnalogOf(c3d);
  trial.plates = ForcePlatesFromC3d(c3d, &trial.warnings);
  for (const C3dEvent& e : c3d.Events()) trial.events.push_back({e.label, e.context, e.time_s});
  trial.subject = SubjectParametersFromC3d(c3d);
  return trial;
}

Trial ReadTrialC3d(const std::string& path, const C3dReadOptions& options) { return TrialFromC3d(ReadC3d(path, options)); }

std::vector<ForcePlate> ForcePlatesFromC3d(const C3dFile& c3d, std::vector<std::string>* warnings) {
  const std::vector<C3dForcePlate> stored = c3d.ForcePlates();
  if (stored.empty()) return {};
  // Lengths (CORNERS, ORIGIN, moments) are in POINT:UNITS; a file without units is in mm, the norm.
  const double unit_m = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();
  std::array<int, 2> zero = {1, 0};
  if (const C3dParameter* p = c3d.Find("FORCE_PLATFORM", "ZERO"); p && p->numbers.size() >= 2) {
    zero = {static_cast<int>(p->numbers[0]), static_cast<int>(p->numbers[1])};
  }
  std::vector<ForcePlate> plates;
  for (size_t i = 0; i < stored.size(); ++i) {
    const C3dForcePlate& s = stored[i];
    ForcePlate plate;
    plate.file = c3d.path;
    plate.name = "FORCE_PLATFORM plate " + std::to_string(i + 1);
    plate.type = s.type;
    for (int k = 0; k < 4; ++k) plate.corners_m[static_cast<size_t>(k)] = Eigen::Vector3d(s.corners[k][0], s.corners[k][1], s.corners[k][2]) * unit_m;
    plate.origin_m = Eigen::Vector3d(s.origin[0], s.origin[1], s.origin[2]) * unit_m;
    for (int channel : s.channels) plate.channels.push_back(channel - 1);
    if (s.type == 4) {
      if (s.calibration.size() != 36) {
        throw FileFormatError(c3d.path, plate.name + ":CAL_MATRIX", "a 6 x 6 calibration matrix for a type-4 plate",
                              std::to_string(s.calibration.size()) + " values");
      }
      plate.calibration = Eigen::Map<const Eigen::Matrix<double, 6, 6>>(s.calibration.data());  // column-major as stored
    }
    plate.moment_unit_m = unit_m;
    plate.zero_frames = zero;
    if (s.type == 3) plate.cop_polynomial = s.cop_polynomial;
    plates.push_back(std::move(plate));
  }
  DropUnusableCopPolynomials(c3d, &plates, warnings);
  for (const ForcePlate& plate : plates) ValidatePlate(plate, c3d.analog_channel_count);
  return plates;
}


SubjectParameters SubjectParametersFromC3d(const C3dFile& file) {
  SubjectParameters p;
  auto take = [&](const char* field, const C3dParameter* parameter, double to_si) {
    if (!parameter || SubjectParameterIsSet(p, field)) return;
    SetSubjectParameter(&p, field, parameter->numbers[0] * to_si, file.path + ": " + parameter->group + ":" + parameter->name);
  };
  struct Named {
    const char* field;
    const char* parameter;
    double to_si;
  };
  constexpr double kMm = 1e-3;
  const Named vicon[] = {
      {"mass", "Bodymass", 1},
      {"height", "Height", kMm},
      {"leg_length_left", "LLegLength", kMm},
      {"leg_length_right", "RLegLength", kMm},
      {"knee_width_left", "LKneeWidth", kMm},
      {"knee_width_right", "RKneeWidth", kMm},
      {"ankle_width_left", "LAnkleWidth", kMm},
      {"ankle_width_right", "RAnkleWidth", kMm},
      {"marker_diameter", "MarkerDiameter", kMm},
  };
  for (const char* group : {"PROCESSING", "SUBJECTS"}) {
    for (const Named& v : vicon) take(v.field, PositiveParameter(file, group, v.parameter), v.to_si);
  }
  const Named c3d_org[] = {{"mass", "WEIGHT", 1}, {"height", "HEIGHT", 1}, {"marker_diameter", "TARGET_RADIUS", 2}};
  for (const Named& v : c3d_org) take(v.field, PositiveParameter(file, "SUBJECT", v.parameter), v.to_si);
  return p;
}

}  // namespace midstance
