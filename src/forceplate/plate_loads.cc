// Ground reaction force, centre of pressure and free moment of one plate, per analog sample.
//
// Every type reduces to the load in the plate frame: force F and moment M_c about the centre of
// the plate surface. With the COP r = (x, y, 0) on the surface and the free moment (0, 0, Tz),
// M_c = r x F + (0, 0, Tz), so (c3d.org user guide, "Force platform types"; Kwon,
// "Calculation of the centre of pressure", kwon3d.com/theory/grf/cop.html):
//   x = -M_c,y / Fz,   y = M_c,x / Fz,   Tz = M_c,z - (x Fy - y Fx).
// A moment measured about the sensor origin moves to the surface centre s as M_c = M_o - s x F.
#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "midstance/error.h"
#include "midstance/forceplate.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int OutputCount(int type) { return type == 3 ? 8 : 6; }

// The plate's outputs per sample: channels as they are (types 1-3) or CAL_MATRIX x channels
// (type 4: the guide stores the matrix with the output index varying fastest).
Eigen::MatrixXd PlateOutputs(const ForcePlate& plate, const std::vector<double>& analog, int channel_count) {
  const int64_t samples = static_cast<int64_t>(analog.size()) / channel_count;
  const int outputs = OutputCount(plate.type);
  Eigen::MatrixXd raw(outputs, samples);
  for (int64_t s = 0; s < samples; ++s) {
    for (int k = 0; k < outputs; ++k) {
      raw(k, s) = analog[static_cast<size_t>(s * channel_count + plate.channels[static_cast<size_t>(k)])];
    }
  }
  if (plate.type == 4) return plate.calibration * raw;
  return raw;
}

// FORCE_PLATFORM:ZERO: the mean over frames [first, last] (1-based, relative to the first frame
// in the file) is subtracted; no baseline when the range is empty ([1, 0]) or starts before
// frame 1 (Vicon writes [0, 10] on files processed without one). Type 1's X and Y are positions,
// never offset.
bool RemoveBaseline(const ForcePlate& plate, int samples_per_frame, Eigen::MatrixXd* outputs, Eigen::VectorXd* mean) {
  const int64_t first = plate.zero_frames[0], last = plate.zero_frames[1];
  if (first < 1 || last < first || samples_per_frame < 1) return false;
  const int64_t begin = (first - 1) * samples_per_frame;
  const int64_t end = std::min<int64_t>(last * samples_per_frame, outputs->cols());
  if (begin >= end) return false;
  *mean = outputs->middleCols(begin, end - begin).rowwise().mean();
  if (plate.type == 1) (*mean)(3) = (*mean)(4) = 0;
  outputs->colwise() -= *mean;
  return true;
}

// Kistler type 3 (Kistler "Multicomponent force plate" manual, formulae for the 8 outputs):
// fx12 fx34 fy14 fy23 fz1 fz2 fz3 fz4, sensors at (+-a, +-b) from the plate centre, the top
// surface az0 above the sensor plane (az0 < 0 in the plate's z-down frame).
struct KistlerGeometry {
  double a_m, b_m, az0_m;
};
KistlerGeometry KistlerGeometryOf(const ForcePlate& plate) {
  return {std::abs(plate.origin_m.x()), std::abs(plate.origin_m.y()), -std::abs(plate.origin_m.z())};
}

struct PlateFrameLoad {
  Eigen::Vector3d force, moment_centre;  // N, N m about the surface centre
};

PlateFrameLoad LoadOfSample(const ForcePlate& plate, const Eigen::VectorXd& out) {
  const double unit = plate.moment_unit_m;
  PlateFrameLoad load;
  switch (plate.type) {
    case 1: {  // Fx Fy Fz X Y Tz: the COP (from the surface centre) and free moment are given
      load.force = out.head<3>();
      const Eigen::Vector3d r(out(3) * unit, out(4) * unit, 0.0);
      load.moment_centre = r.cross(load.force) + Eigen::Vector3d(0, 0, out(5) * unit);
      break;
    }
    case 3: {
      const KistlerGeometry k = KistlerGeometryOf(plate);
      load.force = {out(0) + out(1), out(2) + out(3), out(4) + out(5) + out(6) + out(7)};
      const Eigen::Vector3d moment_sensor(k.b_m * (out(4) + out(5) - out(6) - out(7)),
                                          k.a_m * (-out(4) + out(5) + out(6) - out(7)),
                                          k.b_m * (-out(0) + out(1)) + k.a_m * (out(2) - out(3)));
      load.moment_centre = moment_sensor - Eigen::Vector3d(0, 0, k.az0_m).cross(load.force);
      break;
    }
    default: {  // 2 and 4: Fx Fy Fz Mx My Mz about the sensor origin
      load.force = out.head<3>();
      const Eigen::Vector3d moment_sensor = out.segment<3>(3) * unit;
      // ORIGIN is the surface centre seen from the sensor origin (guide); its z is negative in
      // the z-down plate frame. Some vendors (AMTI sheets, Vicon, OpenSim's files) store the
      // depth as positive: the whole vector is then negated, which reproduces both forms.
      const Eigen::Vector3d surface = plate.origin_m.z() > 0 ? Eigen::Vector3d(-plate.origin_m) : plate.origin_m;
      load.moment_centre = moment_sensor - surface.cross(load.force);
      break;
    }
  }
  return load;
}

// x, y of the COP (from the surface centre) and Tz, or NaN when Fz is too small to divide by.
Eigen::Vector3d CopAndFreeMoment(const ForcePlate& plate, const PlateFrameLoad& load) {
  const Eigen::Vector3d& f = load.force;
  const Eigen::Vector3d& m = load.moment_centre;
  double x = -m.y() / f.z(), y = m.x() / f.z();
  if (plate.type == 3) CorrectKistlerCop(plate.cop_polynomial, plate.moment_unit_m, &x, &y);
  return {x, y, m.z() - (x * f.y() - y * f.x())};
}

// The vertical load on the subject is positive (upward); channels that report the action on the
// plate give a negative vertical force at the largest load, and are flipped.
int SignFromData(const Eigen::Matrix3d& lab_from_plate, const std::vector<PlateFrameLoad>& loads, double threshold_n) {
  double extreme = 0;
  for (const PlateFrameLoad& load : loads) {
    const double vertical = lab_from_plate.row(2).dot(load.force);
    if (std::abs(vertical) > std::abs(extreme)) extreme = vertical;
  }
  return extreme < -threshold_n ? -1 : 1;
}

}  // namespace

void CorrectKistlerCop(const std::vector<double>& p, double unit_m, double* x_m, double* y_m) {
  if (p.size() < 12) return;
  const double x = *x_m / unit_m, y = *y_m / unit_m;
  const double x2 = x * x, y2 = y * y;
  auto factor = [&](const double* c) { return c[0] * y2 * y2 + c[1] * x2 * y2 + c[2] * x2 * x2 + c[3] * y2 + c[4] * x2 + c[5]; };
  *x_m = (x - x * factor(p.data())) * unit_m;
  *y_m = (y - y * factor(p.data() + 6)) * unit_m;
}

PlateLoads ComputePlateLoads(const ForcePlate& plate, const std::vector<double>& analog, int channel_count,
                             int samples_per_frame, const PlateOptions& options) {
  ValidatePlate(plate, channel_count);
  if (analog.size() % static_cast<size_t>(channel_count) != 0) {
    throw InvalidInput(plate.file + ": " + plate.name + ": analog data of " + std::to_string(analog.size()) +
                       " values is not a whole number of samples of " + std::to_string(channel_count) + " channels");
  }
  const PlateGeometry geometry = PlateGeometryOf(plate);
  Eigen::MatrixXd outputs = PlateOutputs(plate, analog, channel_count);
  PlateLoads result;
  result.samples = outputs.cols();
  Eigen::VectorXd mean;
  if (options.remove_baseline && RemoveBaseline(plate, samples_per_frame, &outputs, &mean)) {
    result.baseline_applied = true;
    result.baseline_removed = LoadOfSample(plate, mean).force;
  }
  std::vector<PlateFrameLoad> loads(static_cast<size_t>(result.samples));
  for (int64_t s = 0; s < result.samples; ++s) loads[static_cast<size_t>(s)] = LoadOfSample(plate, outputs.col(s));
  const Eigen::Matrix3d& r = geometry.lab_from_plate;
  result.sign = options.sign != 0 ? (options.sign > 0 ? 1 : -1) : SignFromData(r, loads, options.threshold_n);
  const size_t n = static_cast<size_t>(result.samples) * 3;
  result.force_n.resize(n);
  result.moment_nm.resize(n);
  result.cop_m.assign(n, kNaN);
  result.free_moment_nm.assign(n, kNaN);
  for (size_t s = 0; s < loads.size(); ++s) {
    const PlateFrameLoad load{result.sign * loads[s].force, result.sign * loads[s].moment_centre};
    const Eigen::Vector3d force = r * load.force, moment = r * load.moment_centre;
    for (int k = 0; k < 3; ++k) {
      result.force_n[3 * s + static_cast<size_t>(k)] = force(k);
      result.moment_nm[3 * s + static_cast<size_t>(k)] = moment(k);
    }
    if (!(force.z() > options.threshold_n)) continue;
    const Eigen::Vector3d cop = CopAndFreeMoment(plate, load);
    const Eigen::Vector3d cop_lab = geometry.centre_m + r * Eigen::Vector3d(cop.x(), cop.y(), 0.0);
    const Eigen::Vector3d free_lab = r * Eigen::Vector3d(0, 0, cop.z());
    for (int k = 0; k < 3; ++k) {
      result.cop_m[3 * s + static_cast<size_t>(k)] = cop_lab(k);
      result.free_moment_nm[3 * s + static_cast<size_t>(k)] = free_lab(k);
    }
  }
  return result;
}

}  // namespace midstance
