#pragma once
// Zero-lag Butterworth low-pass filtering of sampled channels (force-plate analog channels,
// marker coordinates): a digital Butterworth design run forward then backward over each channel,
// so the phase cancels and the magnitude response is squared.
//
// Design: analog Butterworth prototype, cut-off pre-warped, bilinear transform, as second-order
// sections (Oppenheim & Schafer 2010, "Discrete-Time Signal Processing", 3rd ed., 7.2.2; the
// sections as scipy.signal.butter(order, cutoff, output='sos', fs=rate) lays them out).
// Filtering: scipy.signal.sosfiltfilt with its defaults (odd extension, steady-state initial
// conditions), so results match scipy to rounding.
#include <array>
#include <cstdint>
#include <vector>

#include "midstance/backend.h"

namespace midstance {

constexpr int kMaxButterworthOrder = 8;  // four second-order sections: the kernels' fixed storage

struct ButterworthOptions {
  int order = 4;             // order of the low-pass design applied in each direction (even, 2..8)
  double cutoff_hz = 0;      // the cut-off the user asks for: the -3 dB point of the two-pass result
                             // when two_pass_correction, else the -3 dB point of one pass
  bool two_pass_correction = true;

  // Throws InvalidInput naming the field: odd or out-of-range order, cut-off <= 0 or at or above
  // the Nyquist frequency of `rate_hz`, rate <= 0.
  void Validate(double rate_hz) const;
};

// Winter (2009) "Biomechanics and Motor Control of Human Movement", 4th ed., 3.4.4.3: a filter
// run forward and backward squares its magnitude response, so its -3 dB point moves down. Returns
// C = (2^(1/passes) - 1)^(1/(2 * order)), passes = 2 (C < 1); the design cut-off is raised by 1/C.
double TwoPassCutoffCorrection(int order);

// The cut-off to design each pass for, so that the two-pass result is -3 dB at options.cutoff_hz.
// The correction is applied to the pre-warped analog cut-off, tan(pi f / rate) / C, where it is
// exact for a bilinear design at any cut-off; f / C, as often quoted, is its low-frequency limit
// (Robertson & Dowling 2003, J Electromyogr Kinesiol 13(6):569-573). Validates `options`.
double DesignCutoffHz(const ButterworthOptions& options, double rate_hz);

// Second-order sections, b0 b1 b2 a0 a1 a2 each, a0 = 1. The whole gain sits in the first
// section, the pole pair nearest the unit circle is last (scipy.signal.zpk2sos's layout).
struct SosFilter {
  std::vector<std::array<double, 6>> sections;
};

// Bilinear transform with frequency pre-warping, as second-order sections (numerically stable
// at low cut-offs, e.g. 6 Hz at 2000 Hz, where a single polynomial loses most of its digits).
// Throws InvalidInput for odd or out-of-range order, cut-off <= 0 or >= Nyquist, rate <= 0.
SosFilter DesignButterworthLowPass(int order, double cutoff_hz, double rate_hz);

// What FilterZeroLag did, summed over all columns. A run is a maximal stretch of non-NaN samples
// of one column.
struct FilterSummary {
  int64_t runs_filtered = 0;
  int64_t runs_too_short = 0;  // at most the padding length: left unfiltered
};

// Filters every column of `values` (samples x columns, row-major) in place, zero lag, on the
// resolved `backend`, one column per work item. NaN samples split a column into runs that are
// filtered separately: gaps stay NaN and are never bridged; a run of at most
// 3 * (2 * sections + 1) samples (the padding) is left as it is and counted. Each run is filtered
// as scipy.signal.sosfiltfilt(sos, run) with its defaults: odd extension by that padding,
// steady-state initial conditions (sosfilt_zi) scaled by the first sample of the extended run.
// Infinite samples are not gaps: they spread through their run, as in scipy. Throws InvalidInput
// for bad options (ButterworthOptions::Validate) or values.size() != samples * columns.
FilterSummary FilterZeroLag(Backend backend, const ButterworthOptions& options, double rate_hz, int64_t samples,
                            int columns, std::vector<double>* values);

}  // namespace midstance
