// Force-plate descriptions: geometry from the corners, validation, and the C3D FORCE_PLATFORM
// group (c3d.org user guide) read into them.
#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "midstance/c3d.h"
#include "midstance/error.h"
#include "midstance/forceplate.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string Field(const ForcePlate& plate, const std::string& field) { return plate.name + ":" + field; }

std::string Millimetres(double metres) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f mm", metres * 1e3);
  return text;
}

// Opposite edges must agree within 2 % or 5 mm (whichever is larger): surveyed corners of real
// plates differ by a millimetre or two, a mistyped corner by far more.
void CheckEdgePair(const ForcePlate& plate, const Eigen::Vector3d& a, const Eigen::Vector3d& b, const char* which) {
  const double tolerance = std::max(5e-3, 0.02 * std::max(a.norm(), b.norm()));
  if (a.norm() < 0.05 || std::abs(a.norm() - b.norm()) > tolerance || a.dot(b) <= 0) {
    throw FileFormatError(plate.file, Field(plate, "CORNERS"),
                          std::string("a rectangle (corners 1-4 in order; ") + which + " edges of equal length)",
                          Millimetres(a.norm()) + " and " + Millimetres(b.norm()) + (a.dot(b) <= 0 ? " running opposite ways" : ""));
  }
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

PlateGeometry PlateGeometryOf(const ForcePlate& plate) {
  const auto& c = plate.corners_m;
  for (const Eigen::Vector3d& corner : c) {
    if (!corner.allFinite()) throw FileFormatError(plate.file, Field(plate, "CORNERS"), "finite coordinates", "NaN or infinity");
  }
  const Eigen::Vector3d x_edge = c[0] - c[1], y_edge = c[0] - c[3];
  CheckEdgePair(plate, x_edge, c[3] - c[2], "1-2 and 4-3");
  CheckEdgePair(plate, y_edge, c[1] - c[2], "1-4 and 2-3");
  const double angle_deg = std::acos(std::clamp(x_edge.normalized().dot(y_edge.normalized()), -1.0, 1.0)) * 180.0 / kPi;
  if (std::abs(angle_deg - 90.0) > 2.0) {
    char got[64];
    std::snprintf(got, sizeof(got), "%.1f degrees at corner 1", angle_deg);
    throw FileFormatError(plate.file, Field(plate, "CORNERS"), "a rectangle (right angles within 2 degrees)", got);
  }
  // x from corner 2 to 1, y from corner 4 to 1 made orthogonal to x, z = x cross y (BTK and the
  // guide's corner numbering). Surveyed corners are not exactly square; Gram-Schmidt keeps the
  // axes orthonormal so forces keep their magnitude.
  PlateGeometry g;
  const Eigen::Vector3d x = x_edge.normalized();
  const Eigen::Vector3d z = x.cross(y_edge).normalized();
  g.lab_from_plate.col(0) = x;
  g.lab_from_plate.col(1) = z.cross(x);
  g.lab_from_plate.col(2) = z;
  g.centre_m = (c[0] + c[1] + c[2] + c[3]) / 4.0;
  return g;
}

void ValidatePlate(const ForcePlate& plate, int analog_channel_count) {
  if (plate.type < 1 || plate.type > 4) {
    throw FileFormatError(plate.file, Field(plate, "TYPE"), "1, 2, 3 or 4", std::to_string(plate.type));
  }
  const size_t needed = plate.type == 3 ? 8 : 6;
  if (plate.channels.size() < needed) {
    throw FileFormatError(plate.file, Field(plate, "CHANNEL"),
                          std::to_string(needed) + " analog channels for a type-" + std::to_string(plate.type) + " plate",
                          std::to_string(plate.channels.size()));
  }
  for (size_t k = 0; k < needed; ++k) {
    const int channel = plate.channels[k];
    if (channel < 0 || channel >= analog_channel_count) {
      throw FileFormatError(plate.file, Field(plate, "CHANNEL"),
                            "analog channel numbers 1.." + std::to_string(analog_channel_count) + " (the analog channels present)",
                            std::to_string(channel + 1) + " for output " + std::to_string(k + 1));
    }
  }
  if (plate.type == 4) {
    if (plate.calibration.rows() != 6 || plate.calibration.cols() != 6) {
      throw FileFormatError(plate.file, Field(plate, "CAL_MATRIX"), "a 6 x 6 calibration matrix for a type-4 plate",
                            std::to_string(plate.calibration.rows()) + " x " + std::to_string(plate.calibration.cols()));
    }
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(plate.calibration);
    const Eigen::VectorXd sigma = svd.singularValues();
    if (!plate.calibration.allFinite() || !(sigma(sigma.size() - 1) > 1e-9 * sigma(0))) {
      char got[64];
      std::snprintf(got, sizeof(got), "a singular matrix (condition number %.3g)", sigma(0) / sigma(sigma.size() - 1));
      throw FileFormatError(plate.file, Field(plate, "CAL_MATRIX"), "an invertible calibration matrix", got);
    }
  }
  if (plate.type == 3 && !plate.cop_polynomial.empty() && plate.cop_polynomial.size() != 12) {
    throw FileFormatError(plate.file, Field(plate, "FPCOPPOLY"), "12 coefficients (Px1-6, Py1-6)",
                          std::to_string(plate.cop_polynomial.size()));
  }
  if (!(plate.moment_unit_m > 0)) throw FileFormatError(plate.file, Field(plate, "units"), "a positive length unit", "none");
  PlateGeometryOf(plate);
}

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

}  // namespace midstance
