// Zero-lag Butterworth filtering against independent truth: the closed-form magnitude response of
// a bilinear Butterworth design, |H(f)|^2 = 1 / (1 + (tan(pi f / fs) / tan(pi fc / fs))^(2 n))
// (Oppenheim & Schafer 2010, 7.2.2), squared by the second pass; Winter's two-pass correction
// (Winter 2009, 3.4.4.3); and scipy.signal's butter + sosfiltfilt when python3-scipy is present.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "midstance/compute.h"
#include "midstance/error.h"
#include "midstance/filter.h"
#include "support/test_support.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<double> Sinusoid(int64_t samples, double rate_hz, double frequency_hz, double amplitude, double phase) {
  std::vector<double> x(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) {
    x[static_cast<size_t>(i)] = amplitude * std::sin(2 * kPi * frequency_hz * static_cast<double>(i) / rate_hz + phase);
  }
  return x;
}

struct Tone {
  double amplitude;
  double phase;  // of sin(2 pi f t + phase)
};

// Least-squares fit of a sin + b cos at `frequency_hz` over the middle half of `y`, far from the
// edges' transients.
Tone MeasureTone(const std::vector<double>& y, double rate_hz, double frequency_hz) {
  const size_t begin = y.size() / 4, end = 3 * y.size() / 4;
  double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
  for (size_t i = begin; i < end; ++i) {
    const double w = 2 * kPi * frequency_hz * static_cast<double>(i) / rate_hz;
    const double s = std::sin(w), c = std::cos(w);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  return {std::hypot(a, b), std::atan2(b, a)};
}

// Two passes of an order-n bilinear Butterworth design with single-pass cut-off fc.
double TwoPassGain(int order, double design_hz, double rate_hz, double frequency_hz) {
  const double ratio = std::tan(kPi * frequency_hz / rate_hz) / std::tan(kPi * design_hz / rate_hz);
  return 1 / (1 + std::pow(ratio, 2 * order));
}

// Winter (2009), 3.4.4.3, written out here rather than taken from the code under test.
double WinterC(int order) { return std::pow(std::sqrt(2.0) - 1, 1.0 / (2 * order)); }

// The single-pass cut-off whose two-pass result is -3 dB at cutoff_hz: |H|^4 = 1/2 in the
// closed form above. (Raising cutoff_hz itself by 1/C, its low-frequency limit, would leave the
// two-pass gain at 150 Hz of 500 Hz, order 8, at 0.85 instead of 0.707.)
double CorrectedDesignHz(int order, double cutoff_hz, double rate_hz) {
  return rate_hz / kPi * std::atan(std::tan(kPi * cutoff_hz / rate_hz) / WinterC(order));
}

double ToneGain(const ButterworthOptions& options, double rate_hz, double frequency_hz, double seconds) {
  const int64_t samples = static_cast<int64_t>(seconds * rate_hz);
  std::vector<double> y = Sinusoid(samples, rate_hz, frequency_hz, 2.5, 0.3);
  FilterZeroLag(Backend::kCpu, options, rate_hz, samples, 1, &y);
  return MeasureTone(y, rate_hz, frequency_hz).amplitude / 2.5;
}

struct Design {
  int order;
  double cutoff_hz;
  double rate_hz;
};

// Force plates (6 Hz of 2000 Hz), markers (6 Hz of 100-250 Hz) and cut-offs near Nyquist, where
// correcting the cut-off itself (f / C) instead of its pre-warped value would miss.
const Design kDesigns[] = {{4, 6, 2000}, {2, 6, 100}, {8, 6, 250}, {6, 20, 200}, {8, 150, 500}, {4, 350, 1000}};

TEST(Butterworth, TwoPassCorrectionIsWinters) {
  EXPECT_NEAR(TwoPassCutoffCorrection(2), 0.802, 5e-4);  // Winter's value for 2nd order, 2 passes
  for (int order : {2, 4, 6, 8}) EXPECT_DOUBLE_EQ(TwoPassCutoffCorrection(order), WinterC(order));
  for (const Design& d : kDesigns) {
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    EXPECT_NEAR(DesignCutoffHz(options, d.rate_hz), CorrectedDesignHz(d.order, d.cutoff_hz, d.rate_hz), 1e-12 * d.rate_hz);
    options.two_pass_correction = false;
    EXPECT_EQ(DesignCutoffHz(options, d.rate_hz), d.cutoff_hz);
  }
}

TEST(Butterworth, TwoPassResultIsMinus3dBAtTheRequestedCutoff) {
  for (const Design& d : kDesigns) {
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    EXPECT_NEAR(ToneGain(options, d.rate_hz, d.cutoff_hz, 20), 1 / std::sqrt(2.0), 1e-6)
        << "order " << d.order << ", " << d.cutoff_hz << " Hz of " << d.rate_hz << " Hz";
  }
}

TEST(Butterworth, WithoutCorrectionTheMinus3dBPointIsLowerAsWinterPredicts) {
  for (const Design& d : kDesigns) {
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    options.two_pass_correction = false;
    // -3 dB per pass at the design cut-off: -6 dB after two.
    EXPECT_NEAR(ToneGain(options, d.rate_hz, d.cutoff_hz, 20), 0.5, 1e-6) << d.cutoff_hz << " Hz of " << d.rate_hz;
    // The two-pass -3 dB point: tan(pi f3 / fs) = C tan(pi fc / fs), i.e. f3 ~ C fc (Winter).
    const double f3 = d.rate_hz / kPi * std::atan(WinterC(d.order) * std::tan(kPi * d.cutoff_hz / d.rate_hz));
    EXPECT_NEAR(ToneGain(options, d.rate_hz, f3, 20), 1 / std::sqrt(2.0), 1e-6) << d.cutoff_hz << " Hz of " << d.rate_hz;
    if (d.cutoff_hz / d.rate_hz < 0.01) {
      EXPECT_NEAR(f3 / d.cutoff_hz, WinterC(d.order), 1e-4);
    }
  }
}

TEST(Butterworth, DcGainIsOne) {
  for (const Design& d : kDesigns) {
    const SosFilter sos = DesignButterworthLowPass(d.order, d.cutoff_hz, d.rate_hz);
    double gain = 1;
    for (const auto& s : sos.sections) gain *= (s[0] + s[1] + s[2]) / (s[3] + s[4] + s[5]);
    EXPECT_NEAR(gain, 1, 1e-14) << d.order << " " << d.cutoff_hz << " Hz of " << d.rate_hz << " Hz";
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    for (double level : {1.0, -812.5, 3.0e-4}) {
      std::vector<double> y(1000, level);
      FilterZeroLag(Backend::kCpu, options, d.rate_hz, 1000, 1, &y);
      double worst = 0;
      for (double v : y) worst = std::max(worst, std::fabs(v - level) / std::fabs(level));
      // Rounding in the recursion, amplified near z = 1: scipy's own result is off by 8.5e-13 at
      // 6 Hz of 2000 Hz (and its coefficients' DC gain by 1.3e-13).
      EXPECT_LT(worst, 3e-12) << level << ", order " << d.order << ", " << d.cutoff_hz << " Hz of " << d.rate_hz;
    }
  }
}

TEST(Butterworth, PassBandSinusoidHasNoPhaseLag) {
  for (const Design& d : kDesigns) {
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    const double f = d.cutoff_hz / 4;
    const int64_t samples = static_cast<int64_t>(20 * d.rate_hz);
    std::vector<double> y = Sinusoid(samples, d.rate_hz, f, 1.0, 0.7);
    FilterZeroLag(Backend::kCpu, options, d.rate_hz, samples, 1, &y);
    const Tone tone = MeasureTone(y, d.rate_hz, f);
    EXPECT_NEAR(tone.phase, 0.7, 1e-9) << f << " Hz of " << d.rate_hz;
    EXPECT_NEAR(tone.amplitude, TwoPassGain(d.order, CorrectedDesignHz(d.order, d.cutoff_hz, d.rate_hz), d.rate_hz, f),
                1e-9);
  }
}

TEST(Butterworth, StopBandSinusoidIsAttenuatedAsTheAnalyticResponse) {
  for (const Design& d : kDesigns) {
    ButterworthOptions options;
    options.order = d.order;
    options.cutoff_hz = d.cutoff_hz;
    const double design_hz = CorrectedDesignHz(d.order, d.cutoff_hz, d.rate_hz);
    for (double factor : {1.5, 2.0, 3.0}) {
      const double f = factor * d.cutoff_hz;
      if (f >= 0.45 * d.rate_hz) continue;
      const double expected = TwoPassGain(d.order, design_hz, d.rate_hz, f);
      EXPECT_NEAR(ToneGain(options, d.rate_hz, f, 20) / expected, 1, 1e-6)
          << f << " Hz of " << d.rate_hz << ", expected gain " << expected;
    }
  }
}

// A python3 that can import scipy.signal, or empty. Debian's python3-scipy serves /usr/bin/python3,
// which a pyenv or virtualenv python3 earlier on PATH does not see.
std::string PythonWithScipy() {
  for (const std::string python : {"python3", "/usr/bin/python3"}) {
    if (std::system((python + " -c 'import scipy.signal' >/dev/null 2>&1").c_str()) == 0) return python;
  }
  return "";
}

// scipy, when a python3 can import it.
class Scipy : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = PythonWithScipy();
    if (python_.empty()) {
      GTEST_SKIP() << "no python3 with scipy found (Debian: apt-get install python3-scipy): scipy comparison skipped";
    }
    std::ofstream(script_path_) << R"(import sys
import numpy as np
from scipy import signal
mode, order, cutoff, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sos = signal.butter(order, cutoff, output='sos', fs=rate)
if mode == 'sos':
    print(' '.join(repr(float(v)) for v in sos.ravel()))
else:
    samples, columns = int(sys.argv[5]), int(sys.argv[6])
    x = np.fromfile(sys.argv[7], dtype='<f8').reshape(samples, columns)
    signal.sosfiltfilt(sos, x, axis=0).astype('<f8').tofile(sys.argv[8])
)";
  }

  // Runs the script; returns its standard output.
  std::string Run(const std::string& arguments) {
    const std::string command = python_ + " " + script_path_ + " " + arguments;
    FILE* pipe = popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << command;
    std::string out;
    char buffer[4096];
    for (size_t n; pipe && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    EXPECT_EQ(pipe ? pclose(pipe) : -1, 0) << command;
    return out;
  }

  static std::string Arguments(int order, double cutoff_hz, double rate_hz) {
    char text[128];
    std::snprintf(text, sizeof text, "%d %.17g %.17g", order, cutoff_hz, rate_hz);
    return text;
  }

  std::string python_;
  testing::TempDir dir_;
  std::string script_path_ = dir_ / "scipy_filter.py";
};

TEST_F(Scipy, SectionsMatchButter) {
  for (const Design& d : kDesigns) {
    const SosFilter ours = DesignButterworthLowPass(d.order, d.cutoff_hz, d.rate_hz);
    std::istringstream text(Run("sos " + Arguments(d.order, d.cutoff_hz, d.rate_hz)));
    std::vector<double> theirs;
    for (double v; text >> v;) theirs.push_back(v);
    ASSERT_EQ(theirs.size(), 6 * ours.sections.size());
    double worst_b = 0, worst_a = 0;
    for (size_t s = 0; s < ours.sections.size(); ++s) {
      for (size_t i = 0; i < 3; ++i) {
        // b scales with the gain (7e-10 for order 8 at 6 Hz of 250 Hz): relative to its section.
        worst_b = std::max(worst_b, std::fabs(ours.sections[s][i] - theirs[6 * s + i]) / std::fabs(theirs[6 * s]));
        worst_a = std::max(worst_a, std::fabs(ours.sections[s][3 + i] - theirs[6 * s + 3 + i]));
      }
    }
    EXPECT_LT(worst_b, 1e-12) << "order " << d.order << ", " << d.cutoff_hz << " Hz of " << d.rate_hz;
    EXPECT_LT(worst_a, 1e-14) << "order " << d.order << ", " << d.cutoff_hz << " Hz of " << d.rate_hz;
    std::printf("sos order %d %g Hz of %g Hz: largest difference b %.2g (relative), a %.2g\n", d.order, d.cutoff_hz,
                d.rate_hz, worst_b, worst_a);
  }
}

// A force-plate-like channel: offset, slow and fast components and noise.
std::vector<double> NoisyChannels(int64_t samples, int columns, double rate_hz, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 5);
  std::vector<double> x(static_cast<size_t>(samples * columns));
  for (int64_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    for (int c = 0; c < columns; ++c) {
      x[static_cast<size_t>(i * columns + c)] = 700 + 100 * c + 300 * std::sin(2 * kPi * (1.3 + c) * t + c) +
                                                  40 * std::sin(2 * kPi * 0.2 * rate_hz * t) + noise(rng);
    }
  }
  return x;
}

TEST_F(Scipy, FilteredChannelsMatchSosfiltfilt) {
  struct Case {
    Design design;
    int64_t samples;
    int columns;
  };
  const Case cases[] = {{{4, 6, 2000}, 6000, 3},  {{2, 6, 100}, 501, 2},   {{8, 6, 250}, 999, 4},
                        {{6, 20, 200}, 1000, 1},  {{8, 150, 500}, 700, 2}, {{4, 10, 1000}, 16, 3},
                        {{8, 0.5, 1000}, 8000, 2}};
  for (const Case& k : cases) {
    ButterworthOptions options;
    options.order = k.design.order;
    options.cutoff_hz = k.design.cutoff_hz;
    std::vector<double> x = NoisyChannels(k.samples, k.columns, k.design.rate_hz, 11);
    const std::string in = dir_ / "in.f64", out = dir_ / "out.f64";
    std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(8 * x.size()));
    Run("filtfilt " + Arguments(k.design.order, DesignCutoffHz(options, k.design.rate_hz), k.design.rate_hz) + " " +
        std::to_string(k.samples) + " " + std::to_string(k.columns) + " " + in + " " + out);
    std::vector<double> expected(x.size());
    std::ifstream(out, std::ios::binary).read(reinterpret_cast<char*>(expected.data()), static_cast<std::streamsize>(8 * x.size()));
    const FilterSummary summary = FilterZeroLag(Backend::kCpu, options, k.design.rate_hz, k.samples, k.columns, &x);
    EXPECT_EQ(summary.runs_filtered, k.columns);
    EXPECT_TRUE(testing::ValuesMatch(expected, x, 1e-9)) << "order " << k.design.order << ", " << k.design.cutoff_hz << " Hz";
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(x[i] - expected[i]) / std::max(1.0, std::fabs(expected[i])));
    std::printf("sosfiltfilt order %d %g Hz of %g Hz, %lld x %d: largest relative difference %.2g\n", k.design.order,
                k.design.cutoff_hz, k.design.rate_hz, static_cast<long long>(k.samples), k.columns, worst);
  }
}

ButterworthOptions MarkerOptions() {
  ButterworthOptions options;
  options.order = 4;  // padding 3 * (2 * 2 + 1) = 15 samples
  options.cutoff_hz = 6;
  return options;
}
constexpr int kPadding = 15;
constexpr double kMarkerRate = 100;

std::vector<double> Column(const std::vector<double>& values, int columns, int c) {
  std::vector<double> column;
  for (size_t i = static_cast<size_t>(c); i < values.size(); i += static_cast<size_t>(columns)) column.push_back(values[i]);
  return column;
}

std::vector<double> FilterAlone(std::vector<double> run) {
  FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, static_cast<int64_t>(run.size()), 1, &run);
  return run;
}

// `column` with each run [begin, begin + length) replaced by that run filtered on its own.
std::vector<double> FilterRunsAlone(const std::vector<double>& column, const std::vector<std::pair<int64_t, int64_t>>& runs) {
  std::vector<double> result = column;
  for (const auto& [begin, length] : runs) {
    const std::vector<double> run = FilterAlone(std::vector<double>(column.begin() + begin, column.begin() + begin + length));
    std::copy(run.begin(), run.end(), result.begin() + begin);
  }
  return result;
}

TEST(FilterZeroLag, NanGapsSplitAColumnIntoRunsFilteredAlone) {
  // Column 0: run of 200, gap of 3, run of exactly the padding (too short), gap, run of padding
  // + 1 (filtered), gap, run of 1 at the very end. Column 1: all NaN. Column 2: leading gap.
  const int64_t samples = 200 + 3 + kPadding + 1 + (kPadding + 1) + 5 + 1;
  const int columns = 3;
  std::vector<double> values = NoisyChannels(samples, columns, kMarkerRate, 3);
  auto gap = [&](int c, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) values[static_cast<size_t>(i * columns + c)] = NAN;
  };
  const int64_t short_begin = 203, long_begin = short_begin + kPadding + 1, last = samples - 1;
  gap(0, 200, 203);
  gap(0, long_begin - 1, long_begin);
  gap(0, long_begin + kPadding + 1, last);
  gap(1, 0, samples);
  gap(2, 0, 40);
  const std::vector<double> input = values;
  const FilterSummary summary = FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, samples, columns, &values);
  EXPECT_EQ(summary.runs_filtered, 3);   // column 0: 200 and 16 samples; column 2
  EXPECT_EQ(summary.runs_too_short, 2);  // column 0: 15 samples and 1 sample

  // NaN where the gaps are, short runs as they were, long runs as if alone.
  EXPECT_TRUE(testing::ValuesMatch(FilterRunsAlone(Column(input, columns, 0), {{0, 200}, {long_begin, kPadding + 1}}),
                                   Column(values, columns, 0), 0));
  EXPECT_TRUE(testing::ValuesMatch(Column(input, columns, 1), Column(values, columns, 1), 0));
  EXPECT_TRUE(testing::ValuesMatch(FilterRunsAlone(Column(input, columns, 2), {{40, samples - 40}}),
                                   Column(values, columns, 2), 0));
}

TEST(FilterZeroLag, EachColumnIsFilteredAsIfAlone) {
  for (int columns : {1, 2, 7, 33}) {
    const int64_t samples = 1001;
    std::vector<double> values = NoisyChannels(samples, columns, kMarkerRate, 5);
    const std::vector<double> input = values;
    FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, samples, columns, &values);
    for (int c = 0; c < columns; ++c) {
      EXPECT_TRUE(testing::ValuesMatch(FilterAlone(Column(input, columns, c)), Column(values, columns, c), 0))
          << "column " << c << " of " << columns;
    }
  }
}

TEST(FilterZeroLag, LargeInputsAreFilteredColumnByColumnToo) {
  // 10^7 values: on the CPU backend more than one block of columns through its scratch memory.
  const int64_t samples = 600000;
  const int columns = 17;
  std::vector<double> values = NoisyChannels(samples, columns, 1000, 13);
  const std::vector<double> input = values;
  FilterZeroLag(Backend::kCpu, MarkerOptions(), 1000, samples, columns, &values);
  for (int c : {0, 7, 8, 15, 16}) {
    std::vector<double> alone = Column(input, columns, c);
    FilterZeroLag(Backend::kCpu, MarkerOptions(), 1000, samples, 1, &alone);
    EXPECT_TRUE(testing::ValuesMatch(alone, Column(values, columns, c), 0)) << "column " << c;
  }
}

TEST(FilterZeroLag, EmptyAndTinyInputs) {
  std::vector<double> none;
  EXPECT_EQ(FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, 0, 5, &none).runs_filtered, 0);
  EXPECT_EQ(FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, 10, 0, &none).runs_filtered, 0);
  std::vector<double> one = {4.0, 5.0};
  const FilterSummary summary = FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, 1, 2, &one);
  EXPECT_EQ(summary.runs_too_short, 2);
  EXPECT_EQ(one, (std::vector<double>{4.0, 5.0}));
}

TEST(FilterZeroLag, ResultsDoNotDependOnTheThreadCount) {
  const int64_t samples = 20000;
  const int columns = 40;  // 800,000 values: every step runs as a parallel region
  std::vector<double> one = NoisyChannels(samples, columns, 1000, 9);
  for (int64_t i = 5000; i < 5100; ++i) one[static_cast<size_t>(i * columns + 3)] = NAN;
  std::vector<double> two = one;
  ButterworthOptions options;
  options.cutoff_hz = 15;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const FilterSummary summary_one = FilterZeroLag(Backend::kCpu, options, 1000, samples, columns, &one);
  omp_set_num_threads(2);
  const FilterSummary summary_two = FilterZeroLag(Backend::kCpu, options, 1000, samples, columns, &two);
  omp_set_num_threads(threads);
  EXPECT_EQ(summary_one.runs_filtered, columns + 1);
  EXPECT_EQ(summary_two.runs_filtered, columns + 1);
  EXPECT_TRUE(testing::ValuesMatch(one, two, 0));
}

void ExpectInvalid(const ButterworthOptions& options, double rate_hz, const std::string& field, const std::string& what) {
  std::vector<double> values(100, 1.0);
  try {
    FilterZeroLag(Backend::kCpu, options, rate_hz, 100, 1, &values);
    ADD_FAILURE() << "no error for " << field;
  } catch (const InvalidInput& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(field), std::string::npos) << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(FilterZeroLag, BadOptionsAreRefusedWithTheFieldNamed) {
  ButterworthOptions options = MarkerOptions();
  for (int order : {0, 3, 10, -2}) {
    options.order = order;
    ExpectInvalid(options, 100, "butterworth.order", "expected an even order 2..8, got " + std::to_string(order));
  }
  options = MarkerOptions();
  for (double cutoff : {0.0, -1.0, 50.0, 80.0, double(NAN)}) {
    options.cutoff_hz = cutoff;
    ExpectInvalid(options, 100, "butterworth.cutoff_hz", "below the Nyquist frequency 50 Hz");
  }
  options = MarkerOptions();
  ExpectInvalid(options, 0, "butterworth.rate_hz", "expected a positive sampling rate, got 0");
  ExpectInvalid(options, -100, "butterworth.rate_hz", "expected a positive sampling rate");
  EXPECT_THROW(DesignButterworthLowPass(5, 6, 100), InvalidInput);
  EXPECT_THROW(DesignButterworthLowPass(4, 60, 100), InvalidInput);
  EXPECT_THROW(TwoPassCutoffCorrection(7), InvalidInput);
}

TEST(FilterZeroLag, InconsistentSizesAndFiltersAreRefused) {
  std::vector<double> values(99, 1.0);
  EXPECT_THROW(FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, 50, 2, &values), InvalidInput);
  EXPECT_THROW(FilterZeroLag(Backend::kCpu, MarkerOptions(), kMarkerRate, -1, 2, &values), InvalidInput);
  SosFilter five = DesignButterworthLowPass(8, 6, 100);
  five.sections.push_back(five.sections.back());
  values.resize(100);
  EXPECT_THROW(compute::FilterColumns(Backend::kCpu, five, 50, 2, &values), InvalidInput);
  SosFilter unnormalised = DesignButterworthLowPass(2, 6, 100);
  unnormalised.sections[0][3] = 2;
  EXPECT_THROW(compute::FilterColumns(Backend::kCpu, unnormalised, 50, 2, &values), InvalidInput);
  EXPECT_THROW(compute::FilterColumns(Backend::kCpu, SosFilter{}, 50, 2, &values), InvalidInput);
}

}  // namespace
}  // namespace midstance
