// midstance command line: a thin layer over the typed Run... functions of each stage.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <new>

#include "detect_command.h"
#include "midstance/backend.h"
#include "midstance/demo.h"
#include "midstance/convert.h"
#include "midstance/error.h"
#include "midstance/info.h"
#include "midstance/logging.h"
#include "midstance/process.h"
#include "midstance/progress.h"
#include "midstance/synth.h"
#include "midstance/trial.h"
#include "midstance/trial_report.h"
#include "midstance/trial_stances.h"
#include "midstance/file_names.h"
#include "midstance/version.h"

namespace {

using namespace midstance;

struct GlobalOptions {
  std::string backend = "auto";
  bool quiet = false;
  bool json = false;
  bool verbose = false;
  bool strict = false;
  int threads = 0;
};

void AddGlobalOptions(CLI::App& app, GlobalOptions* global) {
  app.add_option("--backend", global->backend, "compute backend: auto (CUDA when a device answers, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_flag("--quiet,-q", global->quiet, "only warnings and errors; no progress bar");
  app.add_flag("--json", global->json, "log lines as JSON objects on stderr; no progress bar");
  app.add_flag("--verbose,-v", global->verbose, "debug logging");
  app.add_flag("--strict", global->strict, "refuse files with vendor quirks instead of reading them with a warning");
  app.add_option("--threads", global->threads, "CPU threads (default: all cores)")->check(CLI::Range(1, 1024));
}

void AddSynthOptions(CLI::App* command, SynthOptions* synth) {
  command->add_option("--cameras", synth->camera_count, "number of cameras in the ring")->capture_default_str();
  command->add_option("--duration", synth->duration_s, "seconds of capture")->capture_default_str();
  command->add_option("--rate", synth->rate_hz, "frame rate, Hz")->capture_default_str();
  command->add_option("--width", synth->width_px, "image width, px")->capture_default_str();
  command->add_option("--height", synth->height_px, "image height, px")->capture_default_str();
  command->add_option("--noise", synth->read_noise_dn, "sensor read noise, grey levels (0: noise-free)")->capture_default_str();
  command->add_option("--occlusion", synth->occlusion_fraction, "share of marker views hidden")->capture_default_str();
  command->add_option("--reflections", synth->reflections_per_camera, "static reflections per camera")->capture_default_str();
  command->add_option("--seed", synth->seed, "random seed")->capture_default_str();
}

std::string CommandLine(int argc, char** argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  return text;
}

ResolvedBackend ResolveAndLog(const GlobalOptions& global) {
  const ResolvedBackend resolved = ResolveBackend(ParseBackend(global.backend));
  if (resolved.backend == Backend::kCpu && global.backend == "auto") {
    spdlog::info("backend: cpu ({}); {}", resolved.description, resolved.note);
  } else {
    spdlog::info("backend: {} ({})", BackendName(resolved.backend), resolved.description);
  }
  return resolved;
}

void PrintDemo(const DemoSummary& s) {
  std::printf("midstance demo: results in %s\n", s.out_folder.c_str());
  std::printf("  session        %s/session (%d cameras, %d frames)\n", s.out_folder.c_str(), s.process.camera_count,
              s.process.frame_count);
  std::printf("  result         %s\n", s.result_path.c_str());
  std::printf("  points         %lld reconstructed, up to %d per frame\n", static_cast<long long>(s.process.point_count),
              s.process.max_points_per_frame);
  std::printf("  3D error       RMS %.3f mm, max %.3f mm against truth.h5 (%lld matched points)\n", s.truth.rms_error_mm,
              s.truth.max_error_mm, static_cast<long long>(s.truth.matched));
  std::printf("  ghosts         %lld (%.3f %% of reconstructed points)\n", static_cast<long long>(s.truth.ghosts),
              100.0 * s.truth.ghost_fraction());
  std::printf("  recall         %.2f %% of marker samples seen by >= 2 cameras\n", 100.0 * s.truth.recall());
  std::printf("  time           synth %.1f s; decode %.1f s, detect %.2f s, reconstruct %.2f s, write %.2f s\n", s.synth_s,
              s.process.decode_s, s.process.detect_s, s.process.reconstruct_s, s.process.write_s);
}

}  // namespace

// Subject parameters as labs measure them (mm), for the command line.
struct SubjectMillimetres {
  double leg_length = NAN, knee_width = NAN, ankle_width = NAN, marker_diameter = NAN;
  SubjectParameters ToSubject(double mass_kg) const {
    SubjectParameters p;
    const auto set = [&](double* field, double mm, const std::string& name) {
      if (std::isnan(mm)) return;
      *field = mm / 1000;
      p.source[name] = "command line";
    };
    for (int side : {kLeftLimb, kRightLimb}) {
      const std::string s = LimbSideName(side);
      set(&p.leg_length_m[side], leg_length, "leg_length_" + s);
      set(&p.knee_width_m[side], knee_width, "knee_width_" + s);
      set(&p.ankle_width_m[side], ankle_width, "ankle_width_" + s);
    }
    set(&p.marker_diameter_m, marker_diameter, "marker_diameter");
    if (!std::isnan(mass_kg)) {
      p.mass_kg = mass_kg;
      p.source["mass"] = "command line";
    }
    return p;
  }
};

int main(int argc, char** argv) {
  CLI::App app{"midstance: multi-camera marker footage to 3D markers, knee and hip at mid-stance"};
  app.set_version_flag("--version", std::string("midstance ") + kSoftwareVersion);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  AddGlobalOptions(app, &global);

  SynthOptions synth_options;
  std::string synth_folder;
  CLI::App* synth = app.add_subcommand("synth", "render a synthetic capture session with known truth");
  synth->add_option("OUT_DIR", synth_folder, "session folder to write")->required();
  AddSynthOptions(synth, &synth_options);

  DetectCommandOptions detect_options;
  CLI::App* detect = app.add_subcommand("detect", "2D marker centroids of one video, as CSV");
  detect->add_option("VIDEO", detect_options.video_path, "camera video (FFV1/MKV or image sequence pattern)")->required();
  detect->add_option("-o,--output", detect_options.output_path, "centroids CSV to write")->required();
  detect->add_option("--grey-threshold", detect_options.detect.threshold, "grey level of a bright pixel (0-255)")->capture_default_str();
  detect->add_option("--min-area", detect_options.detect.min_area_px, "smallest blob, px")->capture_default_str();
  detect->add_option("--max-area", detect_options.detect.max_area_px, "largest blob, px")->capture_default_str();
  detect->add_option("--min-roundness", detect_options.detect.min_roundness, "0..1")->capture_default_str();

  ProcessOptions process_options;
  TrialProcessOptions trial_options;
  TrialOptions& trial = trial_options.trial;
  double min_contact_ms = trial.contact.min_duration_s * 1e3;
  bool no_baseline = false;
  CLI::App* process = app.add_subcommand("process", "session folder -> 3D markers, or C3D trial -> forces, contacts, events; HDF5");
  process->add_option("INPUT", process_options.session_folder, "session folder (session.toml), a .c3d trial or an OpenSim .trc (with --grf)")->required();
  process->add_option("--grf", trial_options.grf_path, "ground reaction forces (.mot in OpenSim's ExternalLoads layout) for a .trc trial");
  process->add_option("--vertical-axis", trial_options.lab_frame.vertical_axis,
                      "the file's up axis: x, y, z, -x, -y, -z (default: found from the plates, the forces or the markers)")
      ->check(CLI::IsMember({"x", "y", "z", "-x", "-y", "-z"}));
  double plate_margin_mm = trial_options.trial.plate_marker_margin_m * 1e3;
  process->add_option("--plate-margin-mm", plate_margin_mm,
                      "how far a foot marker may stand outside the plate outline (markers sit beyond the shoe), mm")
      ->capture_default_str();
  process->add_option("-o,--output", process_options.output_path, "result .h5 to write")->required();
  process->add_option("--batch-frames", process_options.batch_frames, "frames per camera decoded at once")->capture_default_str();
  process->add_option("--force-threshold", trial.contact.threshold_n, "contact threshold on vertical force, N (trials with forces)")->capture_default_str();
  process->add_option("--min-contact-ms", min_contact_ms, "shortest contact, ms")->capture_default_str();
  process->add_flag("--no-baseline", no_baseline, "keep plate offsets (ignore FORCE_PLATFORM:ZERO)");
  process->add_option("--plate-sign", trial.plate_sign, "0: from the data; 1: channels give the load on the subject; -1: on the plate")
      ->check(CLI::IsMember({-1, 0, 1}))->capture_default_str();
  process->add_option("--force-filter-hz", trial.force_filter_hz, "zero-lag Butterworth low-pass of the GRF, Hz (0: raw)")->capture_default_str();
  process->add_option("--contact-filter-hz", trial.contact_filter_hz, "light low-pass for contact detection, Hz (0: raw)")->capture_default_str();
  process->add_option("--filter-order", trial.filter_order, "Butterworth order per pass (even)")->capture_default_str();
  process->add_option("--body-mass", trial.body_mass_kg, "kg (default: PROCESSING:Bodymass of the file)");
  process->add_option("--sensitivity", trial.sensitivity_n, "contact time is also reported at threshold -/+ this, N")->capture_default_str();
  SkeletonOptions& skeleton = trial_options.skeleton;
  SubjectMillimetres subject_mm;
  bool no_skeleton = false;
  process->add_option("--static", skeleton.static_path, "static trial .c3d for the skeleton calibration (default: the trial's own complete frames)");
  process->add_option("--model", skeleton.model, "isb (Harrington hips, ISB/Grood & Suntay angles), pig (Plug-in Gait conventions) or a model .toml")
      ->capture_default_str();
  process->add_option("--markerset", skeleton.marker_set, "built-in marker set name or a .toml mapping your labels (default: detected)");
  process->add_option("--subject", skeleton.subject_toml, "TOML file with a [subject] table (session.toml or subject.toml)");
  process->add_option("--leg-length-mm", subject_mm.leg_length, "ASIS to medial malleolus, both sides, mm");
  process->add_option("--knee-width-mm", subject_mm.knee_width, "across the femoral condyles, both sides, mm");
  process->add_option("--ankle-width-mm", subject_mm.ankle_width, "across the malleoli, both sides, mm");
  process->add_option("--marker-diameter-mm", subject_mm.marker_diameter, "mm");
  process->add_option("--kinematics-filter-hz", skeleton.kinematics.filter_hz, "low-pass before differentiating angles and centres, Hz")
      ->capture_default_str();
  process->add_flag("--no-skeleton", no_skeleton, "forces and events only");
  std::string mid_stance_name = MidStanceName(MidStanceDefinition::kPeakVerticalForce);
  std::vector<std::string> also_mid_stance;
  bool no_report = false, no_csv = false;
  process->add_option("--mid-stance", mid_stance_name,
                      "mid-stance definition of the mid-stance metrics: peak_vertical_force, braking_to_propulsion, half_contact, "
                      "lowest_centre_of_mass, peak_knee_flexion, swing_leg_passing")
      ->capture_default_str();
  process->add_option("--also-mid-stance", also_mid_stance, "the mid-stance and swing metrics also at these definitions (columns <metric>@<definition>)")
      ->delimiter(',');
  process->add_option("--treadmill-speed", trial_options.lab_frame.treadmill_speed_m_s,
                      "belt speed of a treadmill, m/s (default: a treadmill is detected and its belt speed estimated from the stance feet)")
      ->check(CLI::Range(0.1, 15.0));
  process->add_flag("--no-report", no_report, "do not write <output>.report.html");
  process->add_flag("--no-csv", no_csv, "do not write <output>.stances.csv and <output>.relationships.csv");

  std::vector<std::string> report_inputs;
  std::string report_output;
  CLI::App* report = app.add_subcommand("report", "result .h5 files of process -> one self-contained HTML report");
  report->add_option("RESULT", report_inputs, "result .h5 files (stances pooled across them for the knee-drive relationships)")->required();
  report->add_option("-o,--output", report_output, "report .html to write")->required();
  std::string report_csv;
  report->add_option("--csv", report_csv, "also write the pooled knee-drive vs force fits as CSV");

  std::string info_path;
  CLI::App* info = app.add_subcommand("info", "summary of a C3D trial, a session folder or a result .h5 (--json: as JSON)");
  info->add_option("PATH", info_path, "file or session folder")->required();

  std::string convert_input, convert_output;
  CLI::App* convert = app.add_subcommand("convert", "between C3D, HDF5, TRC and MOT/STO, by extension");
  convert->add_option("IN", convert_input, "input file")->required();
  convert->add_option("-o,--output", convert_output, "output file")->required();

  std::string export_input, export_format, export_output;
  CLI::App* export_command = app.add_subcommand("export", "a result .h5 as C3D, TRC, CSV or MOT");
  export_command->add_option("RESULT", export_input, "result .h5 (from process or convert)")->required();
  export_command->add_option("--to", export_format, "c3d, trc (markers + joint centres), csv or mot (joint angles, else analog channels)")->required()->check(CLI::IsMember({"c3d", "trc", "csv", "mot"}));
  export_command->add_option("-o,--output", export_output, "file to write")->required();

  DemoOptions demo_options;
  demo_options.synth.duration_s = 1.0;  // a second at 250 Hz covers a stride and keeps the demo ~30 s
  CLI::App* demo = app.add_subcommand("demo", "synth a session, process it, report the error against the truth");
  demo->add_option("--out", demo_options.out_folder, "folder for the session and the result (default: a new folder here)");
  AddSynthOptions(demo, &demo_options.synth);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << "midstance " << kSoftwareVersion << "\n";
    return 0;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "midstance: error: %s (see midstance --help)\n", error.what());
    return 2;
  }

  ConfigureLogging({global.json ? LogFormat::kJson : LogFormat::kText, global.quiet, global.verbose});
  Progress::SetEnabled(isatty(STDERR_FILENO) && !global.quiet && !global.json);
  if (global.threads > 0) omp_set_num_threads(global.threads);

  try {
    // Only the commands that run kernels resolve the backend: `--backend cuda info` on a machine
    // without a GPU is not an error, and `info` or `report` log no backend line.
    const bool runs_kernels = *synth || *detect || *process || *demo;
    const ResolvedBackend backend = runs_kernels ? ResolveAndLog(global) : ResolvedBackend{};
    if (*synth) {
      const SynthSummary s = WriteSyntheticSession(synth_folder, synth_options);
      spdlog::info("synth: wrote {} ({} cameras, {} frames, {} markers)", s.session_folder, s.camera_count, s.frame_count,
                   s.marker_count);
    } else if (*detect) {
      const DetectCommandSummary s = RunDetectCommand(detect_options, backend.backend);
      spdlog::info("detect: {} frames, {} blobs -> {}", s.frame_count, s.blob_count, detect_options.output_path);
    } else if (*process && (LowercaseExtension(process_options.session_folder) == ".c3d" ||
                            LowercaseExtension(process_options.session_folder) == ".trc")) {
      trial.contact.min_duration_s = min_contact_ms * 1e-3;
      trial.remove_baseline = !no_baseline;
      trial_options.input_path = process_options.session_folder;
      trial.plate_marker_margin_m = plate_margin_mm * 1e-3;
      trial_options.output_path = process_options.output_path;
      trial_options.backend = backend;
      trial_options.c3d.strict = global.strict;
      trial_options.command_line = CommandLine(argc, argv);
      skeleton.enabled = !no_skeleton;
      skeleton.kinematics.filter_order = trial.filter_order;
      skeleton.command_line = subject_mm.ToSubject(trial.body_mass_kg);
      trial_options.stances.mid_stance = ParseMidStanceDefinition(mid_stance_name, "--mid-stance");
      for (const std::string& name : also_mid_stance) {
        trial_options.stances.also.push_back(ParseMidStanceDefinition(name, "--also-mid-stance"));
      }
      trial_options.write_report = !no_report;
      trial_options.write_csv = !no_csv;
      const TrialResult result = ProcessTrial(trial_options);
      const TrialAnalysis& a = result.analysis;
      spdlog::info("process: {} plates, {} stances -> {}", a.plates.size(), a.stances.size(), trial_options.output_path);
      spdlog::info("{}", a.sync_check.message);
      if (!global.quiet && !global.json) {
        std::printf("%s", FormatStances(a, trial.contact.threshold_n, trial.sensitivity_n).c_str());
        std::printf("%s", FormatKinematics(result.kinematics).c_str());
        std::printf("%s", FormatStanceTable(a, result.stances).c_str());
      }
      if (!result.csv_path.empty()) spdlog::info("stance table: {}", result.csv_path);
      if (!result.report_path.empty()) spdlog::info("report: {}", result.report_path);
    } else if (*process) {
      process_options.backend = backend;
      process_options.command_line = CommandLine(argc, argv);
      const ProcessSummary s = ProcessSession(process_options);
      spdlog::info("process: {} frames, {} points -> {} (decode {:.1f} s, detect {:.2f} s, reconstruct {:.2f} s)",
                   s.frame_count, s.point_count, process_options.output_path, s.decode_s, s.detect_s, s.reconstruct_s);
    } else if (*info) {
      const nlohmann::ordered_json description = DescribePath(info_path, C3dReadOptions{global.strict});
      if (global.json) {
        std::printf("%s\n", description.dump(2).c_str());
      } else {
        std::printf("%s\n%s", info_path.c_str(), FormatDescription(description).c_str());
      }
    } else if (*convert) {
      ConvertFile(convert_input, convert_output, C3dReadOptions{global.strict});
      spdlog::info("convert: {} -> {}", convert_input, convert_output);
    } else if (*export_command) {
      ExportResult(export_input, export_format, export_output);
      spdlog::info("export: {} -> {} ({})", export_input, export_output, export_format);
    } else if (*report) {
      WriteTrialReport(report_inputs, report_output, report_csv);
      spdlog::info("report: {} result(s) -> {}", report_inputs.size(), report_output);
    } else if (*demo) {
      demo_options.backend = backend;
      PrintDemo(RunDemo(demo_options));
    }
    return 0;
  } catch (const Error& error) {
    std::fprintf(stderr, "midstance: error: %s\n", error.what());
    return error.ExitCode();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "midstance: error: out of memory\n");
    return 71;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "midstance: internal error: %s\n", error.what());
    return 70;
  }
}
