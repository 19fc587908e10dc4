// C3D read / write throughput on one large synthetic trial (100 markers x 100,000 frames at
// 200 Hz, 16 analog channels x 5 samples per frame), written once with WriteC3d. 100,000
// frames is beyond 65,535, so the frame count travels in TRIAL:ACTUAL_START_FIELD /
// ACTUAL_END_FIELD; the file is read back and checked before anything is timed.
//
// Peer, in the same run: Python ezc3d (ezc3d.c3d(path)) reading the same file, timed inside
// Python with time.perf_counter, best of 3. The interpreter is $MIDSTANCE_EZC3D_PYTHON when
// set, else the first of python3, /usr/bin/python3 that imports ezc3d. Without ezc3d the
// COMPARE line says so and the benchmark still exits 0.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "bench_support.h"
#include "midstance/c3d.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

constexpr int kMarkers = 100;
constexpr int64_t kFrames = 100000;
constexpr double kRateHz = 200;
constexpr int kChannels = 16;
constexpr int kSamplesPerFrame = 5;
constexpr double kPi = 3.14159265358979323846;

fs::path TempPath(const std::string& stem, const std::string& extension) {
  return fs::temp_directory_path() / ("midstance_c3d_benchmark_" + std::to_string(::getpid()) + "_" + stem + extension);
}

const fs::path& TrialPath() {
  static const fs::path path = TempPath("trial", ".c3d");
  return path;
}

C3dParameter NumberParameter(const std::string& name, C3dParameterType type, const std::vector<double>& values) {
  C3dParameter p;
  p.group = "ANALOG";
  p.name = name;
  p.type = type;
  p.dimensions = {static_cast<int>(values.size())};
  p.numbers = values;
  return p;
}

// Smooth marker paths in mm (a walk along x with per-marker sway), a 40-frame gap every
// 10,000 frames on every seventh marker, sine / noise-free analog channels in volts.
C3dFile MakeTrial() {
  C3dFile file;
  file.float_storage = true;
  file.point_scale = 0.1;
  file.first_frame = 1;
  file.frame_count = kFrames;
  file.point_count = kMarkers;
  file.point_rate_hz = kRateHz;
  file.point_units = "mm";
  for (int m = 0; m < kMarkers; ++m) {
    char label[8];
    std::snprintf(label, sizeof(label), "M%03d", m);
    file.point_labels.push_back(label);
  }
  const size_t samples = static_cast<size_t>(kFrames) * kMarkers;
  file.points.resize(3 * samples);
  file.residuals.resize(samples);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t f = 0; f < kFrames; ++f) {
    const double t = static_cast<double>(f) / kRateHz;
    for (int m = 0; m < kMarkers; ++m) {
      const size_t i = static_cast<size_t>(f) * kMarkers + static_cast<size_t>(m);
      const bool gap = m % 7 == 3 && f % 10000 >= 5000 && f % 10000 < 5040;
      if (gap) {
        file.points[3 * i] = file.points[3 * i + 1] = file.points[3 * i + 2] = nan;
        file.residuals[i] = nan;
        continue;
      }
      const double phase = 0.37 * m;
      file.points[3 * i] = 1200.0 * std::sin(2 * kPi * 0.05 * t) + 30.0 * std::sin(2 * kPi * 1.1 * t + phase) + 2.0 * m;
      file.points[3 * i + 1] = 150.0 * std::cos(2 * kPi * 0.9 * t + phase) + 10.0 * m;
      file.points[3 * i + 2] = 900.0 + 8.0 * m + 40.0 * std::sin(2 * kPi * 1.8 * t + 0.5 * phase);
      file.residuals[i] = 0.1 * (1 + m % 20);  // residual words 1..20 at scale 0.1
    }
  }
  file.analog_channel_count = kChannels;
  file.analog_samples_per_frame = kSamplesPerFrame;
  file.analog_rate_hz = kRateHz * kSamplesPerFrame;
  for (int c = 0; c < kChannels; ++c) {
    char label[8];
    std::snprintf(label, sizeof(label), "EMG%02d", c + 1);
    file.analog_labels.push_back(label);
  }
  const size_t analog_samples = static_cast<size_t>(kFrames) * kSamplesPerFrame;
  file.analog.resize(analog_samples * kChannels);
  for (size_t s = 0; s < analog_samples; ++s) {
    const double t = static_cast<double>(s) / file.analog_rate_hz;
    for (int c = 0; c < kChannels; ++c) {
      file.analog[s * kChannels + static_cast<size_t>(c)] = 0.5 * std::sin(2 * kPi * (3.0 + c) * t) + 0.01 * c;
    }
  }
  // Analog scaling written out explicitly (unit gains, zero offsets) so every reader agrees.
  file.parameters.push_back(NumberParameter("SCALE", C3dParameterType::kFloat, std::vector<double>(kChannels, 1.0)));
  file.parameters.push_back(NumberParameter("OFFSET", C3dParameterType::kInt16, std::vector<double>(kChannels, 0.0)));
  file.parameters.push_back(NumberParameter("GEN_SCALE", C3dParameterType::kFloat, {1.0}));
  C3dParameter units;
  units.group = "ANALOG";
  units.name = "UNITS";
  units.type = C3dParameterType::kChar;
  units.dimensions = {1, kChannels};
  units.strings.assign(kChannels, "V");
  file.parameters.push_back(units);
  return file;
}

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "c3d_benchmark: %s\n", message.c_str());
  std::exit(1);
}

const C3dFile& Trial() {
  static const C3dFile file = MakeTrial();
  return file;
}

void Check(bool ok, const std::string& what) {
  if (!ok) Fail("read-back check failed: " + what);
}

bool Near(double a, double b, double tolerance) { return std::fabs(a - b) <= tolerance; }

// Writes the trial and verifies the read-back (frame count beyond 65,535, values, gaps, labels).
void WriteAndVerify() {
  const C3dFile& trial = Trial();
  WriteC3d(TrialPath().string(), trial);
  const C3dFile back = ReadC3d(TrialPath().string());
  Check(back.frame_count == kFrames, "frame_count " + std::to_string(back.frame_count) + ", expected " +
                                         std::to_string(kFrames) + " (TRIAL:ACTUAL_START_FIELD path)");
  Check(back.point_count == kMarkers, "point_count " + std::to_string(back.point_count));
  Check(back.analog_channel_count == kChannels && back.analog_samples_per_frame == kSamplesPerFrame, "analog layout");
  Check(back.points.size() == trial.points.size() && back.analog.size() == trial.analog.size(), "array sizes");
  Check(back.point_labels.size() == kMarkers && back.point_labels[0] == "M000" && back.point_labels[99] == "M099", "point labels");
  Check(back.analog_labels.size() == kChannels && back.analog_labels[15] == "EMG16", "analog labels");
  for (const int64_t f : {int64_t{0}, int64_t{65535}, int64_t{70000}, kFrames - 1}) {
    for (const int m : {0, 42, 99}) {
      const size_t i = 3 * (static_cast<size_t>(f) * kMarkers + static_cast<size_t>(m));
      for (int k = 0; k < 3; ++k) {
        Check(Near(back.points[i + static_cast<size_t>(k)], trial.points[i + static_cast<size_t>(k)], 1e-3),
              "point M" + std::to_string(m) + " frame " + std::to_string(f));
      }
    }
  }
  const size_t gap = 3 * (static_cast<size_t>(95000) * kMarkers + 3);  // marker 3, inside a gap
  Check(std::isnan(back.points[gap]) && std::isnan(back.points[gap + 2]), "gap at frame 95000 not NaN");
  const size_t last = back.analog.size() - 1;
  Check(Near(back.analog[last], trial.analog[last], 1e-6) && Near(back.analog[12345], trial.analog[12345], 1e-6), "analog values");
  std::printf("c3d_benchmark: wrote and verified %s (%.1f MB, %lld frames)\n", TrialPath().c_str(),
              static_cast<double>(fs::file_size(TrialPath())) / 1e6, static_cast<long long>(back.frame_count));
  std::fflush(stdout);
}

void BM_ReadC3d(benchmark::State& state) {
  const std::string path = TrialPath().string();
  const int64_t bytes = static_cast<int64_t>(fs::file_size(path));
  for (auto _ : state) {
    const C3dFile file = ReadC3d(path);
    benchmark::DoNotOptimize(file.points.data());
  }
  state.SetItemsProcessed(state.iterations() * kFrames);
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_WriteC3d(benchmark::State& state) {
  const C3dFile& trial = Trial();
  const std::string path = TempPath("write", ".c3d").string();
  for (auto _ : state) WriteC3d(path, trial);
  state.SetItemsProcessed(state.iterations() * kFrames);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(fs::file_size(path)));
  fs::remove(path);
}

BENCHMARK(BM_ReadC3d)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_WriteC3d)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// Prints one of:
//   EZC3D_OK <version> <interpreter> <best read s> <best write s>
//   EZC3D_ERR <reason>
constexpr const char* kPeerScript = R"(import sys, time
try:
    import ezc3d
except Exception as e:
    print("EZC3D_ERR cannot import ezc3d in %s: %s" % (sys.executable, str(e).replace("\n", " ")))
    sys.exit(0)
path, out = sys.argv[1], sys.argv[2]
try:
    best, c = float("inf"), None
    for _ in range(3):
        c = None
        t0 = time.perf_counter()
        c = ezc3d.c3d(path)
        best = min(best, time.perf_counter() - t0)
    frames = c["data"]["points"].shape[2]
    if frames != int(sys.argv[3]):
        print("EZC3D_ERR ezc3d read %d frames, expected %s" % (frames, sys.argv[3]))
        sys.exit(0)
    best_write = float("nan")
    try:
        best_write = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            c.write(out)
            best_write = min(best_write, time.perf_counter() - t0)
    except Exception:
        best_write = float("nan")
    print("EZC3D_OK %s %s %.6f %.6f" % (getattr(ezc3d, "__version__", "unknown"), sys.executable, best, best_write))
except Exception as e:
    print("EZC3D_ERR ezc3d failed on the file: %s" % str(e).replace("\n", " "))
)";

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string Capture(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
  ::pclose(pipe);
  return output;
}

struct PeerResult {
  bool ok = false;
  std::string reason, version, interpreter;
  double read_s = 0, write_s = 0;
};

PeerResult RunEzc3d() {
  PeerResult result;
  const fs::path script = TempPath("peer", ".py");
  const fs::path written = TempPath("ezc3d_write", ".c3d");
  std::ofstream(script) << kPeerScript;
  std::vector<std::string> interpreters;
  if (const char* chosen = std::getenv("MIDSTANCE_EZC3D_PYTHON"); chosen && *chosen) interpreters.push_back(chosen);
  interpreters.push_back("python3");
  interpreters.push_back("/usr/bin/python3");
  result.reason = "no Python interpreter found";
  for (const std::string& python : interpreters) {
    const std::string output = Capture(ShellQuote(python) + " " + ShellQuote(script.string()) + " " + ShellQuote(TrialPath().string()) +
                                       " " + ShellQuote(written.string()) + " " + std::to_string(kFrames) + " 2>&1");
    const size_t ok = output.find("EZC3D_OK ");
    if (ok != std::string::npos) {
      char version[128] = {}, interpreter[1024] = {};
      if (std::sscanf(output.c_str() + ok, "EZC3D_OK %127s %1023s %lf %lf", version, interpreter, &result.read_s,
                      &result.write_s) >= 3 &&
          result.read_s > 0) {
        result.ok = true;
        result.version = version;
        result.interpreter = interpreter;
        break;
      }
    }
    const size_t err = output.find("EZC3D_ERR ");
    std::string reason = err != std::string::npos ? output.substr(err + 10) : python + ": " + output;
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
    if (reason.empty()) reason = python + " produced no output";
    result.reason = result.reason == "no Python interpreter found" ? reason : result.reason + "; " + reason;
  }
  std::error_code ignored;
  fs::remove(script, ignored);
  fs::remove(written, ignored);
  return result;
}

}  // namespace
}  // namespace midstance

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  try {
    midstance::WriteAndVerify();
  } catch (const std::exception& e) {
    midstance::Fail(std::string("cannot write / read the synthetic trial: ") + e.what());
  }
  auto rates = midstance::bench::RunAll(argc, argv);
  const double size_mb = static_cast<double>(fs::file_size(midstance::TrialPath())) / 1e6;
  const std::string name = "c3d_read_" + std::to_string(midstance::kMarkers) + "markers_" + std::to_string(midstance::kFrames) + "frames";
  auto rate = [&](const std::string& prefix) {  // the name carries min_time / real_time suffixes
    for (const auto& [run, value] : rates) {
      if (run.rfind(prefix, 0) == 0) return value;
    }
    return 0.0;
  };
  const double read = rate("BM_ReadC3d");
  const double write = rate("BM_WriteC3d");
  std::printf("FILE %s: %.1f MB (%d markers, %lld frames at %.0f Hz, %d analog channels x %d samples/frame)\n",
              midstance::TrialPath().c_str(), size_mb, midstance::kMarkers, static_cast<long long>(midstance::kFrames),
              midstance::kRateHz, midstance::kChannels, midstance::kSamplesPerFrame);
  if (read > 0) {
    const midstance::PeerResult peer = midstance::RunEzc3d();
    if (peer.ok) {
      std::printf("PEER ezc3d %s (%s): read best of 3 %.3f s", peer.version.c_str(), peer.interpreter.c_str(), peer.read_s);
      if (std::isfinite(peer.write_s)) std::printf(", write best of 3 %.3f s", peer.write_s);
      std::printf("\n");
      midstance::bench::PrintCompare(name, read, "ezc3d", midstance::kFrames / peer.read_s, "frames/s");
      if (std::isfinite(peer.write_s) && peer.write_s > 0) {
        midstance::bench::PrintCompare("c3d_write_100markers_100000frames", write, "ezc3d", midstance::kFrames / peer.write_s,
                                       "frames/s");
      }
    } else {
      std::printf("COMPARE %s: midstance %.4g frames/s, ezc3d not available (%s)\n", name.c_str(), read, peer.reason.c_str());
    }
    std::printf("READ midstance: %.4g frames/s (%.1f MB/s)\n", read, read * size_mb / midstance::kFrames);
    if (write > 0) {
      std::printf("WRITE c3d_write_100markers_100000frames: midstance %.4g frames/s (%.1f MB/s)\n", write,
                  write * size_mb / midstance::kFrames);
    }
  }
  if (!std::getenv("MIDSTANCE_C3D_BENCH_KEEP")) {
    std::error_code ignored;
    fs::remove(midstance::TrialPath(), ignored);
  }
  return 0;
}
