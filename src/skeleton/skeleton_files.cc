// Marker sets and skeleton models as data: calib/markersets/*.toml, calib/models/*.toml (their
// README.md files give the format). The shipped files are compiled in (cmake/embed_calib.cmake).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <toml.hpp>

#include "../io/toml_fields.h"
#include "midstance/error.h"
#include "midstance/one_line.h"
#include "midstance/skeleton.h"

namespace midstance {

std::vector<std::pair<std::string, std::string>> BuiltInCalibFiles();  // generated

namespace {

namespace tf = toml_fields;

toml::value ParseText(const std::string& text, const std::string& name) {
  std::istringstream stream(text);
  try {
    return toml::parse(stream, name);
  } catch (const std::exception& error) {
    throw FileFormatError(name + ": TOML syntax: " + OneLine(error.what()));
  }
}

std::vector<std::string> Strings(const toml::value& v, const std::string& path, const std::string& field) {
  const std::string expected = "a string or an array of strings";
  if (v.is_string()) return {v.as_string().str};
  if (!v.is_array()) throw FileFormatError(path, field, expected, "a value of another type");
  std::vector<std::string> out;
  for (const toml::value& item : v.as_array()) out.push_back(tf::String(item, path, field, expected));
  if (out.empty()) throw FileFormatError(path, field, expected, "an empty array");
  return out;
}

void RequireKnownKeys(const toml::value& table, const std::vector<std::string>& known, const std::string& path,
                      const std::string& where) {
  for (const auto& [key, value] : table.as_table()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw FileFormatError(path, where + key, "one of " + list, "an unknown key");
    }
  }
}

const std::vector<std::string> kRoles = {"asis", "psis", "sacrum", "thigh_wand", "knee_lateral", "knee_medial",
                                         "tibia_wand", "ankle_lateral", "ankle_medial", "heel", "toe"};
const std::vector<std::string> kSegmentKinds = {"pelvis", "thigh", "shank", "foot"};

MarkerSet MarkerSetFromToml(const toml::value& root, const std::string& path) {
  RequireKnownKeys(root, {"name", "description", "side_letters", "landmarks", "tracking", "weights"}, path, "");
  MarkerSet set;
  set.origin = path;
  set.name = tf::String(tf::Require(root, "name", path, "name", "a string"), path, "name", "a string");
  if (root.contains("description")) set.description = tf::String(root.at("description"), path, "description", "a string");
  if (root.contains("side_letters")) {
    const std::vector<std::string> letters = Strings(root.at("side_letters"), path, "side_letters");
    if (letters.size() != 2) throw FileFormatError(path, "side_letters", "two strings (left, right)", std::to_string(letters.size()));
    set.side_letters = {letters[0], letters[1]};
  }
  const toml::value& landmarks = tf::Require(root, "landmarks", path, "landmarks", "a table of landmark roles");
  if (!landmarks.is_table()) throw FileFormatError(path, "landmarks", "a table of landmark roles", "a value of another type");
  RequireKnownKeys(landmarks, kRoles, path, "landmarks.");
  for (const auto& [role, value] : landmarks.as_table()) {
    LandmarkAlternatives alternatives;
    const std::string field = "landmarks." + role;
    if (value.is_table()) {
      RequireKnownKeys(value, {"labels", "optional"}, path, field + ".");
      alternatives.patterns = Strings(tf::Require(value, "labels", path, field + ".labels", "labels"), path, field + ".labels");
      if (value.contains("optional")) {
        if (!value.at("optional").is_boolean()) throw FileFormatError(path, field + ".optional", "true or false", "a value of another type");
        alternatives.optional = value.at("optional").as_boolean();
      }
    } else {
      alternatives.patterns = Strings(value, path, field);
    }
    set.landmarks[role] = alternatives;
  }
  for (const std::string required : {"asis", "knee_lateral", "ankle_lateral", "toe"}) {
    if (!set.landmarks.count(required)) throw FileFormatError(path, "landmarks." + required, "a label", "nothing");
  }
  const toml::value& tracking = tf::Require(root, "tracking", path, "tracking", "a table of segment markers");
  if (!tracking.is_table()) throw FileFormatError(path, "tracking", "a table of segment markers", "a value of another type");
  RequireKnownKeys(tracking, kSegmentKinds, path, "tracking.");
  for (const std::string& kind : kSegmentKinds) {
    set.tracking[kind] = Strings(tf::Require(tracking, kind, path, "tracking." + kind, "markers"), path, "tracking." + kind);
  }
  if (root.contains("weights")) {
    const toml::value& weights = root.at("weights");
    if (!weights.is_table()) throw FileFormatError(path, "weights", "a table of tracking entry = weight", "a value of another type");
    for (const auto& [entry, value] : weights.as_table()) {
      const double w = tf::Number(value, path, "weights." + entry, "a weight in (0, 1000]");
      if (!(w > 0 && w <= 1000)) throw FileFormatError(path, "weights." + entry, "a weight in (0, 1000]", std::to_string(w));
      bool tracked = false;
      for (const auto& [kind, entries] : set.tracking) tracked = tracked || std::find(entries.begin(), entries.end(), entry) != entries.end();
      if (!tracked) throw FileFormatError(path, "weights." + entry, "an entry of [tracking]", "'" + entry + "'");
      set.weights[entry] = w;
    }
  }
  return set;
}

std::array<double, 2> Limit(const toml::value& v, const std::string& path, const std::string& field) {
  const std::vector<double> pair = tf::Numbers(v, path, field, "[lower, upper] in degrees");
  if (pair.size() != 2 || !(pair[0] < pair[1]) || pair[0] < -180 || pair[1] > 180) {
    throw FileFormatError(path, field, "[lower, upper] degrees with -180 <= lower < upper <= 180", "something else");
  }
  return {pair[0], pair[1]};
}

JointModel JointFromToml(const toml::value& joints, const std::string& name, const std::string& path) {
  const std::string where = "joints." + name;
  const toml::value& t = tf::Require(joints, name, path, where, "a joint table");
  RequireKnownKeys(t, {"angles", "free", "limits_deg", "right_sign", "left_sign"}, path, where + ".");
  JointModel joint;
  joint.name = name;
  const std::vector<std::string> angles = Strings(tf::Require(t, "angles", path, where + ".angles", "three names"), path, where + ".angles");
  if (angles.size() != 3) throw FileFormatError(path, where + ".angles", "three names", std::to_string(angles.size()));
  const toml::value& free = tf::Require(t, "free", path, where + ".free", "three booleans");
  if (!free.is_array() || free.as_array().size() != 3) throw FileFormatError(path, where + ".free", "three booleans", "something else");
  const toml::value& limits = tf::Require(t, "limits_deg", path, where + ".limits_deg", "three [lower, upper] pairs");
  if (!limits.is_array() || limits.as_array().size() != 3) {
    throw FileFormatError(path, where + ".limits_deg", "three [lower, upper] pairs", "something else");
  }
  for (int k = 0; k < 3; ++k) {
    joint.angle_names[k] = angles[k];
    if (!free.as_array()[k].is_boolean()) throw FileFormatError(path, where + ".free", "three booleans", "a value of another type");
    joint.free[k] = free.as_array()[k].as_boolean();
    joint.limits_deg[k] = Limit(limits.as_array()[k], path, where + ".limits_deg");
  }
  // The middle (floating-axis) rotation must stay inside (-90, 90): at 90 degrees the first and
  // last axes align (gimbal lock) and the decomposition is no longer unique.
  if (joint.limits_deg[1][0] <= -90 || joint.limits_deg[1][1] >= 90) {
    throw FileFormatError(path, where + ".limits_deg", "the second rotation's limits inside (-90, 90) degrees",
                          std::to_string(joint.limits_deg[1][0]) + ".." + std::to_string(joint.limits_deg[1][1]));
  }
  if (!joint.free[0]) throw FileFormatError(path, where + ".free", "the first rotation (flexion) free", "false");
  for (const auto& [key, signs] : {std::pair<std::string, std::array<int, 3>*>{"right_sign", &joint.right_sign},
                                   {"left_sign", &joint.left_sign}}) {
    const std::vector<double> values = tf::Numbers(tf::Require(t, key, path, where + "." + key, "three of +1 / -1"), path,
                                                   where + "." + key, "three of +1 / -1");
    if (values.size() != 3) throw FileFormatError(path, where + "." + key, "three of +1 / -1", std::to_string(values.size()));
    for (int k = 0; k < 3; ++k) {
      if (values[k] != 1 && values[k] != -1) throw FileFormatError(path, where + "." + key, "+1 or -1", std::to_string(values[k]));
      (*signs)[k] = static_cast<int>(values[k]);
    }
  }
  return joint;
}

std::vector<std::string> Choices(const toml::value& root, const std::string& key, const std::vector<std::string>& allowed,
                                 const std::string& path) {
  const std::vector<std::string> values = Strings(tf::Require(root, key, path, key, "a method"), path, key);
  for (const std::string& v : values) {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : " or ") + a;
      throw FileFormatError(path, key, list, "'" + v + "'");
    }
  }
  return values;
}

SkeletonModel ModelFromToml(const toml::value& root, const std::string& path) {
  RequireKnownKeys(root, {"name", "description", "hip_centre", "knee_centre", "ankle_centre", "lateral_axes",
                          "static_motion_limit_mm", "joints"},
                   path, "");
  SkeletonModel model;
  model.origin = path;
  model.name = tf::String(tf::Require(root, "name", path, "name", "a string"), path, "name", "a string");
  if (root.contains("description")) model.description = tf::String(root.at("description"), path, "description", "a string");
  model.hip_centre = Choices(root, "hip_centre", {"harrington", "davis"}, path).front();
  model.knee_centre = Choices(root, "knee_centre", {"condyles", "chord"}, path);
  model.ankle_centre = Choices(root, "ankle_centre", {"malleoli", "chord"}, path);
  model.lateral_axes = Choices(root, "lateral_axes", {"landmark_pairs", "lateral_markers"}, path).front();
  if (root.contains("static_motion_limit_mm")) {
    const double mm = tf::Number(root.at("static_motion_limit_mm"), path, "static_motion_limit_mm", "millimetres");
    if (!(mm > 0 && mm < 500)) throw FileFormatError(path, "static_motion_limit_mm", "0 < mm < 500", std::to_string(mm));
    model.static_motion_limit_m = mm / 1000;
  }
  const toml::value& joints = tf::Require(root, "joints", path, "joints", "hip, knee and ankle tables");
  RequireKnownKeys(joints, {"hip", "knee", "ankle"}, path, "joints.");
  model.hip = JointFromToml(joints, "hip", path);
  model.knee = JointFromToml(joints, "knee", path);
  model.ankle = JointFromToml(joints, "ankle", path);
  return model;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <class T, class Parse>
std::vector<T> BuiltIns(const std::string& kind, Parse parse) {
  std::vector<T> out;
  for (const auto& [name, text] : BuiltInCalibFiles()) {
    if (name.rfind(kind + "/", 0) == 0) out.push_back(parse(ParseText(text, "calib/" + name), "calib/" + name));
  }
  return out;
}

}  // namespace

const char* LimbSideName(int side) { return side == kLeftLimb ? "left" : side == kRightLimb ? "right" : "?"; }

MarkerSet ReadMarkerSet(const std::string& path) { return MarkerSetFromToml(tf::Parse(path), path); }

std::vector<MarkerSet> BuiltInMarkerSets() { return BuiltIns<MarkerSet>("markersets", MarkerSetFromToml); }

MarkerSet FindMarkerSet(const std::string& name_or_path) {
  if (EndsWith(name_or_path, ".toml")) return ReadMarkerSet(name_or_path);
  std::string names;
  for (const MarkerSet& set : BuiltInMarkerSets()) {
    if (set.name == name_or_path) return set;
    names += (names.empty() ? "" : ", ") + set.name;
  }
  throw InvalidInput("--markerset: expected " + names + " or a .toml file, got '" + name_or_path + "'");
}

SkeletonModel ReadSkeletonModel(const std::string& path) { return ModelFromToml(tf::Parse(path), path); }

SkeletonModel FindSkeletonModel(const std::string& name_or_path) {
  if (EndsWith(name_or_path, ".toml")) return ReadSkeletonModel(name_or_path);
  std::string names;
  for (const SkeletonModel& model : BuiltIns<SkeletonModel>("models", ModelFromToml)) {
    if (model.name == name_or_path) return model;
    names += (names.empty() ? "" : ", ") + model.name;
  }
  throw InvalidInput("--model: expected " + names + " or a .toml file, got '" + name_or_path + "'");
}

std::string StripSubjectPrefix(const std::string& label) {
  const size_t colon = label.rfind(':');
  return colon == std::string::npos ? label : label.substr(colon + 1);
}

std::string UpperLabel(const std::string& label) {
  std::string s = StripSubjectPrefix(label);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::map<std::string, int> LabelColumns(const std::vector<std::string>& labels) {
  std::map<std::string, int> columns;
  for (size_t i = 0; i < labels.size(); ++i) columns.emplace(UpperLabel(labels[i]), static_cast<int>(i));
  return columns;
}

}  // namespace midstance
