#pragma once
// Minimal typed access to HDF5 through the C API: the writer creates chunked, deflate-compressed
// datasets, each with `units` and `description` attributes (DESIGN.md), without modification
// times so the same results give the same bytes; the file appears atomically on Commit().
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "midstance/atomic_output.h"

namespace midstance {

class Hdf5Writer {
 public:
  explicit Hdf5Writer(const std::string& path);
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void CreateGroup(const std::string& path);
  void WriteDoubles(const std::string& path, const std::vector<uint64_t>& dims,
                    const std::vector<double>& data, const std::string& units,
                    const std::string& description);
  void WriteInts(const std::string& path, const std::vector<uint64_t>& dims,
                 const std::vector<int32_t>& data, const std::string& units,
                 const std::string& description);
  void WriteStrings(const std::string& path, const std::vector<std::string>& values,
                    const std::string& description);
  void SetAttribute(const std::string& object_path, const std::string& name, const std::string& value);
  void SetAttribute(const std::string& object_path, const std::string& name, double value);
  void SetAttribute(const std::string& object_path, const std::string& name, int64_t value);

  // Closes the file and moves it to its final path.
  void Commit();

 private:
  template <class T>
  void WriteNumeric(const std::string& path, const std::vector<uint64_t>& dims, const T* data,
                    int64_t native_type, const std::string& units, const std::string& description);
  AtomicOutput output_;
  int64_t file_ = -1;
};

class Hdf5Reader {
 public:
  explicit Hdf5Reader(const std::string& path);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  bool Exists(const std::string& path) const;
  std::vector<double> ReadDoubles(const std::string& path, std::vector<uint64_t>* dims) const;
  std::vector<int32_t> ReadInts(const std::string& path, std::vector<uint64_t>* dims) const;
  std::vector<std::string> ReadStrings(const std::string& path) const;
  std::string ReadStringAttribute(const std::string& object_path, const std::string& name) const;
  double ReadDoubleAttribute(const std::string& object_path, const std::string& name) const;
  std::vector<std::string> AttributeNames(const std::string& object_path) const;  // in name order

 private:
  std::string path_;
  int64_t file_ = -1;
};

}  // namespace midstance
