// A trial's pelvis and foot markers (lab_frame.h MarkerGroups) from its marker set, or from its
// labels when no shipped set matches.
#include <algorithm>
#include <cctype>
#include <sstream>

#include "midstance/skeleton.h"

namespace midstance {
namespace {

std::string Expand(std::string pattern, const MarkerSet& set, int side) {
  for (size_t at = pattern.find("{s}"); at != std::string::npos; at = pattern.find("{s}")) pattern.replace(at, 3, set.side_letters[static_cast<size_t>(side)]);
  return pattern;
}

// Columns of the labels an entry names: a role's first alternative present, or a label pattern;
// "A+B" gives both A and B.
std::vector<int> ColumnsOf(const std::string& entry, const MarkerSet& set, int side, const std::map<std::string, int>& columns) {
  std::vector<std::string> patterns = {entry};
  if (const auto role = set.landmarks.find(entry); role != set.landmarks.end()) patterns = role->second.patterns;
  for (const std::string& pattern : patterns) {
    std::vector<int> found;
    std::stringstream parts(Expand(pattern, set, side));
    bool all = true;
    for (std::string label; std::getline(parts, label, '+');) {
      const auto it = columns.find(UpperLabel(label));
      if (it == columns.end()) {
        all = false;
        break;
      }
      found.push_back(it->second);
    }
    if (all && !found.empty()) return found;
  }
  return {};
}

void AddUnique(std::vector<int>* to, const std::vector<int>& columns) {
  for (int c : columns) {
    if (std::find(to->begin(), to->end(), c) == to->end()) to->push_back(c);
  }
}

// Upper-case label without prefix, separators or case: "A22:L.Heel" -> "LHEEL".
std::string Normalised(const std::string& label) {
  std::string out;
  for (char c : UpperLabel(label)) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

// Without a known marker set, the labels in use by the common sets: Plug-in Gait (LHEE LTOE LANK),
// OpenSim's (LCAL LMT1 LMT5), cluster sets (L_HEEL L_MT_1 L_foot_1), Codamotion (L.Heel L.Toe),
// Motion Analysis (LHEE L.TO), IST (LCAL LPM1 LLMA). Model outputs never reach here (io/ leaves
// them out of the markers).
Side FootSideFromLabel(const std::string& label, bool* heel, bool* toe) {
  const std::string n = Normalised(label);
  if (n.size() < 3) return Side::kUnknown;
  std::string rest = n.substr(1);
  Side side = n[0] == 'L' ? Side::kLeft : n[0] == 'R' ? Side::kRight : Side::kUnknown;
  if (n.rfind("LEFT", 0) == 0) side = Side::kLeft, rest = n.substr(4);
  if (n.rfind("RIGHT", 0) == 0) side = Side::kRight, rest = n.substr(5);
  if (side == Side::kUnknown) return side;
  *heel = rest.rfind("HEE", 0) == 0 || rest.rfind("CAL", 0) == 0;
  *toe = rest.rfind("TOE", 0) == 0 || rest == "TO";
  static const char* const kFoot[] = {"HEE", "TOE", "CAL", "MT", "PM", "FT", "FOOT", "ANK", "MAL", "LMA", "MMA", "MAK", "PHAL"};
  for (const char* token : kFoot) {
    if (rest.rfind(token, 0) == 0) return side;
  }
  return rest == "TO" ? side : Side::kUnknown;
}

bool PelvisLabel(const std::string& label) {
  const std::string n = Normalised(label);
  for (const char* token : {"SACR", "SACRUM", "VSAC", "LPSI", "RPSI", "LASI", "RASI", "PELVIS", "LBACKASIS", "RBACKASIS"}) {
    if (n.rfind(token, 0) == 0) return true;
  }
  return false;
}

}  // namespace

MarkerGroups MarkerGroupsFromSet(const std::vector<std::string>& labels, const MarkerSet& set) {
  const std::map<std::string, int> columns = LabelColumns(labels);
  MarkerGroups g;
  g.source = "marker set '" + set.name + "'";
  for (int side : {kLeftLimb, kRightLimb}) {
    if (const auto pelvis = set.tracking.find("pelvis"); pelvis != set.tracking.end()) {
      for (const std::string& entry : pelvis->second) AddUnique(&g.pelvis, ColumnsOf(entry, set, side, columns));
    }
    if (const auto foot = set.tracking.find("foot"); foot != set.tracking.end()) {
      for (const std::string& entry : foot->second) AddUnique(&g.foot[static_cast<size_t>(side)], ColumnsOf(entry, set, side, columns));
    }
    for (const char* role : {"heel", "toe"}) {
      if (!set.landmarks.count(role)) continue;
      const std::vector<int> c = ColumnsOf(role, set, side, columns);
      if (c.empty()) continue;
      (std::string(role) == "heel" ? g.heel : g.toe)[static_cast<size_t>(side)] = c.front();
      AddUnique(&g.foot[static_cast<size_t>(side)], c);
    }
  }
  return g;
}

MarkerGroups MarkerGroupsFromLabels(const std::vector<std::string>& labels) {
  MarkerGroups g;
  g.source = "labels (no known marker set)";
  for (size_t i = 0; i < labels.size(); ++i) {
    bool heel = false, toe = false;
    const Side side = FootSideFromLabel(labels[i], &heel, &toe);
    if (side != Side::kUnknown) {
      const size_t k = side == Side::kLeft ? 0 : 1;
      g.foot[k].push_back(static_cast<int>(i));
      if (heel && g.heel[k] < 0) g.heel[k] = static_cast<int>(i);
      if (toe && g.toe[k] < 0) g.toe[k] = static_cast<int>(i);
    } else if (PelvisLabel(labels[i])) {
      g.pelvis.push_back(static_cast<int>(i));
    }
  }
  return g;
}

}  // namespace midstance
