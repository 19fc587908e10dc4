#pragma once
// A C3D file read into the trial model (trial_model.h): the only place that knows how a C3D
// describes markers, model outputs, analog channels, force plates, events and the subject
// (c3d.org, "The C3D File Format User Guide"; Vicon's PROCESSING / SUBJECTS parameters).
#include <string>
#include <vector>

#include "midstance/c3d.h"
#include "midstance/subject.h"
#include "midstance/trial_model.h"

namespace midstance {

// The whole trial. Markers in metres (POINT:UNITS; none: mm, with a warning), points named by
// POINT:ANGLES / FORCES / MOMENTS / POWERS / SCALARS / REACTIONS left out of the markers (they are
// model outputs such as Plug-in Gait's LAnkleAngles: never markers), samples stored as exactly
// (0, 0, 0) turned to NaN (one warning with the count). Throws FileFormatError for what it cannot
// read unambiguously.
// The reader's warnings (vendor quirks read around) come along in Trial::warnings.
Trial TrialFromC3d(const C3dFile& c3d);
Trial ReadTrialC3d(const std::string& path, const C3dReadOptions& options = {});

// The labels the file marks as model outputs (POINT:ANGLES ... REACTIONS), upper case.
std::vector<std::string> C3dModelOutputLabels(const C3dFile& c3d);

// Every point as a marker trajectory in metres (model outputs included; for tools that want the
// file as it is).
MarkerTrajectories MarkerTrajectoriesFromC3d(const C3dFile& c3d);

// The plates a C3D trial describes (FORCE_PLATFORM), in metres, validated against its analog
// channels. Empty when the file has none. A type-3 FPCOPPOLY that cannot be applied as Kistler's
// correction (not 12 coefficients per plate, or moving the COP at the plate's corners by more
// than a correction does: another layout or unit) is ignored with one warning appended to
// `warnings` (when given); a file read with C3dReadOptions::strict refuses it instead.
std::vector<ForcePlate> ForcePlatesFromC3d(const C3dFile& c3d, std::vector<std::string>* warnings = nullptr);

// From a C3D's parameters; only values present, finite and > 0 are taken (Vicon writes 0 for
// "not measured"). In order of precedence:
//  - PROCESSING, then SUBJECTS (Vicon Nexus / Plug-in Gait): Bodymass (kg); Height, LLegLength,
//    RLegLength, LKneeWidth, RKneeWidth, LAnkleWidth, RAnkleWidth, MarkerDiameter, all in mm by
//    Vicon's convention whatever POINT:UNITS says.
//  - SUBJECT (the older c3d.org-era group, e.g. the c3d.org sample files): WEIGHT (kg), HEIGHT (m),
//    TARGET_RADIUS (m; diameter = 2 x radius). The c3d.org samples store 1.63 and 1.78 for HEIGHT
//    and 0.0095 for TARGET_RADIUS in files whose points are in mm: these are metres.
// SEG:MARKER_DIAMETER is not read: Vicon writes its reconstruction setting there (25 mm in
// vicon_gait_raw.c3d, whose Plug-in Gait run used 15 mm markers by its hip centres).
// The first number of a parameter is used (one subject per trial). Names are matched
// case-insensitively; the source names the parameter as the file spells it.
SubjectParameters SubjectParametersFromC3d(const C3dFile& file);

}  // namespace midstance
