// TRC and STO/MOT against OpenSim's own files, and our C3D reader against OpenSim's reading of
// the same trial (walking2.c3d: markers every 10th frame, analog channels).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "midstance/c3d.h"
#include "midstance/error.h"
#include "midstance/opensim_files.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

const std::string kOpenSim = std::string(MIDSTANCE_SOURCE_DIR) + "/../shared/data/opensim";
#define SKIP_WITHOUT_DATA() \
  if (!fs::exists(kOpenSim)) GTEST_SKIP() << "../shared/data is absent: real-file tests skipped"

TEST(Trc, OpenSimsReadingOfWalking2MatchesOurC3dReader) {
  SKIP_WITHOUT_DATA();
  const TrcFile trc = ReadTrc(kOpenSim + "/std_walking2_markers.trc");
  EXPECT_EQ(trc.frame_count(), 126u);
  EXPECT_EQ(trc.labels.size(), 44u);
  EXPECT_EQ(trc.units, "mm");
  const C3dFile c3d = ReadC3d(kOpenSim + "/walking2.c3d");
  int compared = 0;
  double worst_mm = 0;
  for (size_t f = 0; f < trc.frame_count(); ++f) {
    const int64_t frame = std::llround(trc.time_s[f] * c3d.point_rate_hz);  // OpenSim kept every 10th frame
    ASSERT_LT(frame, c3d.frame_count);
    for (size_t m = 0; m < trc.labels.size(); ++m) {
      const auto label = std::find(c3d.point_labels.begin(), c3d.point_labels.end(), trc.labels[m]);
      ASSERT_NE(label, c3d.point_labels.end()) << trc.labels[m];
      const size_t c = static_cast<size_t>(label - c3d.point_labels.begin());
      for (size_t k = 0; k < 3; ++k) {
        const double theirs = trc.positions[(f * trc.labels.size() + m) * 3 + k];
        const double ours = c3d.points[(static_cast<size_t>(frame) * static_cast<size_t>(c3d.point_count) + c) * 3 + k];
        ASSERT_EQ(std::isnan(theirs), std::isnan(ours)) << trc.labels[m] << " frame " << frame;
        if (!std::isnan(ours)) {
          // OpenSim prints five significant digits: half a unit of its last digit.
          const double printed = std::fabs(theirs) >= 1000 ? 0.05 : std::fabs(theirs) >= 100 ? 0.005 : 5e-4;
          worst_mm = std::max(worst_mm, std::fabs(theirs - ours) / printed);
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 8000);
  // In units of OpenSim's print precision; 5 % more for its own float rounding before printing.
  EXPECT_LE(worst_mm, 1.05);
}

TEST(Sto, OpenSimsAnalogReadingOfWalking2MatchesOurC3dReader) {
  SKIP_WITHOUT_DATA();
  const OpenSimTable table = ReadOpenSimTable(kOpenSim + "/std_walking2_analog.sto");
  ASSERT_GE(table.row_count(), 2u);
  EXPECT_EQ(table.columns[0], "time");
  const C3dFile c3d = ReadC3d(kOpenSim + "/walking2.c3d");
  int compared = 0;
  for (size_t r = 0; r < table.row_count(); ++r) {
    const int64_t sample = std::llround(table.values[r * table.columns.size()] * c3d.analog_rate_hz);
    for (size_t col = 1; col < table.columns.size(); ++col) {
      const auto label = std::find(c3d.analog_labels.begin(), c3d.analog_labels.end(), table.columns[col]);
      ASSERT_NE(label, c3d.analog_labels.end()) << table.columns[col];
      const double ours = c3d.analog[static_cast<size_t>(sample) * static_cast<size_t>(c3d.analog_channel_count) +
                                     static_cast<size_t>(label - c3d.analog_labels.begin())];
      const double theirs = table.values[r * table.columns.size() + col];
      EXPECT_NEAR(ours, theirs, 1e-4 * std::max(1.0, std::fabs(theirs))) << table.columns[col] << " at " << sample;
      ++compared;
    }
  }
  EXPECT_GT(compared, 10);
}

TEST(Sto, ReadsOldAndNewHeadersAndGroundReactionLayouts) {
  SKIP_WITHOUT_DATA();
  const OpenSimTable grfs = ReadOpenSimTable(kOpenSim + "/std_walking2_grfs.sto");
  EXPECT_EQ(grfs.name, "ds_std_walking2_grfs.sto");
  EXPECT_EQ(grfs.row_count(), 101u);
  EXPECT_EQ(grfs.columns.size(), 19u);
  EXPECT_NEAR(grfs.values[1 * 19 + 0], 0.05, 1e-12);
  const OpenSimTable running = ReadOpenSimTable(kOpenSim + "/running_grf.mot");
  EXPECT_EQ(running.row_count(), 691u);
  EXPECT_GE(running.ColumnIndex("R_ground_force_vy"), 0);
  const auto expected = GroundReactionColumns("R_");
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(running.columns[1 + i], expected[i]);
}

TEST(Trc, RoundTripIsExact) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  const TrcFile original = ReadTrc(kOpenSim + "/std_walking2_markers.trc");
  WriteTrc(dir / "copy.trc", original);
  const TrcFile copy = ReadTrc(dir / "copy.trc");
  EXPECT_EQ(copy.labels, original.labels);
  EXPECT_EQ(copy.frame_numbers, original.frame_numbers);
  EXPECT_EQ(copy.units, original.units);
  EXPECT_EQ(copy.data_rate_hz, original.data_rate_hz);
  EXPECT_TRUE(testing::ValuesMatch(original.positions, copy.positions, 1e-9));
}

TEST(Mot, RoundTripIsExact) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  const OpenSimTable original = ReadOpenSimTable(kOpenSim + "/running_grf.mot");
  WriteOpenSimTable(dir / "copy.mot", original);
  const OpenSimTable copy = ReadOpenSimTable(dir / "copy.mot");
  EXPECT_EQ(copy.columns, original.columns);
  EXPECT_EQ(copy.name, original.name);
  EXPECT_TRUE(testing::ValuesMatch(original.values, copy.values, 1e-9));
}

TEST(Mot, GroundReactionTableHasExternalLoadsLayoutAndRoundTrips) {
  testing::TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> time = {0.0, 0.001, 0.002};
  const GroundReactionSeries right{"r_", {0, 0, 0, 10, 700, -20, 12, 750, -25}, {nan, nan, nan, 0.1, 0.0, 0.2, 0.11, 0.0, 0.21},
                                   {0, 0, 0, 0, 1.5, 0, 0, 1.6, 0}};
  const GroundReactionSeries left{"l_", std::vector<double>(9, 0.0), std::vector<double>(9, 0.0), std::vector<double>(9, 0.0)};
  const OpenSimTable table = MakeGroundReactionTable(time, {right, left});
  ASSERT_EQ(table.columns.size(), 19u);
  EXPECT_EQ(table.columns[1], "r_ground_force_vx");
  EXPECT_EQ(table.columns[4], "r_ground_force_px");
  EXPECT_EQ(table.columns[9], "r_ground_torque_z");
  EXPECT_EQ(table.columns[10], "l_ground_force_vx");
  EXPECT_EQ(table.values[0 * 19 + 4], 0.0);  // undefined COP: zero, not NaN
  WriteOpenSimTable(dir / "grf.mot", table);
  const OpenSimTable back = ReadOpenSimTable(dir / "grf.mot");
  EXPECT_EQ(back.columns, table.columns);
  EXPECT_NEAR(back.values[2 * 19 + back.ColumnIndex("r_ground_force_vy")], 750.0, 1e-9);
  EXPECT_NEAR(back.values[1 * 19 + back.ColumnIndex("r_ground_force_pz")], 0.2, 1e-12);
  EXPECT_THROW(MakeGroundReactionTable({0.0}, {right}), InvalidInput);
}

TEST(OpenSimFiles, MalformedInputsNameTheLine) {
  testing::TempDir dir;
  auto error_of = [&](const std::string& name, const std::string& text, bool trc) -> std::string {
    std::ofstream(dir / name) << text;
    try {
      if (trc) ReadTrc(dir / name); else ReadOpenSimTable(dir / name);
    } catch (const FileFormatError& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_NE(error_of("a.mot", "name x\nendheader\ntime\ta\n0\t1\n0.1\n", false).find("line 5"), std::string::npos);
  EXPECT_NE(error_of("b.mot", "name x\ntime\ta\n", false).find("endheader"), std::string::npos);
  EXPECT_NE(error_of("c.mot", "name x\nendheader\ntime\ta\n0\tabc\n", false).find("'abc'"), std::string::npos);
  EXPECT_NE(error_of("d.trc", "hello\n", true).find("PathFileType"), std::string::npos);
  const std::string header = "PathFileType\t4\t(X/Y/Z)\tf.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
                             "OrigDataStartFrame\tOrigNumFrames\n100\t100\t1\t1\tmm\t100\t1\t1\nFrame#\tTime\tA\t\t\n\t\tX1\tY1\tZ1\n\n";
  EXPECT_NE(error_of("f.trc", header + "NaN\t0\t1\t2\t3\n", true).find("Frame#"), std::string::npos);
  EXPECT_NE(error_of("g.trc", header + "1.5\t0\t1\t2\t3\n", true).find("whole number"), std::string::npos);
  EXPECT_NE(error_of("e.trc",
                     "PathFileType\t4\t(X/Y/Z)\te.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
                     "OrigDataStartFrame\tOrigNumFrames\n100\t100\t1\t2\tmm\t100\t1\t1\nFrame#\tTime\tA\t\t\n\t\tX1\tY1\tZ1\n\n",
                     true)
                .find("NumMarkers"),
            std::string::npos);
}

// The header promises NumFrames rows. None at all, or fewer (a truncated file), is refused with
// a one-line error naming the file and NumFrames; the rows present are not read short.
TEST(Trc, RowsMustNumberNumFrames) {
  testing::TempDir dir;
  auto file_with = [&](const std::string& name, int num_frames, int rows) {
    std::string text = "PathFileType\t4\t(X/Y/Z)\t" + name + "\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\t"
                       "OrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n100\t100\t" + std::to_string(num_frames) +
                       "\t1\tmm\t100\t1\t" + std::to_string(num_frames) + "\nFrame#\tTime\tA\t\t\n\t\tX1\tY1\tZ1\n\n";
    for (int f = 0; f < rows; ++f) text += std::to_string(f + 1) + "\t" + std::to_string(f / 100.0) + "\t1\t2\t3\n";
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  auto error_of = [](const std::string& path) -> std::string {
    try {
      ReadTrc(path);
    } catch (const FileFormatError& error) {
      return error.what();
    }
    return "";
  };
  const std::string empty = file_with("empty.trc", 510, 0);
  const std::string empty_error = error_of(empty);
  EXPECT_EQ(empty_error, empty + ": NumFrames (line 3): expected 510 frame rows, got 0");
  const std::string truncated = file_with("truncated.trc", 510, 7);
  EXPECT_EQ(error_of(truncated), truncated + ": NumFrames (line 3): expected 510 frame rows, got 7");
  const std::string longer = file_with("longer.trc", 2, 3);
  EXPECT_EQ(error_of(longer), longer + ": NumFrames (line 3): expected 2 frame rows, got 3");
  EXPECT_EQ(ReadTrc(file_with("whole.trc", 4, 4)).frame_count(), 4u);
  EXPECT_EQ(ReadTrc(file_with("nothing.trc", 0, 0)).frame_count(), 0u);
}

// Short rows are padded with NaN, but only in proportion to the file's size: a few bytes of rows
// cannot stand for megabytes of NaN (memory stays proportional to the input, as the fuzz target
// tools/fuzz.sh trc demands with its 64 MiB allocation limit).
TEST(Trc, ShortRowsPadWithNanWithinTheFilesSize) {
  const std::string header = "PathFileType\t4\t(X/Y/Z)\tp.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\t"
                             "OrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n100\t100\t2\t2\tmm\t100\t1\t2\n"
                             "Frame#\tTime\tA\t\t\tB\t\t\t\n\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n\n";
  const TrcFile padded = ReadTrcText("p.trc", header + "1\t0\t1\t2\t3\n2\t0.01\n");
  ASSERT_EQ(padded.positions.size(), 12u);
  EXPECT_EQ(padded.positions[2], 3.0);
  for (size_t i = 3; i < 12; ++i) EXPECT_TRUE(std::isnan(padded.positions[i])) << i;
  std::string labels, rows;
  const int markers = 20000;
  for (int m = 0; m < markers; ++m) labels += "m\t";
  for (int f = 0; f < 200; ++f) rows += "1\t0\n";
  const std::string wide = "PathFileType\t4\t(X/Y/Z)\tw.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\t"
                           "OrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n100\t100\t200\t" + std::to_string(markers) +
                           "\tmm\t100\t1\t200\nFrame#\tTime\t" + labels + "\n\n\n" + rows;
  try {
    ReadTrcText("w.trc", wide);
    ADD_FAILURE() << "expected a FileFormatError";
  } catch (const FileFormatError& error) {
    EXPECT_NE(std::string(error.what()).find("w.trc: line "), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("past that bound"), std::string::npos) << error.what();
  }
}

TEST(OpenSimFiles, ErrorsQuoteTheFileOnOneLine) {
  const std::string header = "PathFileType\t4\t(X/Y/Z)\tq.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\t"
                             "OrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n100\t100\t1\t1\tmm\t100\t1\t1\n"
                             "Frame#\tTime\tA\t\t\n\t\tX1\tY1\tZ1\n\n";
  try {
    ReadTrcText("q.trc", header + "1\t0\t1\r2\t3\t4\n");
    ADD_FAILURE() << "expected a FileFormatError";
  } catch (const FileFormatError& error) {
    EXPECT_EQ(std::string(error.what()), "q.trc: line 7 coordinate: expected a number, got '1 2'");
  }
  // A NUL byte inside a number is not the number's end, and is quoted as '?'.
  try {
    ReadOpenSimTableText("z.mot", std::string("name x\nendheader\ntime\n1\0junk\n", 29));
    ADD_FAILURE() << "expected a FileFormatError";
  } catch (const FileFormatError& error) {
    EXPECT_EQ(std::string(error.what()), "z.mot: line 4 value: expected a number, got '1?junk'");
  }
}

}  // namespace
}  // namespace midstance
