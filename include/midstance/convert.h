#pragma once
// `midstance convert IN -o OUT` between C3D, TRC / MOT and HDF5, by file extension.
//
// C3D -> HDF5 keeps everything (DESIGN.md layout, format_version 0.2):
//   /markers/positions  [frames x markers x 3] m, NaN for missing samples; units, rate attributes
//   /markers/labels, /markers/residual [frames x markers] m, /markers/camera_mask
//   /analog/values      [samples x channels] scaled, channel units in /analog/channel_units
//   /analog/labels, rate attribute
//   /events/header_labels, /events/header_times (s)
//   /forceplates/<i>/   corners [4 x 3] m, origin [3] m, channels, calibration; type attribute
//   /c3d                attributes: processor, storage, point_units, point_scale, first_frame,
//                       and one attribute per parameter "GROUP:NAME" holding JSON
//                       {"type", "dimensions", "numbers" | "strings", "description", "locked"}
//                       plus "group:GROUP" descriptions, so HDF5 -> C3D restores the file.
// C3D -> TRC: markers in the file's units; C3D -> MOT / STO: the analog channels against time.
#include <string>

#include "midstance/c3d.h"
#include "midstance/opensim_files.h"

namespace midstance {

void WriteC3dAsHdf5(const std::string& path, const C3dFile& c3d);
class Hdf5Writer;
// The trial's groups (everything above but the root attributes), into an open writer.
void WriteC3dContents(Hdf5Writer& h5, const C3dFile& c3d);
C3dFile ReadC3dFromHdf5(const std::string& path);  // a file written by WriteC3dAsHdf5
TrcFile TrcFromC3d(const C3dFile& c3d);
OpenSimTable AnalogTableFromC3d(const C3dFile& c3d);

// `midstance export RESULT.h5 --to c3d|trc|csv|mot -o PATH`: a processing result's points (named
// P001... when unlabelled) as C3D (mm) or TRC (mm), or CSV rows frame,time_s,point,label,x_m,y_m,z_m;
// a converted C3D trial as itself. With /kinematics, the TRC also holds the joint centres as
// virtual markers LHJC RHJC LKJC RKJC LAJC RAJC (the TRC's units) and MOT holds the joint angles
// (time, then <joint>_<side>_<angle> in degrees, NaN rows kept); without, MOT holds the analog
// channels. Throws InvalidInput naming what is missing, FileFormatError for a malformed /kinematics.
void ExportResult(const std::string& input, const std::string& format, const std::string& output);

// Dispatches on the extensions of `input` and `output`; throws InvalidInput for pairs it does
// not convert, naming them. A C3D input is read with `options`, its warnings logged.
void ConvertFile(const std::string& input, const std::string& output, const C3dReadOptions& options = {});

// ReadC3d as the commands read a C3D: each of the file's warnings (vendor quirks read around)
// logged once with spdlog::warn.
C3dFile ReadC3dAndLogWarnings(const std::string& path, const C3dReadOptions& options);

}  // namespace midstance
