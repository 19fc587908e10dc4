#include "midstance/hdf5_file.h"

#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "midstance/error.h"

namespace midstance {
namespace {

struct HdfSilencer {
  HdfSilencer() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const HdfSilencer g_silence_hdf5_stack_traces;

// Closes an HDF5 handle with its own close function when it leaves scope.
template <herr_t (*Close)(hid_t)>
class Owned {
 public:
  explicit Owned(hid_t id) : id_(id) {}
  ~Owned() { if (id_ >= 0) Close(id_); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  hid_t get() const { return id_; }
 private:
  hid_t id_;
};
using Space = Owned<H5Sclose>;
using PropertyList = Owned<H5Pclose>;
using Type = Owned<H5Tclose>;
using Attribute = Owned<H5Aclose>;
using Object = Owned<H5Oclose>;

void Require(bool ok, const std::string& file, const std::string& what) {
  if (!ok) throw FileFormatError(file + ": HDF5: " + what);
}

hid_t StringType() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

}  // namespace

Hdf5Writer::Hdf5Writer(const std::string& path) : output_(path) {
  PropertyList create(H5Pcreate(H5P_FILE_CREATE));
  PropertyList access(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  file_ = H5Fcreate(output_.temporary_path().c_str(), H5F_ACC_TRUNC, create.get(), access.get());
  Require(file_ >= 0, path, "cannot create the file");
}

Hdf5Writer::~Hdf5Writer() {
  if (file_ >= 0) H5Fclose(file_);
}

void Hdf5Writer::CreateGroup(const std::string& path) {
  PropertyList links(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(links.get(), 1);
  PropertyList group_create(H5Pcreate(H5P_GROUP_CREATE));
  H5Pset_obj_track_times(group_create.get(), 0);
  const hid_t group = H5Gcreate2(file_, path.c_str(), links.get(), group_create.get(), H5P_DEFAULT);
  Require(group >= 0, output_.final_path(), "cannot create group " + path);
  H5Gclose(group);
}

template <class T>
void Hdf5Writer::WriteNumeric(const std::string& path, const std::vector<uint64_t>& dims, const T* data,
                              int64_t native_type, const std::string& units,
                              const std::string& description) {
  std::vector<hsize_t> shape(dims.begin(), dims.end());
  Space space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr));
  PropertyList links(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(links.get(), 1);
  PropertyList create(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_obj_track_times(create.get(), 0);
  hsize_t elements = 1;
  for (hsize_t d : shape) elements *= d;
  if (elements > 0 && !shape.empty()) {
    // Chunks of up to 256 rows of the first axis: whole frames together, compressed.
    std::vector<hsize_t> chunk = shape;
    chunk[0] = std::min<hsize_t>(shape[0], 256);
    H5Pset_chunk(create.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(create.get());
    H5Pset_deflate(create.get(), 4);
  }
  Object dataset(H5Dcreate2(file_, path.c_str(), static_cast<hid_t>(native_type), space.get(),
                            links.get(), create.get(), H5P_DEFAULT));
  Require(dataset.get() >= 0, output_.final_path(), "cannot create dataset " + path);
  if (elements > 0) {
    Require(H5Dwrite(dataset.get(), static_cast<hid_t>(native_type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0,
            output_.final_path(), "cannot write dataset " + path);
  }
  SetAttribute(path, "units", units);
  SetAttribute(path, "description", description);
}

void Hdf5Writer::WriteDoubles(const std::string& path, const std::vector<uint64_t>& dims,
                              const std::vector<double>& data, const std::string& units,
                              const std::string& description) {
  WriteNumeric(path, dims, data.data(), H5T_NATIVE_DOUBLE, units, description);
}

void Hdf5Writer::WriteInts(const std::string& path, const std::vector<uint64_t>& dims,
                           const std::vector<int32_t>& data, const std::string& units,
                           const std::string& description) {
  WriteNumeric(path, dims, data.data(), H5T_NATIVE_INT32, units, description);
}

void Hdf5Writer::WriteStrings(const std::string& path, const std::vector<std::string>& values,
                              const std::string& description) {
  Type type(StringType());
  const hsize_t count = values.size();
  Space space(H5Screate_simple(1, &count, nullptr));
  PropertyList links(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(links.get(), 1);
  PropertyList create(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_obj_track_times(create.get(), 0);
  Object dataset(H5Dcreate2(file_, path.c_str(), type.get(), space.get(), links.get(), create.get(), H5P_DEFAULT));
  Require(dataset.get() >= 0, output_.final_path(), "cannot create dataset " + path);
  std::vector<const char*> pointers;
  for (const std::string& value : values) pointers.push_back(value.c_str());
  if (count > 0) {
    Require(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0,
            output_.final_path(), "cannot write dataset " + path);
  }
  SetAttribute(path, "units", std::string("1"));
  SetAttribute(path, "description", description);
}

void Hdf5Writer::SetAttribute(const std::string& object_path, const std::string& name,
                              const std::string& value) {
  Type type(StringType());
  Space space(H5Screate(H5S_SCALAR));
  Object object(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
  Require(object.get() >= 0, output_.final_path(), "no object " + object_path);
  Attribute attribute(H5Acreate2(object.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* pointer = value.c_str();
  Require(attribute.get() >= 0 && H5Awrite(attribute.get(), type.get(), &pointer) >= 0,
          output_.final_path(), "cannot write attribute " + object_path + "@" + name);
}

void Hdf5Writer::SetAttribute(const std::string& object_path, const std::string& name, double value) {
  Space space(H5Screate(H5S_SCALAR));
  Object object(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
  Require(object.get() >= 0, output_.final_path(), "no object " + object_path);
  Attribute attribute(H5Acreate2(object.get(), name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  Require(attribute.get() >= 0 && H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value) >= 0,
          output_.final_path(), "cannot write attribute " + object_path + "@" + name);
}

void Hdf5Writer::SetAttribute(const std::string& object_path, const std::string& name, int64_t value) {
  Space space(H5Screate(H5S_SCALAR));
  Object object(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
  Require(object.get() >= 0, output_.final_path(), "no object " + object_path);
  Attribute attribute(H5Acreate2(object.get(), name.c_str(), H5T_NATIVE_INT64, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  Require(attribute.get() >= 0 && H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value) >= 0,
          output_.final_path(), "cannot write attribute " + object_path + "@" + name);
}

void Hdf5Writer::Commit() {
  Require(H5Fclose(file_) >= 0, output_.final_path(), "cannot close the file");
  file_ = -1;
  output_.Commit();
}

Hdf5Reader::Hdf5Reader(const std::string& path) : path_(path) {
  if (!std::filesystem::exists(path)) throw FileFormatError(path, "file", "an existing HDF5 file", "no such file");
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) throw FileFormatError(path, "file", "an HDF5 file", "unreadable or not HDF5");
}

Hdf5Reader::~Hdf5Reader() {
  if (file_ >= 0) H5Fclose(file_);
}

bool Hdf5Reader::Exists(const std::string& path) const {
  // Check each link level so a missing parent group is not an error.
  size_t position = 0;
  while ((position = path.find('/', position + 1)) != std::string::npos) {
    if (H5Lexists(file_, path.substr(0, position).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0;
}

namespace {
template <class T>
std::vector<T> ReadNumeric(hid_t file, const std::string& file_path, const std::string& path,
                           hid_t native_type, std::vector<uint64_t>* dims) {
  Object dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  if (dataset.get() < 0) throw FileFormatError(file_path, path, "a dataset", "nothing");
  Space space(H5Dget_space(dataset.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> shape(static_cast<size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
  size_t count = 1;
  for (hsize_t d : shape) count *= d;
  std::vector<T> values(count);
  if (count > 0 && H5Dread(dataset.get(), native_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    throw FileFormatError(file_path, path, "a numeric dataset", "unreadable data");
  }
  if (dims) dims->assign(shape.begin(), shape.end());
  return values;
}
}  // namespace

std::vector<double> Hdf5Reader::ReadDoubles(const std::string& path, std::vector<uint64_t>* dims) const {
  return ReadNumeric<double>(file_, path_, path, H5T_NATIVE_DOUBLE, dims);
}

std::vector<int32_t> Hdf5Reader::ReadInts(const std::string& path, std::vector<uint64_t>* dims) const {
  return ReadNumeric<int32_t>(file_, path_, path, H5T_NATIVE_INT32, dims);
}

std::vector<std::string> Hdf5Reader::ReadStrings(const std::string& path) const {
  Object dataset(H5Dopen2(file_, path.c_str(), H5P_DEFAULT));
  if (dataset.get() < 0) throw FileFormatError(path_, path, "a dataset", "nothing");
  Space space(H5Dget_space(dataset.get()));
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  Type type(StringType());
  std::vector<char*> pointers(static_cast<size_t>(count), nullptr);
  std::vector<std::string> values;
  if (count > 0 && H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0) {
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
  }
  return values;
}

std::string Hdf5Reader::ReadStringAttribute(const std::string& object_path, const std::string& name) const {
  Attribute attribute(H5Aopen_by_name(file_, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (attribute.get() < 0) throw FileFormatError(path_, object_path + "@" + name, "an attribute", "nothing");
  Type type(StringType());
  char* value = nullptr;
  if (H5Aread(attribute.get(), type.get(), &value) < 0) {
    throw FileFormatError(path_, object_path + "@" + name, "a string attribute", "another type");
  }
  std::string result = value ? value : "";
  H5free_memory(value);
  return result;
}

namespace {
herr_t CollectAttributeName(hid_t, const char* name, const H5A_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> Hdf5Reader::AttributeNames(const std::string& object_path) const {
  Object object(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
  if (object.get() < 0) throw FileFormatError(path_, object_path, "an object", "nothing");
  std::vector<std::string> names;
  hsize_t index = 0;
  H5Aiterate2(object.get(), H5_INDEX_NAME, H5_ITER_INC, &index, CollectAttributeName, &names);
  return names;
}

double Hdf5Reader::ReadDoubleAttribute(const std::string& object_path, const std::string& name) const {
  Attribute attribute(H5Aopen_by_name(file_, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (attribute.get() < 0) throw FileFormatError(path_, object_path + "@" + name, "an attribute", "nothing");
  double value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    throw FileFormatError(path_, object_path + "@" + name, "a numeric attribute", "another type");
  }
  return value;
}

}  // namespace midstance
