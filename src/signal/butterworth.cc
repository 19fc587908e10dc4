#include <algorithm>
#include <cmath>
#include <complex>
#include <sstream>
#include <string>
#include <vector>

#include "midstance/compute.h"
#include "midstance/error.h"
#include "midstance/filter.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string Number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void CheckOrder(int order) {
  if (order < 2 || order > kMaxButterworthOrder || order % 2 != 0) {
    throw InvalidInput("butterworth.order: expected an even order 2.." + std::to_string(kMaxButterworthOrder) +
                       ", got " + std::to_string(order));
  }
}

void CheckRate(double rate_hz) {
  if (!(rate_hz > 0) || !std::isfinite(rate_hz)) {
    throw InvalidInput("butterworth.rate_hz: expected a positive sampling rate, got " + Number(rate_hz));
  }
}

void CheckCutoff(const char* field, double cutoff_hz, double rate_hz) {
  if (!(cutoff_hz > 0 && cutoff_hz < rate_hz / 2)) {
    throw InvalidInput(std::string("butterworth.") + field + ": expected above 0 Hz and below the Nyquist frequency " +
                       Number(rate_hz / 2) + " Hz, got " + Number(cutoff_hz));
  }
}

// One pole of each conjugate pair of the digital design: the analog Butterworth poles on the
// circle of radius `warped`, mapped by the bilinear transform z = (4 + s) / (4 - s) (scipy's
// convention: the analog design is done for a sampling rate of 2).
std::vector<std::complex<double>> DigitalPoles(int order, double warped) {
  std::vector<std::complex<double>> poles;
  for (int m = 1 - order; m < 0; m += 2) {
    const std::complex<double> analog = -warped * std::exp(std::complex<double>(0, kPi * m / (2.0 * order)));
    poles.push_back((4.0 + analog) / (4.0 - analog));
  }
  // zpk2sos order: the pair nearest the unit circle (the most resonant) last.
  std::stable_sort(poles.begin(), poles.end(), [](const std::complex<double>& a, const std::complex<double>& b) {
    return std::fabs(1 - std::abs(a)) > std::fabs(1 - std::abs(b));
  });
  return poles;
}

}  // namespace

void ButterworthOptions::Validate(double rate_hz) const {
  CheckOrder(order);
  CheckRate(rate_hz);
  CheckCutoff("cutoff_hz", cutoff_hz, rate_hz);
}

double TwoPassCutoffCorrection(int order) {
  CheckOrder(order);
  constexpr int kPasses = 2;
  return std::pow(std::pow(2.0, 1.0 / kPasses) - 1, 1.0 / (2.0 * order));
}

double DesignCutoffHz(const ButterworthOptions& options, double rate_hz) {
  options.Validate(rate_hz);
  if (!options.two_pass_correction) return options.cutoff_hz;
  const double warped = std::tan(kPi * options.cutoff_hz / rate_hz) / TwoPassCutoffCorrection(options.order);
  return rate_hz / kPi * std::atan(warped);
}

SosFilter DesignButterworthLowPass(int order, double cutoff_hz, double rate_hz) {
  CheckOrder(order);
  CheckRate(rate_hz);
  CheckCutoff("cutoff_hz", cutoff_hz, rate_hz);
  SosFilter filter;
  double gain = 1;
  for (const std::complex<double>& pole : DigitalPoles(order, 4 * std::tan(kPi * cutoff_hz / rate_hz))) {
    // Both zeros at z = -1; denominator (1 - p z^-1)(1 - conj(p) z^-1).
    const double a1 = -2 * pole.real();
    const double a2 = std::norm(pole);
    filter.sections.push_back({1, 2, 1, 1, a1, a2});
    // The gain is taken from the rounded denominators, so that the DC gain of the coefficients
    // actually used is 1 to rounding: at low cut-offs 1 + a1 + a2 is small (~1e-3 at 6 Hz of
    // 2000 Hz), and the exact analog gain would leave the cascade's DC gain 1 +- 1e-13. The sum
    // itself is exact there (Sterbenz's lemma, poles near z = 1).
    gain *= ((1 + a1) + a2) / 4;
  }
  for (size_t i = 0; i < 3; ++i) filter.sections[0][i] *= gain;
  return filter;
}

FilterSummary FilterZeroLag(Backend backend, const ButterworthOptions& options, double rate_hz, int64_t samples,
                            int columns, std::vector<double>* values) {
  const double design_hz = DesignCutoffHz(options, rate_hz);
  return compute::FilterColumns(backend, DesignButterworthLowPass(options.order, design_hz, rate_hz), samples,
                                columns, values);
}

}  // namespace midstance
