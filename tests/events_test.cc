// Gait events against closed-form truth: spring-mass force curves (Blickhan 1989, J Biomech
// 22:1217; McMahon & Cheng 1990, J Biomech 23 Suppl 1:65: for small leg sweep the vertical force
// of the spring-mass model is a half-sine, Fz(t) = Fpeak sin(pi t / Tc)), an asymmetric running
// curve and a walking-like double hump, sampled with the onset between samples. Every truth comes
// from the analytic curve (closed form or a fine solve of the analytic function), never from the
// samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "midstance/error.h"
#include "midstance/gait_events.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kG = 9.80665;

// One analytic stance, in s = (t - onset) / Tc in [0, 1]; zero force outside.
struct Shape {
  std::string name;
  double contact_s = 0;
  std::function<double(double)> vertical;           // N
  std::function<double(double)> vertical_integral;  // integral of vertical from 0 to s (N, per unit s)
  std::function<double(double)> ap;                 // N, anterior-posterior
  double ap_zero = 0;                               // s where ap turns from braking to propulsion
};

// AP force braking with amplitude a until s = zero, then propelling with amplitude b.
std::function<double(double)> BrakeThenPush(double zero, double a, double b) {
  return [=](double s) {
    return s < zero ? -a * std::sin(kPi * s / zero) : b * std::sin(kPi * (s - zero) / (1 - zero));
  };
}

// Spring-mass running: 2.5 body weights for 70 kg, 250 ms contact.
Shape HalfSine() {
  const double peak = 2.5 * 70 * kG;
  return {"half-sine running", 0.25, [=](double s) { return peak * std::sin(kPi * s); },
          [=](double s) { return peak * (1 - std::cos(kPi * s)) / kPi; },
          [](double s) { return -250 * std::sin(2 * kPi * s); }, 0.5};
}

// Running with an early loading hump: half-sine + 0.6 x a skewed s (1 - s)^3 bump (scaled to peak
// 1 at s = 1/4); the AP force brakes for 42 % of stance.
Shape Skewed() {
  const double peak = 1500, hump = 0.6 * 256.0 / 27.0;
  return {"skewed running", 0.22,
          [=](double s) { return peak * (std::sin(kPi * s) + hump * s * std::pow(1 - s, 3)); },
          [=](double s) {
            const double poly = s * s / 2 - s * s * s + 0.75 * std::pow(s, 4) - std::pow(s, 5) / 5;
            return peak * ((1 - std::cos(kPi * s)) / kPi + hump * poly);
          },
          BrakeThenPush(0.42, 300, 220), 0.42};
}

// Walking-like double hump (first hump higher), 620 ms contact.
Shape Walking() {
  const double peak = 700;
  return {"walking double hump", 0.62,
          [=](double s) {
            return peak * (std::sin(kPi * s) + 0.25 * std::sin(3 * kPi * s) + 0.1 * std::sin(2 * kPi * s));
          },
          [=](double s) {
            return peak * ((1 - std::cos(kPi * s)) / kPi + 0.25 * (1 - std::cos(3 * kPi * s)) / (3 * kPi) +
                           0.1 * (1 - std::cos(2 * kPi * s)) / (2 * kPi));
          },
          BrakeThenPush(0.55, 120, 150), 0.55};
}

// Golden-section maximum of a unimodal f on [a, b].
double Maximise(const std::function<double(double)>& f, double a, double b) {
  const double r = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 200; ++it) {
    const double c = b - r * (b - a), d = a + r * (b - a);
    if (f(c) > f(d)) b = d; else a = c;
  }
  return 0.5 * (a + b);
}

// Bisection root of f on [a, b] with a sign change.
double Root(const std::function<double(double)>& f, double a, double b) {
  const bool rising = f(a) < 0;
  for (int it = 0; it < 200; ++it) {
    const double m = 0.5 * (a + b);
    if ((f(m) < 0) == rising) a = m; else b = m;
  }
  return 0.5 * (a + b);
}

// s of the global maximum of the vertical force: grid, then golden section around the best node.
double PeakFraction(const Shape& shape) {
  const int n = 100000;
  int best = 0;
  for (int i = 1; i <= n; ++i) {
    if (shape.vertical(double(i) / n) > shape.vertical(double(best) / n)) best = i;
  }
  return Maximise(shape.vertical, double(best - 1) / n, double(best + 1) / n);
}

// s where the vertical COM velocity turns from down to up, from the closed-form force integral:
// v(s) = Tc (I(s) / m - g s) + c with c making v(0) = -v(1).
double LowestComFraction(const Shape& shape, double mass_kg) {
  auto v_from_rest = [&](double s) { return shape.contact_s * (shape.vertical_integral(s) / mass_kg - kG * s); };
  const double c = -0.5 * v_from_rest(1);
  auto v = [&](double s) { return v_from_rest(s) + c; };
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    if (v(double(i) / n) < 0 && v(double(i + 1) / n) >= 0) return Root(v, double(i) / n, double(i + 1) / n);
  }
  return NAN;
}

// A sampled trial holding one stance: onset 0.1 s + 0.37 sample after t0, 0.1 s after toe-off.
struct Trial {
  double rate_hz = 0, t0_s = 1.25, onset_s = 0;
  std::vector<double> vertical_n;  // Fz per sample
  std::vector<double> force_n;     // [x y z] per sample
  std::array<double, 3> heading{std::cos(0.4), std::sin(0.4), 0};
};

Trial Sample(const Shape& shape, double rate_hz, double noise_n, unsigned seed) {
  Trial trial;
  trial.rate_hz = rate_hz;
  trial.onset_s = trial.t0_s + 0.1 + 0.37 / rate_hz;
  const int n = static_cast<int>(std::ceil((0.2 + shape.contact_s) * rate_hz));
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, noise_n);
  const std::array<double, 2> lateral{-trial.heading[1], trial.heading[0]};
  for (int k = 0; k < n; ++k) {
    const double s = (trial.t0_s + k / rate_hz - trial.onset_s) / shape.contact_s;
    const bool on = s >= 0 && s <= 1;
    const double fz = (on ? shape.vertical(s) : 0) + (noise_n > 0 ? noise(rng) : 0);
    const double ap = (on ? shape.ap(s) : 0) + (noise_n > 0 ? noise(rng) : 0);
    const double ml = (on ? 40 * std::sin(kPi * s) : 0) + (noise_n > 0 ? noise(rng) : 0);  // must not matter
    trial.vertical_n.push_back(fz);
    trial.force_n.push_back(ap * trial.heading[0] + ml * lateral[0]);
    trial.force_n.push_back(ap * trial.heading[1] + ml * lateral[1]);
    trial.force_n.push_back(fz);
  }
  return trial;
}

double Samples(double dt_s, double rate_hz) { return dt_s * rate_hz; }

// ---------------------------------------------------------------------------------------------
// Contacts

TEST(EventsContacts, ThresholdAndMinimumDurationAreHonoured) {
  const double rate = 1000;
  std::vector<double> f(400, 0.0);
  for (int k = 10; k < 29; ++k) f[k] = 50;   // 19 ms: shorter than 20 ms, dropped
  for (int k = 50; k < 70; ++k) f[k] = 50;   // exactly 20 ms: kept
  for (int k = 100; k < 140; ++k) f[k] = 20;  // at (not above) the threshold: not a contact
  for (int k = 200; k < 260; ++k) f[k] = 21;  // just above for 60 ms: kept
  f[230] = NAN;                               // a missing sample splits the run: 30 and 29 ms
  const std::vector<ForceContact> contacts = FindContacts(f, rate, ContactOptions());
  ASSERT_EQ(contacts.size(), 3u);
  EXPECT_EQ(contacts[0].first_sample, 50);
  EXPECT_EQ(contacts[0].last_sample, 69);
  EXPECT_EQ(contacts[1].first_sample, 200);
  EXPECT_EQ(contacts[1].last_sample, 229);
  EXPECT_EQ(contacts[2].first_sample, 231);
  EXPECT_EQ(contacts[2].last_sample, 259);
  for (const ForceContact& c : contacts) EXPECT_FALSE(c.cut_at_start || c.cut_at_end);

  ContactOptions longer;
  longer.min_duration_s = 0.030;
  const std::vector<ForceContact> long_only = FindContacts(f, rate, longer);
  ASSERT_EQ(long_only.size(), 1u);
  EXPECT_EQ(long_only[0].first_sample, 200);

  ContactOptions lower;
  lower.threshold_n = 19.5;
  EXPECT_EQ(FindContacts(f, rate, lower).size(), 4u);  // now the 20 N run counts too
}

TEST(EventsContacts, CaptureCutsAreFlaggedAndTheirEventsAreNaN) {
  const Shape shape = HalfSine();
  const Trial trial = Sample(shape, 1000, 0, 1);
  const ContactOptions options;
  // Keep only the middle of the stance: the capture starts and ends during the contact.
  const std::vector<double> cut_both(trial.vertical_n.begin() + 150, trial.vertical_n.begin() + 300);
  const std::vector<ForceContact> both = FindContacts(cut_both, 1000, options);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_TRUE(both[0].cut_at_start);
  EXPECT_TRUE(both[0].cut_at_end);
  const ContactEvents events = ForceEvents(cut_both, 1000, 0, both[0], options);
  EXPECT_TRUE(std::isnan(events.strike_s) && std::isnan(events.strike_threshold_s));
  EXPECT_TRUE(std::isnan(events.toe_off_s) && std::isnan(events.toe_off_threshold_s));
  EXPECT_NE(events.method.find("capture started during the contact"), std::string::npos) << events.method;
  EXPECT_NE(events.method.find("capture ended during the contact"), std::string::npos) << events.method;
  const MidStanceTimes mid = MidStance(std::vector<double>(trial.force_n.begin() + 450, trial.force_n.begin() + 900),
                                       1000, 0, both[0], events, trial.heading, 70);
  EXPECT_TRUE(std::isnan(mid.Time(MidStanceDefinition::kHalfContact)));
  EXPECT_EQ(mid.Reason(MidStanceDefinition::kHalfContact), "needs both foot strike and toe-off");

  // Only the end cut: the strike is still found.
  const std::vector<double> cut_end(trial.vertical_n.begin(), trial.vertical_n.begin() + 300);
  const std::vector<ForceContact> end = FindContacts(cut_end, 1000, options);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_FALSE(end[0].cut_at_start);
  EXPECT_TRUE(end[0].cut_at_end);
  const ContactEvents end_events = ForceEvents(cut_end, 1000, trial.t0_s, end[0], options);
  EXPECT_LT(std::fabs(Samples(end_events.strike_s - trial.onset_s, 1000)), 1.0);
  EXPECT_TRUE(std::isnan(end_events.toe_off_s));

  // A missing sample just before the contact: no strike, and the method says why.
  std::vector<double> gap_before = trial.vertical_n;
  gap_before[static_cast<size_t>(end[0].first_sample - 1)] = NAN;
  const ContactEvents gap_events = ForceEvents(gap_before, 1000, trial.t0_s, end[0], options);
  EXPECT_TRUE(std::isnan(gap_events.strike_s));
  EXPECT_NE(gap_events.method.find("strike none: the force sample next to the contact is missing"), std::string::npos)
      << gap_events.method;
  EXPECT_TRUE(FindContacts({}, 1000, options).empty());
}

// For Fz = F sin(pi t / Tc) the threshold T is crossed at Tc asin(T / F) / pi after the onset, so the
// threshold contact time is Tc (1 - 2 asin(T / F) / pi): a higher threshold shortens it by exactly
// the asin difference, while the extrapolated strike / toe-off stay put.
TEST(EventsContacts, ThresholdChangesContactTimeByTheClosedForm) {
  const Shape shape = HalfSine();
  const double peak = shape.vertical(0.5), rate = 2000;
  const Trial trial = Sample(shape, rate, 0, 1);
  auto threshold_contact = [&](double threshold) {
    return shape.contact_s * (1 - 2 * std::asin(threshold / peak) / kPi);
  };
  std::vector<ContactEvents> by_threshold;
  for (double threshold : {10.0, 20.0, 30.0}) {
    ContactOptions options;
    options.threshold_n = threshold;
    const std::vector<ForceContact> contacts = FindContacts(trial.vertical_n, rate, options);
    ASSERT_EQ(contacts.size(), 1u);
    const ContactEvents e = ForceEvents(trial.vertical_n, rate, trial.t0_s, contacts[0], options);
    const double measured = e.toe_off_threshold_s - e.strike_threshold_s;
    // Linear interpolation of a sine between samples 0.5 ms apart near its zero: ~1e-6 samples.
    EXPECT_NEAR(measured, threshold_contact(threshold), 0.01 / rate) << threshold << " N";
    // Whole samples above threshold: within one sample of the threshold contact time.
    const double samples = static_cast<double>(contacts[0].last_sample - contacts[0].first_sample + 1);
    EXPECT_NEAR(samples, threshold_contact(threshold) * rate, 1.0) << threshold << " N";
    by_threshold.push_back(e);
  }
  const double predicted_up_ms = 1000 * (threshold_contact(30) - threshold_contact(20));
  const double predicted_down_ms = 1000 * (threshold_contact(10) - threshold_contact(20));
  const double up_ms = OffsetMs(by_threshold[2].toe_off_threshold_s - by_threshold[2].strike_threshold_s,
                                by_threshold[1].toe_off_threshold_s - by_threshold[1].strike_threshold_s);
  const double down_ms = OffsetMs(by_threshold[0].toe_off_threshold_s - by_threshold[0].strike_threshold_s,
                                  by_threshold[1].toe_off_threshold_s - by_threshold[1].strike_threshold_s);
  EXPECT_LT(up_ms, 0);
  EXPECT_GT(down_ms, 0);
  EXPECT_NEAR(up_ms, predicted_up_ms, 1e-3);
  EXPECT_NEAR(down_ms, predicted_down_ms, 1e-3);
  double spread = 0;
  for (const ContactEvents& e : by_threshold) {
    spread = std::max(spread, std::fabs(Samples(e.strike_s - by_threshold[1].strike_s, rate)));
    spread = std::max(spread, std::fabs(Samples(e.toe_off_s - by_threshold[1].toe_off_s, rate)));
  }
  EXPECT_LT(spread, 0.05);
  std::printf("[ measured ] threshold 20->30 N: contact time %+.4f ms (predicted %+.4f); 20->10 N: %+.4f ms "
              "(predicted %+.4f); extrapolated events move <= %.4f samples\n",
              up_ms, predicted_up_ms, down_ms, predicted_down_ms, spread);
}

// ---------------------------------------------------------------------------------------------
// Foot strike and toe-off

// Bound (samples) on the extrapolated onset / offset error. Noise-free: one sample. With noise the
// bound is noise-limited: the least-squares line through the m samples between threshold T and 3 T
// (spaced by the edge slope k in N/sample, mean 2 T / k samples from the onset) predicts zero force
// with SD sigma sqrt(1/m + (2 T / k)^2 / Sxx), Sxx = m (m^2 - 1) / 12, i.e. sigma / k times that in
// samples; three SDs, never below one sample. Running edges (>= 10 N/sample) stay under one
// sample; a 2 kHz walking edge (3.5 N/sample against 2 N noise) gets 1.7 samples (0.9 ms).
double EdgeTolerance(double slope_n_per_sample, double threshold_n, double noise_n) {
  if (noise_n == 0) return 1.0;
  const double k = std::fabs(slope_n_per_sample);
  const double m = std::max(2.0, std::floor(2 * threshold_n / k) + 1);
  const double lever = 2 * threshold_n / k, sxx = m * (m * m - 1) / 12;
  return std::max(1.0, 3 * noise_n / k * std::sqrt(1 / m + lever * lever / sxx));
}

// Slope of the analytic curve at s (N per sample).
double SlopePerSample(const Shape& shape, double s, double rate_hz) {
  const double h = 1e-7, a = std::max(0.0, s - h), b = std::min(1.0, s + h);
  return (shape.vertical(b) - shape.vertical(a)) / (b - a) / shape.contact_s / rate_hz;
}

TEST(EventsStrikeToeOff, StrikeAndToeOffWithinOneSampleOfTheTrueOnsetAndOffset) {
  for (const Shape& shape : {HalfSine(), Skewed(), Walking()}) {
    for (double rate : {1000.0, 2000.0}) {
      for (double noise : {0.0, 2.0}) {
        SCOPED_TRACE(shape.name + " at " + std::to_string(rate) + " Hz, noise " + std::to_string(noise) + " N");
        const Trial trial = Sample(shape, rate, noise, 42);
        const std::vector<ForceContact> contacts = FindContacts(trial.vertical_n, rate, ContactOptions());
        ASSERT_EQ(contacts.size(), 1u);
        const ContactEvents e = ForceEvents(trial.vertical_n, rate, trial.t0_s, contacts[0], ContactOptions());
        const double strike = Samples(e.strike_s - trial.onset_s, rate);
        const double toe_off = Samples(e.toe_off_s - (trial.onset_s + shape.contact_s), rate);
        const double strike_lag = Samples(e.strike_threshold_s - trial.onset_s, rate);
        const double strike_tolerance = EdgeTolerance(SlopePerSample(shape, 0, rate), 20, noise);
        const double toe_off_tolerance = EdgeTolerance(SlopePerSample(shape, 1, rate), 20, noise);
        EXPECT_LT(std::fabs(strike), strike_tolerance);
        EXPECT_LT(std::fabs(toe_off), toe_off_tolerance);
        if (noise == 0) {
          // Noise-free, the edges are straight within 3 x threshold: the extrapolation removes the lag.
          EXPECT_LT(std::fabs(strike), 0.05);
          EXPECT_LT(std::fabs(toe_off), 0.05);
        }
        EXPECT_NE(e.method.find("extrapolated to zero"), std::string::npos) << e.method;
        std::printf("[ measured ] %-20s %4.0f Hz noise %.0f N: strike %+.3f samples (%+.4f ms, tol %.2f), toe-off "
                    "%+.3f samples (%+.4f ms, tol %.2f); 20 N crossing lags %.2f samples\n",
                    shape.name.c_str(), rate, noise, strike, 1000 * strike / rate, strike_tolerance, toe_off,
                    1000 * toe_off / rate, toe_off_tolerance, strike_lag);
      }
    }
  }
}

// A foot grazing the plate before loading it: 25 N held for 40 ms. The line through the 20 and 60 N
// crossings would reach back ~20 ms; the onset is clamped at the last zero sample instead.
TEST(EventsStrikeToeOff, ShelfOnTheEdgeIsClampedAtTheLastZeroSample) {
  const double rate = 1000, t_touch = 0.1003;  // grazing starts 0.3 sample after sample 100
  const Shape shape = HalfSine();
  std::vector<double> f;
  for (int k = 0; k < 450; ++k) {
    const double t = k / rate;
    double value = t < t_touch ? 0 : std::min(25.0, 25.0 * (t - t_touch) / 0.002);
    const double s = (t - t_touch - 0.040) / shape.contact_s;
    if (s >= 0 && s <= 1) value += shape.vertical(s);
    if (s > 1) value = 0;
    f.push_back(value);
  }
  const std::vector<ForceContact> contacts = FindContacts(f, rate, ContactOptions());
  ASSERT_EQ(contacts.size(), 1u);
  const ContactEvents e = ForceEvents(f, rate, 0, contacts[0], ContactOptions());
  EXPECT_NE(e.method.find("clamped at the nearest sample at or below 0 N outside the contact"), std::string::npos) << e.method;
  EXPECT_LT(std::fabs(Samples(e.strike_s - t_touch, rate)), 1.0);
  std::printf("[ measured ] shelf: strike %+.3f samples from the grazing onset\n", Samples(e.strike_s - t_touch, rate));
}

TEST(EventsStrikeToeOff, LowContactFallsBackToTheThresholdCrossing) {
  const double rate = 1000, peak = 50;  // never reaches 3 x 20 N
  std::vector<double> f(300, 0.0);
  for (int k = 0; k < 300; ++k) {
    const double s = (k - 100.37) / 100.0;
    if (s >= 0 && s <= 1) f[k] = peak * std::sin(kPi * s);
  }
  const std::vector<ForceContact> contacts = FindContacts(f, rate, ContactOptions());
  ASSERT_EQ(contacts.size(), 1u);
  const ContactEvents e = ForceEvents(f, rate, 0, contacts[0], ContactOptions());
  EXPECT_EQ(e.strike_s, e.strike_threshold_s);
  EXPECT_EQ(e.toe_off_s, e.toe_off_threshold_s);
  EXPECT_NE(e.method.find("never reached 60 N"), std::string::npos) << e.method;
  const double truth = (100.37 + 100 * std::asin(20 / peak) / kPi) / rate;
  EXPECT_NEAR(Samples(e.strike_threshold_s - truth, rate), 0, 0.05);
}

// ---------------------------------------------------------------------------------------------
// Mid-stance

// Truth for every force definition, as times.
struct MidStanceTruth {
  double peak_s, braking_s, half_s, lowest_com_s;
};

MidStanceTruth Truth(const Shape& shape, const Trial& trial, double mass_kg) {
  return {trial.onset_s + shape.contact_s * PeakFraction(shape), trial.onset_s + shape.contact_s * shape.ap_zero,
          trial.onset_s + 0.5 * shape.contact_s, trial.onset_s + shape.contact_s * LowestComFraction(shape, mass_kg)};
}

// Tolerances (samples). Noise-free: one sample, the stated bound (the measured errors are far
// smaller). With noise a definition is only as sharp as the noise allows, so the bound is derived:
//  - peak force: a flat top is defined only to within the time the curve takes to fall by a few
//    noise sigmas below its maximum, dt = sqrt(2 * 4 sigma / |Fz''|) (6-19 ms here);
//  - braking to propulsion: the lowest point of the AP impulse I(t) ~ a (t - tc)^2 / 2 plus a random
//    walk of variance sigma^2 |t - tc| / rate moves by 0.81 (sigma^2 / (rate a^2))^(1/3) RMS (Chernoff's
//    argmin scaling, its distribution's SD 0.51 times 2^(2/3)); three of those.
// Never below one sample.
double PeakTolerance(const Shape& shape, double rate_hz, double noise_n) {
  if (noise_n == 0) return 1.0;
  const double s = PeakFraction(shape), h = 1e-4;
  const double curvature =
      std::fabs(shape.vertical(s + h) - 2 * shape.vertical(s) + shape.vertical(s - h)) / (h * h) /
      (shape.contact_s * shape.contact_s);
  return std::max(1.0, std::sqrt(8 * noise_n / curvature) * rate_hz);
}

double BrakingTolerance(const Shape& shape, double rate_hz, double noise_n) {
  if (noise_n == 0) return 1.0;
  const double h = 1e-6, z = shape.ap_zero;
  const double slope = 0.5 * (shape.ap(z + h) - shape.ap(z - h)) / h / shape.contact_s;  // N/s, mean of both sides
  return std::max(1.0, 3 * 0.81 * std::cbrt(noise_n * noise_n / (rate_hz * slope * slope)) * rate_hz);
}

TEST(EventsMidStance, EveryForceDefinitionMatchesItsClosedFormInstant) {
  const double mass = 70;
  for (const Shape& shape : {HalfSine(), Skewed(), Walking()}) {
    for (double rate : {1000.0, 2000.0}) {
      for (double noise : {0.0, 2.0}) {
        SCOPED_TRACE(shape.name + " at " + std::to_string(rate) + " Hz, noise " + std::to_string(noise) + " N");
        const Trial trial = Sample(shape, rate, noise, 7);
        const std::vector<ForceContact> contacts = FindContacts(trial.vertical_n, rate, ContactOptions());
        ASSERT_EQ(contacts.size(), 1u);
        const ContactEvents e = ForceEvents(trial.vertical_n, rate, trial.t0_s, contacts[0], ContactOptions());
        const MidStanceTimes mid = MidStance(trial.force_n, rate, trial.t0_s, contacts[0], e, trial.heading, mass);
        const MidStanceTruth truth = Truth(shape, trial, mass);
        auto error = [&](MidStanceDefinition d, double truth_s) { return Samples(mid.Time(d) - truth_s, rate); };
        const double peak = error(MidStanceDefinition::kPeakVerticalForce, truth.peak_s);
        const double braking = error(MidStanceDefinition::kBrakingToPropulsion, truth.braking_s);
        const double half = error(MidStanceDefinition::kHalfContact, truth.half_s);
        EXPECT_LT(std::fabs(peak), PeakTolerance(shape, rate, noise));
        // Noise-free, the asymmetric AP curves have a slope kink at the crossing: linear
        // interpolation across it is off by ~0.1 sample.
        EXPECT_LT(std::fabs(braking), BrakingTolerance(shape, rate, noise));
        // Half contact averages the strike and toe-off errors: their bound / sqrt(2), at least one sample.
        const double half_tolerance =
            std::max(1.0, std::hypot(EdgeTolerance(SlopePerSample(shape, 0, rate), 20, noise),
                                     EdgeTolerance(SlopePerSample(shape, 1, rate), 20, noise)) / 2);
        EXPECT_LT(std::fabs(half), half_tolerance);
        const bool running = shape.name != "walking double hump";  // COM from one foot: running only
        double com = NAN;
        if (running) {
          com = error(MidStanceDefinition::kLowestCentreOfMass, truth.lowest_com_s);
          EXPECT_LT(std::fabs(com), 1.0);
        }
        for (MidStanceDefinition d : {MidStanceDefinition::kPeakVerticalForce,
                                      MidStanceDefinition::kBrakingToPropulsion, MidStanceDefinition::kHalfContact}) {
          EXPECT_EQ(mid.Reason(d), "") << MidStanceName(d);
        }
        std::printf("[ measured ] %-20s %4.0f Hz noise %.0f N (samples): peak force %+.3f (tol %.1f), braking->"
                    "propulsion %+.3f (tol %.1f), half contact %+.3f, lowest COM %+.3f\n",
                    shape.name.c_str(), rate, noise, peak, PeakTolerance(shape, rate, noise), braking,
                    BrakingTolerance(shape, rate, noise), half, com);
      }
    }
  }
}

// Symmetric stance, symmetric bounce: the COM is lowest at Tc / 2 whatever the mass.
TEST(EventsMidStance, LowestCentreOfMassOfAHalfSineIsHalfContactForAnyMass) {
  const Shape shape = HalfSine();
  const Trial trial = Sample(shape, 1000, 0, 1);
  const std::vector<ForceContact> contacts = FindContacts(trial.vertical_n, 1000, ContactOptions());
  ASSERT_EQ(contacts.size(), 1u);
  const ContactEvents e = ForceEvents(trial.vertical_n, 1000, trial.t0_s, contacts[0], ContactOptions());
  for (double mass : {50.0, 70.0, 95.0}) {
    const MidStanceTimes mid = MidStance(trial.force_n, 1000, trial.t0_s, contacts[0], e, trial.heading, mass);
    EXPECT_NEAR(Samples(mid.Time(MidStanceDefinition::kLowestCentreOfMass) - (trial.onset_s + 0.125), 1000), 0, 0.05)
        << mass << " kg";
  }
}

TEST(EventsMidStance, UndefinedInstantsSayWhy) {
  const Shape shape = HalfSine();
  Trial trial = Sample(shape, 1000, 0, 1);
  const std::vector<ForceContact> contacts = FindContacts(trial.vertical_n, 1000, ContactOptions());
  ASSERT_EQ(contacts.size(), 1u);
  const ContactEvents e = ForceEvents(trial.vertical_n, 1000, trial.t0_s, contacts[0], ContactOptions());
  const MidStanceTimes no_mass = MidStance(trial.force_n, 1000, trial.t0_s, contacts[0], e, trial.heading, NAN);
  EXPECT_TRUE(std::isnan(no_mass.Time(MidStanceDefinition::kLowestCentreOfMass)));
  EXPECT_EQ(no_mass.Reason(MidStanceDefinition::kLowestCentreOfMass), "needs the body mass");
  for (MidStanceDefinition d : {MidStanceDefinition::kPeakKneeFlexion, MidStanceDefinition::kSwingLegPassing}) {
    EXPECT_TRUE(std::isnan(no_mass.Time(d)));
    EXPECT_EQ(no_mass.Reason(d), "needs joint kinematics (skeleton stage)");
  }
  // A purely propulsive AP force never brakes.
  for (size_t k = 0; k < trial.vertical_n.size(); ++k) {
    const double push = 0.1 * trial.vertical_n[k];
    trial.force_n[3 * k] = push * trial.heading[0];
    trial.force_n[3 * k + 1] = push * trial.heading[1];
  }
  const MidStanceTimes push = MidStance(trial.force_n, 1000, trial.t0_s, contacts[0], e, trial.heading, 70);
  EXPECT_TRUE(std::isnan(push.Time(MidStanceDefinition::kBrakingToPropulsion)));
  EXPECT_NE(push.Reason(MidStanceDefinition::kBrakingToPropulsion).find("never brakes"), std::string::npos);
  // Reversed heading: the same force now only brakes.
  const std::array<double, 3> back{-trial.heading[0], -trial.heading[1], 0};
  const MidStanceTimes brake = MidStance(trial.force_n, 1000, trial.t0_s, contacts[0], e, back, 70);
  EXPECT_NE(brake.Reason(MidStanceDefinition::kBrakingToPropulsion).find("never turns propulsive"), std::string::npos);
  // A missing sample inside the contact.
  trial.force_n[3 * 200 + 2] = NAN;
  const MidStanceTimes gap = MidStance(trial.force_n, 1000, trial.t0_s, contacts[0], e, trial.heading, 70);
  EXPECT_TRUE(std::isnan(gap.Time(MidStanceDefinition::kPeakVerticalForce)));
  EXPECT_EQ(gap.Reason(MidStanceDefinition::kPeakVerticalForce), "missing force samples within the contact");
  EXPECT_TRUE(std::isnan(gap.Time(MidStanceDefinition::kLowestCentreOfMass)));
}

TEST(EventsMidStance, NamesOffsetsAndPercentOfStance) {
  const std::vector<std::string> names = {"peak_vertical_force", "braking_to_propulsion", "half_contact",
                                          "lowest_centre_of_mass", "peak_knee_flexion", "swing_leg_passing"};
  for (int i = 0; i < kMidStanceDefinitionCount; ++i) {
    EXPECT_EQ(MidStanceName(static_cast<MidStanceDefinition>(i)), names[static_cast<size_t>(i)]);
  }
  EXPECT_NEAR(OffsetMs(1.2345, 1.2300), 4.5, 1e-9);
  ContactEvents e;
  e.strike_s = 2.0;
  e.toe_off_s = 2.2;
  EXPECT_NEAR(PercentOfStance(2.05, e), 25, 1e-9);
  e.toe_off_s = NAN;
  EXPECT_TRUE(std::isnan(PercentOfStance(2.05, e)));
}

// ---------------------------------------------------------------------------------------------
// Kinematic events (Zeni et al. 2008)

// Pelvis running at 4 m/s along a heading 25 deg off X, bobbing and swaying; heel and toe relative
// to it along the heading: heel = 0.35 cos(w (t - strike)) (maxima at the strikes), toe =
// -0.3 cos(w (t - toe_off)) + ripple (minima near the toe-offs). Off-heading offsets must not matter.
struct Gait {
  double rate_hz = 200, t0_s = 0.3, duration_s = 3.0, stride_s = 0.72, strike_s = 0.4137, toe_off_s = 0.6419;
  double ripple_m = 0;  // 12 Hz toe ripple: shifts the minima, truth found on the analytic function
  std::array<double, 3> heading{std::cos(0.436), std::sin(0.436), 0};

  double Omega() const { return 2 * kPi / stride_s; }
  double Heel(double t) const { return 0.35 * std::cos(Omega() * (t - strike_s)); }
  double Toe(double t) const {
    return -0.3 * std::cos(Omega() * (t - toe_off_s)) + ripple_m * std::sin(2 * kPi * 12 * t);
  }
  int Frames() const { return static_cast<int>(duration_s * rate_hz); }
  double EndS() const { return t0_s + (Frames() - 1) / rate_hz; }

  void Render(std::vector<double>* heel, std::vector<double>* toe, std::vector<double>* pelvis) const {
    const std::array<double, 3> lateral{-heading[1], heading[0], 0};
    for (int k = 0; k < Frames(); ++k) {
      const double t = t0_s + k / rate_hz;
      const double forward = 4 * t, sway = 0.02 * std::sin(Omega() * t / 2);
      for (int axis = 0; axis < 3; ++axis) {
        const double p = forward * heading[axis] + sway * lateral[axis] + (axis == 2 ? 1.0 + 0.04 * std::cos(2 * Omega() * t) : 0);
        pelvis->push_back(p);
        heel->push_back(p + Heel(t) * heading[axis] + 0.1 * lateral[axis] - (axis == 2 ? 0.9 : 0));
        toe->push_back(p + Toe(t) * heading[axis] + 0.12 * lateral[axis] - (axis == 2 ? 0.95 : 0));
      }
    }
  }

  // True extrema strictly inside the capture (a frame or more from either end).
  std::vector<KinematicEvent> Truth() const {
    std::vector<KinematicEvent> truth;
    const double margin = 1 / rate_hz;
    for (int i = -10; i < 10; ++i) {
      const double strike = strike_s + i * stride_s;
      if (strike > t0_s + margin && strike < EndS() - margin) truth.push_back({strike, true, ""});
      const double guess = toe_off_s + i * stride_s;  // exact without the ripple
      if (guess > t0_s + margin && guess < EndS() - margin) {
        auto minus_toe = [&](double t) { return -Toe(t); };
        truth.push_back({Maximise(minus_toe, guess - 0.05, guess + 0.05), false, ""});
      }
    }
    std::sort(truth.begin(), truth.end(), [](const KinematicEvent& a, const KinematicEvent& b) { return a.time_s < b.time_s; });
    return truth;
  }
};

void ExpectEventsMatch(const std::vector<KinematicEvent>& truth, const std::vector<KinematicEvent>& found,
                       double rate_hz, const char* label) {
  ASSERT_EQ(found.size(), truth.size()) << label;
  double worst = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(found[i].is_strike, truth[i].is_strike) << label << " event " << i;
    worst = std::max(worst, std::fabs(Samples(found[i].time_s - truth[i].time_s, rate_hz)));
    EXPECT_NE(found[i].method.find("Zeni"), std::string::npos);
  }
  EXPECT_LT(worst, 1.0) << label;
  std::printf("[ measured ] Zeni %s: %zu events, worst %.4f frames (%.4f ms)\n", label, found.size(), worst,
              1000 * worst / rate_hz);
}

TEST(EventsZeni, SinusoidalGaitGivesTheKnownExtremaWithinOneFrame) {
  Gait gait;
  for (double rate : {100.0, 200.0}) {
    for (double ripple : {0.0, 0.0005}) {
      gait.rate_hz = rate;
      gait.ripple_m = ripple;
      std::vector<double> heel, toe, pelvis;
      gait.Render(&heel, &toe, &pelvis);
      char label[64];
      std::snprintf(label, sizeof label, "%.0f Hz, toe ripple %.1f mm", rate, ripple * 1000);
      ExpectEventsMatch(gait.Truth(), ZeniEvents(heel, toe, pelvis, gait.heading, rate, gait.t0_s), rate, label);
    }
  }
}

TEST(EventsZeni, GapsAndTrialEdgesAreNotEvents) {
  Gait gait;
  gait.strike_s = gait.t0_s;                       // the capture starts at a heel maximum
  gait.toe_off_s = gait.EndS() - 2 * gait.stride_s;  // ... and ends at a toe minimum
  std::vector<double> heel, toe, pelvis;
  gait.Render(&heel, &toe, &pelvis);
  std::vector<KinematicEvent> truth = gait.Truth();
  for (const KinematicEvent& e : truth) {
    EXPECT_GT(e.time_s, gait.t0_s + 0.5 / gait.rate_hz);
    EXPECT_LT(e.time_s, gait.EndS() - 0.5 / gait.rate_hz);
  }
  ExpectEventsMatch(truth, ZeniEvents(heel, toe, pelvis, gait.heading, gait.rate_hz, gait.t0_s), gait.rate_hz,
                    "edges");

  // Pelvis lost for 60 ms around the second strike, heel lost on the frame after the third: neither
  // strike is an event (the true maximum may be in the gap); everything else is unchanged.
  std::vector<KinematicEvent> strikes;
  for (const KinematicEvent& e : truth) {
    if (e.is_strike) strikes.push_back(e);
  }
  ASSERT_GE(strikes.size(), 3u);
  const KinematicEvent second = strikes[1], third = strikes[2];
  const int second_frame = static_cast<int>(std::lround((second.time_s - gait.t0_s) * gait.rate_hz));
  for (int k = second_frame - 6; k <= second_frame + 6; ++k) {
    for (int axis = 0; axis < 3; ++axis) pelvis[3 * k + axis] = NAN;
  }
  const int third_frame = static_cast<int>(std::lround((third.time_s - gait.t0_s) * gait.rate_hz));
  heel[3 * (third_frame + 1)] = NAN;
  std::vector<KinematicEvent> expected;
  for (const KinematicEvent& e : truth) {
    if (e.time_s != second.time_s && e.time_s != third.time_s) expected.push_back(e);
  }
  ExpectEventsMatch(expected, ZeniEvents(heel, toe, pelvis, gait.heading, gait.rate_hz, gait.t0_s), gait.rate_hz,
                    "gaps");
}

// ---------------------------------------------------------------------------------------------
// Bad input

template <typename F>
void ExpectInvalid(F call, const std::string& names) {
  try {
    call();
    ADD_FAILURE() << "no InvalidInput for " << names;
  } catch (const InvalidInput& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(names), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(EventsInput, BadArgumentsThrowInvalidInputNamingThem) {
  const Trial trial = Sample(HalfSine(), 1000, 0, 1);
  const ContactOptions ok;
  const ForceContact contact = FindContacts(trial.vertical_n, 1000, ok).at(0);
  const ContactEvents e = ForceEvents(trial.vertical_n, 1000, 0, contact, ok);
  ContactOptions bad_threshold;
  bad_threshold.threshold_n = 0;
  ContactOptions bad_duration;
  bad_duration.min_duration_s = -0.01;
  const std::vector<double>& f = trial.vertical_n;

  ExpectInvalid([&] { FindContacts(f, 0, ok); }, "rate_hz");
  ExpectInvalid([&] { FindContacts(f, -1000, ok); }, "rate_hz");
  ExpectInvalid([&] { FindContacts(f, NAN, ok); }, "rate_hz");
  ExpectInvalid([&] { FindContacts(f, 1000, bad_threshold); }, "threshold_n");
  ExpectInvalid([&] { FindContacts(f, 1000, bad_duration); }, "min_duration_s");
  ExpectInvalid([&] { ForceEvents(f, 0, 0, contact, ok); }, "rate_hz");
  ExpectInvalid([&] { ForceEvents(f, 1000, 0, contact, bad_threshold); }, "threshold_n");
  ForceContact outside = contact;
  outside.last_sample = static_cast<int64_t>(f.size());
  ExpectInvalid([&] { ForceEvents(f, 1000, 0, outside, ok); }, "contact");
  ForceContact too_wide = contact;
  too_wide.first_sample -= 5;
  ExpectInvalid([&] { ForceEvents(f, 1000, 0, too_wide, ok); }, "contact");

  std::vector<double> ragged = trial.force_n;
  ragged.pop_back();
  ExpectInvalid([&] { MidStance(ragged, 1000, 0, contact, e, trial.heading, 70); }, "force_n");
  ExpectInvalid([&] { MidStance(trial.force_n, 0, 0, contact, e, trial.heading, 70); }, "rate_hz");
  ExpectInvalid([&] { MidStance(trial.force_n, 1000, 0, contact, e, {1, 1, 0}, 70); }, "heading");
  ExpectInvalid([&] { MidStance(trial.force_n, 1000, 0, contact, e, {0, 0, 1}, 70); }, "heading");
  ExpectInvalid([&] { MidStance(trial.force_n, 1000, 0, contact, e, trial.heading, -70); }, "body_mass_kg");
  ExpectInvalid([&] { MidStance(trial.force_n, 1000, 0, outside, e, trial.heading, 70); }, "contact");

  Gait gait;
  std::vector<double> heel, toe, pelvis;
  gait.Render(&heel, &toe, &pelvis);
  std::vector<double> short_toe(toe.begin(), toe.end() - 3);
  ExpectInvalid([&] { ZeniEvents(heel, short_toe, pelvis, gait.heading, 200, 0); }, "toe_m");
  std::vector<double> ragged_heel(heel.begin(), heel.end() - 1);
  ExpectInvalid([&] { ZeniEvents(ragged_heel, ragged_heel, ragged_heel, gait.heading, 200, 0); }, "heel_m");
  ExpectInvalid([&] { ZeniEvents(heel, toe, pelvis, gait.heading, 0, 0); }, "rate_hz");
  ExpectInvalid([&] { ZeniEvents(heel, toe, pelvis, {2, 0, 0}, 200, 0); }, "heading");
  ZeniOptions bad_separation;
  bad_separation.min_separation_s = 0;
  ExpectInvalid([&] { ZeniEvents(heel, toe, pelvis, gait.heading, 200, 0, bad_separation); }, "min_separation_s");
}

}  // namespace
}  // namespace midstance
