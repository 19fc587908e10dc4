// A C3D file read into the trial model (c3d_trial.h).
#include "midstance/c3d_trial.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

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
  trial.plates = ForcePlatesFromC3d(c3d);
  for (const C3dEvent& e : c3d.Events()) trial.events.push_back({e.label, e.context, e.time_s});
  trial.subject = SubjectParametersFromC3d(c3d);
  return trial;
}

Trial ReadTrialC3d(const std::string& path) { return TrialFromC3d(ReadC3d(path)); }

std::vector<ForcePlate> ForcePlatesFromC3d(const C3dFile& c3d) {
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
    plate.cop_polynomial = s.cop_polynomial;
    plate.moment_unit_m = unit_m;
    plate.zero_frames = zero;
    ValidatePlate(plate, c3d.analog_channel_count);
    plates.push_back(std::move(plate));
  }
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
