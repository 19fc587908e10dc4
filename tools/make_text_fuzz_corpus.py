#!/usr/bin/env python3
"""Writes the seed corpora of the text readers' fuzz targets (tools/fuzz.sh):
tests/fuzz/corpus/trc, opensim_table, session and calibration. Each holds small valid files in
the layouts the readers accept (seed_*) and variants with one defect each (bad_*), so libFuzzer
starts next to every rule of the format. Regenerate with:
    python3 tools/make_text_fuzz_corpus.py tests/fuzz/corpus
"""
import os
import sys

TRC_KEYS = "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"


def trc(frames=3, markers=2, rows=None, num_frames=None, newline="\n", header_values=None):
    labels = ["M%d" % m for m in range(markers)]
    text = "PathFileType\t4\t(X/Y/Z)\tseed.trc\n" + TRC_KEYS
    text += header_values or "100.00\t100.00\t%d\t%d\tmm\t100.00\t1\t%d\n" % (
        frames if num_frames is None else num_frames, markers, frames)
    text += "Frame#\tTime\t" + "".join("%s\t\t\t" % l for l in labels) + "\n"
    text += "\t\t" + "\t".join("X%d\tY%d\tZ%d" % (m + 1, m + 1, m + 1) for m in range(markers)) + "\n\n"
    if rows is None:
        rows = ["%d\t%.3f\t" % (f + 1, f / 100.0) + "\t".join("%.2f" % (100.0 * m + f + k) for m in range(markers) for k in range(3))
                for f in range(frames)]
    text += "\n".join(rows) + ("\n" if rows else "")
    return text.replace("\n", newline)


def trc_cases():
    return {
        "seed_valid.trc": trc(),
        "seed_crlf.trc": trc(newline="\r\n"),
        "seed_missing_markers.trc": trc(rows=["1\t0.00\t1\t2\t3\tNaN\tNaN\tNaN", "2\t0.01\t1\t2\t3\t\t\t", "3\t0.02\t1\t2\t3"]),
        "seed_no_markers.trc": trc(markers=0),
        "bad_no_rows.trc": trc(rows=[], num_frames=510),
        "bad_fewer_rows.trc": trc(num_frames=5),
        "bad_more_rows.trc": trc(num_frames=1),
        "bad_label_count.trc": trc(header_values="100\t100\t3\t5\tmm\t100\t1\t3\n"),
        "bad_frame_number.trc": trc(rows=["1.5\t0\t1\t2\t3\t4\t5\t6"], num_frames=1),
        "bad_coordinate.trc": trc(rows=["1\t0\t1\tabc\t3\t4\t5\t6"], num_frames=1),
        "bad_missing_key.trc": trc(header_values="100\t100\t3\t2\tmm\t100\t1\n"),
        "bad_negative_count.trc": trc(header_values="100\t100\t-3\t2\tmm\t100\t1\t3\n"),
        "bad_header.trc": "hello\n",
    }


def table(header, columns, rows):
    return header + "endheader\n" + "\t".join(columns) + "\n" + "".join("\t".join(r) + "\n" for r in rows)


def table_cases():
    columns = ["time", "r_ground_force_vx", "r_ground_force_vy"]
    rows = [["0.0", "1.5", "700"], ["0.001", "NaN", "-2e3"]]
    return {
        "seed_version1.mot": table("grf\nversion=1\nnRows=2\nnColumns=3\ninDegrees=no\n", columns, rows),
        "seed_old_style.sto": table("name walking\ndatacolumns 3\ndatarows 2\nrange 0 0.001\n", columns, rows),
        "seed_degrees_spaces.mot": table("name=ik\ninDegrees=yes\n\n", ["time", "hip_flexion_r"], [["0", "12.5"]]).replace("\t", "   "),
        "seed_crlf.sto": table("x\nversion=1\n", columns, rows).replace("\n", "\r\n"),
        "bad_no_endheader.mot": "name x\ntime\ta\n0\t1\n",
        "bad_short_row.mot": table("name x\n", ["time", "a"], [["0", "1"], ["0.1"]]),
        "bad_value.mot": table("name x\n", ["time", "a"], [["0", "abc"]]),
        "bad_no_columns.sto": "name x\nendheader\n\n\n",
    }


SESSION = """[session]
name = "seed"
calibration = "calibration.toml"
rate_hz = 250.0

[[cameras]]
name = "cam1"
video = "videos/cam1.mkv"

[[cameras]]
name = "cam2"
video = "/data/cam2.mkv"
"""
OPTIONS = """
[detect]
threshold = 40
min_area_px = 4
max_area_px = 4000
min_roundness = 0.5

[reconstruct]
epipolar_px = 2.0
support_px = 3
max_residual_px = 4.0
min_cameras = 2
refine_iterations = 5
max_centroids_per_view = 500
"""


def session_cases():
    return {
        "seed_minimal.toml": SESSION,
        "seed_options.toml": SESSION + OPTIONS,
        "bad_syntax.toml": SESSION + "[detect\nthreshold = 1\n",
        "bad_rate.toml": SESSION.replace("250.0", "-1.0"),
        "bad_rate_type.toml": SESSION.replace("250.0", '"fast"'),
        "bad_no_cameras.toml": SESSION.split("[[cameras]]")[0],
        "bad_duplicate_camera.toml": SESSION.replace('"cam2"', '"cam1"'),
        "bad_threshold.toml": SESSION + OPTIONS.replace("threshold = 40", "threshold = 99999999999"),
        "bad_area_order.toml": SESSION + OPTIONS.replace("max_area_px = 4000", "max_area_px = 2"),
        "bad_min_cameras.toml": SESSION + OPTIONS.replace("min_cameras = 2", "min_cameras = 1"),
        "bad_cameras_table.toml": SESSION.split("[[cameras]]")[0] + "cameras = 3\n",
        "bad_deep_nesting.toml": SESSION + "x = " + "[" * 200 + "\n",
    }


CAMERA = """[cam_0]
name = "cam1"
size = [1280, 1024]
matrix = [[1226.4, 0.0, 633.5], [0.0, 1226.8, 518.7], [0.0, 0.0, 1.0]]
distortions = [-0.101, 0.085, 1.49e-05, -8.6e-05, 0.0089]
rotation = [1.2086, 1.6479, -1.2665]
translation = [0.0232, 0.7288, 6.2010]
fisheye = false
rate_hz = 250.0
"""


def calibration_cases():
    second = CAMERA.replace("cam_0", "cam_1").replace('"cam1"', '"cam2"')
    matrix = second.replace("rotation = [1.2086, 1.6479, -1.2665]", "rotation = [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]")
    return {
        "seed_two_cameras.toml": CAMERA + "\n" + second + '\n[metadata]\nunits = "m"\n',
        "seed_matrix_rotation.toml": matrix,
        "seed_four_distortions_no_rate.toml": CAMERA.replace(", 0.0089]", "]").replace("rate_hz = 250.0\n", ""),
        "bad_no_cameras.toml": '[metadata]\nunits = "m"\n',
        "bad_size.toml": CAMERA.replace("[1280, 1024]", "[1280.5, 0]"),
        "bad_matrix_shape.toml": CAMERA.replace("[0.0, 0.0, 1.0]]", "]"),
        "bad_focal.toml": CAMERA.replace("1226.4", "-5.0"),
        "bad_improper_rotation.toml": matrix.replace("[0.0, 1.0, 0.0]]", "[0.0, -1.0, 0.0]]"),
        "bad_nan_translation.toml": CAMERA.replace("6.2010", "nan"),
        "bad_duplicate_names.toml": CAMERA + "\n" + CAMERA.replace("cam_0", "cam_9"),
        "bad_syntax.toml": CAMERA.replace("name = ", "name == "),
        "bad_deep_nesting.toml": CAMERA + "x = " + "{a=" * 200 + "\n",
    }


def main(root):
    for target, cases in (("trc", trc_cases()), ("opensim_table", table_cases()), ("session", session_cases()),
                          ("calibration", calibration_cases())):
        folder = os.path.join(root, target)
        os.makedirs(folder, exist_ok=True)
        for name, text in cases.items():
            with open(os.path.join(folder, name), "w", newline="") as f:
                f.write(text)
        print("wrote %d files to %s" % (len(cases), folder))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus")
