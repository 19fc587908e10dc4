#pragma once
namespace midstance {
inline constexpr const char* kSoftwareVersion = "0.1.0";
// Version of the HDF5 results layout (README, "Results file"); bumped on any layout change.
inline constexpr const char* kFormatVersion = "0.5";  // 0.2: C3D trials (convert); 0.3: /forceplates loads, /events, /stances timing; 0.4: /kinematics; 0.5: /stances metrics, curves, relationships
}  // namespace midstance
