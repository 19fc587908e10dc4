// libFuzzer target for the STO / MOT reader (tools/fuzz.sh opensim_table). Any input must either
// read into whole rows of the columns or throw a one-line FileFormatError; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "midstance/opensim_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const midstance::OpenSimTable table =
        midstance::ReadOpenSimTableText("fuzz.mot", std::string(reinterpret_cast<const char*>(data), size));
    if (table.columns.empty() || table.values.size() != table.row_count() * table.columns.size()) std::abort();
    (void)table.ColumnIndex("time");
  } catch (const midstance::FileFormatError& error) {
    midstance::fuzz::CheckOneLine(error);
  }
  return 0;
}
