#pragma once
// OpenSim's inputs read into the trial model (trial_model.h): a marker TRC, optionally with the
// ground reaction forces of a GRF .mot in ExternalLoads' layout (<prefix>ground_force_vx vy vz,
// <prefix>ground_force_px py pz, <prefix>ground_torque_x y z; prefixes such as "R_", "l_", "1_").
// OpenSim's files are Y up; the lab frame stage (lab_frame.h) finds that from the forces, like
// any other lab's vertical.
#include <string>

#include "midstance/trial_model.h"

namespace midstance {

// Markers in metres (the TRC's Units: mm or m); the GRF's time is put on the TRC's clock (its
// first frame is time 0). A prefix that names a foot ("r_", "R_", "right_", "l_" ...) gives the
// side of that force's contacts. Throws FileFormatError naming the file and the column for a GRF
// without its nine columns, a time column that is not evenly sampled, or mismatched units.
Trial TrialFromOpenSim(const std::string& trc_path, const std::string& grf_path);

}  // namespace midstance
