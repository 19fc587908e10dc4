// Force-plate descriptions: geometry from the corners, validation, and the C3D FORCE_PLATFORM
// group (c3d.org user guide) is read into them in io/ (c3d_trial.h).
#include <Eigen/Dense>
#include <cmath>

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

}  // namespace midstance
