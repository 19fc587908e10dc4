#pragma once
// Force plates: analog channels -> ground reaction force, centre of pressure and free moment in
// the lab frame, at the analog rate, for the C3D plate types 1-4 (c3d.org, "The C3D File Format
// User Guide", FORCE_PLATFORM group).
//
// Plate frame: from the corners as the guide numbers them (corner 1 in the plate's +x +y
// quadrant, 2 in -x +y, 3 in -x -y, 4 in +x -y), x along corner 2 -> 1, y along corner 4 -> 1
// made orthogonal to x (Gram-Schmidt), z = x cross y, which points into the ground for a plate
// seen from above. The channels report the load on the subject in that frame (verified on every
// plate of ../shared/data); when a plate's vertical force comes out negative while loaded, its
// channels report the action on the plate instead and the sign is flipped (recorded).
//
// Output convention: force ON THE SUBJECT (vertical positive when loaded), lab frame, newtons;
// centre of pressure on the plate surface, metres; free moment about the vertical axis of the
// plate at the centre of pressure, N m; moment of the whole load about the centre of the plate
// surface, N m. COP and free moment are NaN where the vertical force is at or below the threshold.
#include <Eigen/Core>
#include <array>
#include <string>
#include <vector>

#include "midstance/trial_model.h"

namespace midstance {

// ForcePlate, the description of a plate, is part of the trial model (trial_model.h).

// Orthonormal plate axes (columns: x, y, z in the lab frame) and the centre of the corners.
struct PlateGeometry {
  Eigen::Matrix3d lab_from_plate;
  Eigen::Vector3d centre_m;
};

// Throws FileFormatError naming the plate when its corners are not a rectangle (degenerate,
// edges unequal by more than 2 % or 5 mm, corners off square by more than 2 degrees).
PlateGeometry PlateGeometryOf(const ForcePlate& plate);

// Checks the description against an analog stream: channel count for the type, channels present,
// calibration matrix square-enough and not singular, corners a rectangle. Throws naming the field.
void ValidatePlate(const ForcePlate& plate, int analog_channel_count);

struct PlateOptions {
  double threshold_n = 20;         // COP / free moment defined above this vertical force
  bool remove_baseline = true;     // as zero_frames says; false: never
  int sign = 0;                    // 0: from the data (see above); +1 channels give the load on the subject; -1 the action on the plate
};

struct PlateLoads {
  int64_t samples = 0;
  std::vector<double> force_n;         // [sample][x y z], on the subject, lab
  std::vector<double> moment_nm;       // [sample][x y z], about the centre of the plate surface, lab
  std::vector<double> cop_m;           // [sample][x y z], lab, NaN at or below the threshold
  std::vector<double> free_moment_nm;  // [sample][x y z], lab, NaN at or below the threshold
  Eigen::Vector3d baseline_removed = Eigen::Vector3d::Zero();  // mean force subtracted, plate frame, N
  bool baseline_applied = false;
  int sign = 1;                        // the sign applied to the channels
};

// analog: [sample][channel] scaled values, `channel_count` per sample; samples_per_frame maps
// zero_frames to samples. Throws InvalidInput / FileFormatError naming the plate.
PlateLoads ComputePlateLoads(const ForcePlate& plate, const std::vector<double>& analog, int channel_count,
                             int samples_per_frame, const PlateOptions& options);

// Kistler's COP correction for type 9281/9287 plates (BioWare manual, "COP correction"):
// dx = x (Px1 y^4 + Px2 x^2 y^2 + Px3 x^4 + Px4 y^2 + Px5 x^2 + Px6), likewise dy with Py1-6,
// x and y (from the surface centre) in the plate's length unit; the corrected COP is
// (x - dx, y - dy). `p` holds Px1-6 then Py1-6; fewer than 12 leave the COP as it is.
void CorrectKistlerCop(const std::vector<double>& p, double unit_m, double* x_m, double* y_m);


}  // namespace midstance
