#!/usr/bin/env python3
"""tools/midstance_results.py and the README's h5py example, on a processed real trial.

    /usr/bin/python3 tests/python/test_results_helper.py --midstance BINARY --data SHARED_DATA \
        --source REPO_ROOT [--readme README.md] [unittest options, e.g. -v]

Runs `midstance --quiet process <data>/c3d/vicon_gait_raw.c3d --model pig -o <tmp>/v.h5`, then
checks the helper against independent readings (raw h5py, the CSV midstance writes next to the
result, numpy recomputations), the CLI's exit codes and messages, and runs the README's h5py
example. Skips (exit 0, with a message) when the shared data folder is absent, as the C++
real-file tests do. Plain unittest: no pytest needed.
"""
import argparse
import csv
import importlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

import h5py
import numpy as np

TRIAL = "c3d/vicon_gait_raw.c3d"
MARKER = "<!-- h5py-example: run by tests/python/test_results_helper.py -->"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OPT = None  # command-line options
S = {}      # shared state: tmp, h5, csv, mr (the helper module), result


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--midstance", required=True, help="the midstance binary")
    parser.add_argument("--data", required=True, help="the shared data folder (holds c3d/)")
    parser.add_argument("--source", required=True, help="the repository root (tools/, README.md)")
    parser.add_argument("--readme", help="markdown file holding the h5py example (default SOURCE/README.md)")
    options, rest = parser.parse_known_args()
    options.readme = options.readme or os.path.join(options.source, "README.md")
    return options, [sys.argv[0]] + rest


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=240, **kwargs)


def helper(*arguments):
    return run([PYTHON, os.path.join(OPT.source, "tools", "midstance_results.py"), *map(str, arguments)])


def setUpModule():
    S["tmp"] = tempfile.mkdtemp(prefix="midstance-py-")
    S["h5"] = os.path.join(S["tmp"], "v.h5")
    S["csv"] = os.path.join(S["tmp"], "v.stances.csv")
    r = run([OPT.midstance, "--quiet", "process", os.path.join(OPT.data, TRIAL), "--model", "pig", "-o", S["h5"]])
    if r.returncode != 0 or not os.path.isfile(S["h5"]) or not os.path.isfile(S["csv"]):
        raise RuntimeError(f"midstance process failed (exit {r.returncode}): {r.stderr.strip()}")
    sys.path.insert(0, os.path.join(OPT.source, "tools"))
    S["mr"] = importlib.import_module("midstance_results")
    S["result"] = S["mr"].load(S["h5"])
    print(f"processed {TRIAL} -> {S['h5']} ({S['result'].n_stances} stances)")


def tearDownModule():
    shutil.rmtree(S.get("tmp", ""), ignore_errors=True)


# ----- independent readings -----------------------------------------------------------------

def raw(path):
    """A /stances dataset read directly: strings decoded, everything else as stored."""
    with h5py.File(S["h5"], "r") as f:
        d = f["/stances/" + path]
        return np.array(d.asstr()[()], dtype=object) if h5py.check_string_dtype(d.dtype) else d[()]


def raw_per_stance_names():
    """Every 1-D dataset under /stances with one value per stance (curves and relationships apart)."""
    names = []
    with h5py.File(S["h5"], "r") as f:
        n = f["/stances/side"].shape[0]
        f["/stances"].visititems(lambda name, o: names.append(name) if isinstance(o, h5py.Dataset) and o.shape == (n,)
                                 and name.split("/")[0] not in ("curves", "curves_mean", "curves_sd", "relationships") else None)
    return names


def same(expected, actual):
    expected, actual = np.asarray(expected), np.asarray(actual)
    if expected.dtype.kind in "OUS" or actual.dtype.kind in "OUS":
        return expected.shape == actual.shape and [str(x) for x in expected.ravel()] == [str(x) for x in actual.ravel()]
    return expected.shape == actual.shape and np.array_equal(expected, actual, equal_nan=expected.dtype.kind == "f")


def close(expected, actual, relative=1e-8):
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    return abs(expected - actual) <= relative * max(1.0, abs(expected))


def clean_side_rows(side):
    return (raw("side") == side) & (raw("clean") == 1)


def side_mean(name, side):
    values = raw(name)[clean_side_rows(side)].astype(float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else math.nan


def unit_column(name, units):
    """The CSV column midstance writes for a dataset (README): name + '_' + units with '/' -> '_per_'
    and ' ' -> '_'; unitless '1' adds nothing; a name ending in _bw does not repeat 'BW'."""
    token = "" if units == "1" else units.replace("/", "_per_").replace(" ", "_")
    if name.endswith("_bw") and token.startswith("BW"):
        token = token[2:].lstrip("_")
    return name + ("_" + token if token else "")


def csv_rows(path):
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


# ----- tests --------------------------------------------------------------------------------

class LoadTest(unittest.TestCase):
    def test_stances_equal_raw_h5py(self):
        r, names = S["result"], raw_per_stance_names()
        self.assertGreater(len(names), 50, "fewer per-stance datasets than the 0.5 layout has")
        self.assertEqual(sorted(names), sorted(r.stances), "helper's stance columns differ from the file's")
        for name in names:
            self.assertTrue(same(raw(name), r.stances[name]), f"{name}: helper {r.stances[name]} != h5py {raw(name)}")
            with h5py.File(S["h5"], "r") as f:
                self.assertEqual(r.units[name], f["/stances/" + name].attrs["units"], name)
                self.assertEqual(r.descriptions[name], f["/stances/" + name].attrs["description"], name)
        self.assertIsInstance(r.stances["side"][0], str, "strings are not decoded")
        print(f"  load: {len(names)} per-stance datasets equal h5py's, with their units and descriptions")

    def test_curves_relationships_attrs_kinematics_equal_raw(self):
        r, count = S["result"], 0
        with h5py.File(S["h5"], "r") as f:
            g = f["/stances"]
            for group, mine in (("curves", r.curves), ("curves_mean", r.curves_mean), ("curves_sd", r.curves_sd)):
                names = [k for k in g[group] if k != "percent"]
                self.assertEqual(sorted(names), sorted(mine), group)
                for name in names:
                    self.assertTrue(same(g[group][name][()], mine[name]), f"{group}/{name}")
                    count += 1
            self.assertEqual(r.curves["knee"].shape, (r.n_stances, 101, 3))
            self.assertEqual(r.curves_mean["knee"].shape, (2, 101, 3))
            self.assertTrue(same(g["curves/percent"][()], r.percent), "percent")
            for name in g["relationships"]:
                self.assertTrue(same(raw("relationships/" + name), r.relationships[name]), f"relationships/{name}")
                count += 1
            for key, value in g.attrs.items():
                self.assertTrue(same(value, r.attrs[key]), f"/stances attribute {key}")
            self.assertEqual(r.format_version, f.attrs["format_version"])
            for name in ("time", "hip_left", "hip_right", "knee_left", "knee_right"):
                self.assertTrue(same(f["/kinematics/" + name][()], r.kinematics[name]), f"kinematics/{name}")
        print(f"  load: {count} curve and relationship arrays, {len(r.attrs)} /stances attributes, "
              f"kinematics time + joints equal h5py's (format_version {r.format_version})")

    def test_curve_mean_and_sd_are_the_clean_stances_per_side(self):
        r = S["result"]
        curves = raw("curves/knee")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN expected
            for row, side in enumerate(("left", "right")):
                rows = clean_side_rows(side)
                self.assertGreater(rows.sum(), 0, f"no clean {side} stance to average")
                mean = np.nanmean(curves[rows][..., 0], axis=0)
                sd = np.nanstd(curves[rows][..., 0], axis=0, ddof=1)
                self.assertTrue(np.isfinite(mean).all(), f"{side} knee flexion mean has NaN")
                self.assertTrue(np.allclose(r.curves_mean["knee"][row, :, 0], mean, rtol=1e-12, atol=1e-9, equal_nan=True),
                                f"curves_mean/knee[{row}] != nanmean of clean {side} stances")
                self.assertTrue(np.allclose(r.curves_sd["knee"][row, :, 0], sd, rtol=1e-9, atol=1e-9, equal_nan=True),
                                f"curves_sd/knee[{row}] != sample SD of clean {side} stances")
                print(f"  curves_mean/knee[{row} {side}, :, 0] = nanmean over {rows.sum()} clean {side} stance(s) "
                      f"(max |diff| {np.nanmax(np.abs(r.curves_mean['knee'][row, :, 0] - mean)):.2g} deg); SD likewise")

    def test_every_dataset_has_units_and_description(self):
        missing, count = [], 0

        def visit(name, obj):
            nonlocal count
            if isinstance(obj, h5py.Dataset):
                count += 1
                for key in ("units", "description"):
                    value = obj.attrs.get(key)
                    value = value.decode() if isinstance(value, bytes) else value
                    if not isinstance(value, str) or not value.strip():
                        missing.append(f"/{name} ({key})")

        with h5py.File(S["h5"], "r") as f:
            f.visititems(visit)
        self.assertGreater(count, 100)
        self.assertEqual(missing, [], "datasets without units or description")
        print(f"  units/description: all {count} datasets have both, non-empty")

    def test_refuses_what_is_not_a_current_result(self):
        mr = S["mr"]
        for path, expected in bad_inputs().items():
            with self.assertRaises(ValueError, msg=path) as caught:
                mr.load(path)
            message = str(caught.exception)
            self.assertIn(path, message)
            self.assertNotIn("\n", message)
            self.assertIn(expected, message)
            print(f"  load refuses {os.path.basename(path)}: {message}")


class TableTest(unittest.TestCase):
    def test_stance_table_equals_midstance_csv(self):
        df = S["mr"].stance_table(S["result"])
        rows = csv_rows(S["csv"])
        self.assertEqual(len(rows), len(df))
        self.assertEqual(len(df), S["result"].n_stances)
        by_column = {unit_column(name, df.attrs["units"][name]): name for name in df.columns if "/" not in name}
        by_column.update({"foot_strike_time_s": "foot_strike_time", "toe_off_time_s": "toe_off_time"})  # CSV's own names
        compared = 0
        for column in rows[0]:
            if column == "stance":
                self.assertEqual([int(row["stance"]) for row in rows], list(df.index))
                continue
            name = by_column.get(column)
            if "@" in column:  # --also-mid-stance: metric@definition
                metric, definition = column.split("@")
                name = next((n for n in df.columns if n.startswith(f"at_mid_stance/{definition}/")
                             and unit_column(n.split("/")[-1], df.attrs["units"][n]) == metric), None)
            self.assertIsNotNone(name, f"CSV column {column}: no /stances dataset with that name and units")
            for i, row in enumerate(rows):
                value, cell = df[name].iloc[i], row[column]
                if isinstance(value, str):
                    self.assertEqual(cell, value, f"{column} row {i}")
                else:
                    csv_value = math.nan if cell == "" else float(cell)
                    self.assertTrue(close(float(value), csv_value), f"{column} row {i}: CSV {cell!r}, table {value}")
            compared += 1
        self.assertGreater(compared, 50)
        print(f"  stance_table: {compared} CSV columns x {len(rows)} stances equal (NaN == empty cell, 9 digits)")

    def test_table_units_and_load_many(self):
        mr = S["mr"]
        df = mr.stance_table(S["result"])
        self.assertEqual(df.attrs["units"]["contact_time"], "s")
        self.assertEqual(df.attrs["units"]["peak_vertical_force"], "N")
        self.assertEqual(df.attrs["units"]["stance_knee_flexion"], "deg")
        both = mr.load_many([S["h5"], S["h5"]])
        self.assertEqual(len(both), 2 * len(df))
        self.assertEqual(list(both["file"]), [S["h5"]] * len(both))
        self.assertTrue(same(np.concatenate([raw("contact_time")] * 2), both["contact_time"].to_numpy()))
        print(f"  load_many: 2 files -> {len(both)} rows, file column, contact_time equal h5py's")


class PlotTest(unittest.TestCase):
    def test_plot_curves_writes_png(self):
        png = os.path.join(S["tmp"], "curves.png")
        S["mr"].plot_curves(S["result"], png)
        with open(png, "rb") as stream:
            self.assertEqual(stream.read(8), PNG_SIGNATURE)
        size = os.path.getsize(png)
        self.assertGreater(size, 10_000)
        with self.assertRaises(ValueError):
            S["mr"].plot_curves(S["result"], png, names=("no_such_curve",))
        print(f"  plot_curves: PNG signature, {size} bytes")


class CliTest(unittest.TestCase):
    def test_summary(self):
        r = helper("summary", S["h5"])
        self.assertEqual(r.returncode, 0, r.stderr)
        line = next((l for l in r.stdout.splitlines() if l.split()[:1] == ["peak_vertical_force"]), None)
        self.assertIsNotNone(line, r.stdout)
        left, right = map(float, line.split()[-2:])
        for printed, side in ((left, "left"), (right, "right")):
            self.assertLess(abs(printed - side_mean("peak_vertical_force", side)), 1e-3 * abs(printed), line)
        print(f"  cli summary: exit 0, peak_vertical_force {left} / {right} N = h5py's per-side means")

    def test_csv(self):
        out, second = os.path.join(S["tmp"], "table.csv"), os.path.join(S["tmp"], "w.h5")
        shutil.copyfile(S["h5"], second)
        r = helper("csv", S["h5"], second, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = csv_rows(out)
        n = S["result"].n_stances
        self.assertEqual(len(rows), 2 * n)
        self.assertEqual([row["file"] for row in rows], [S["h5"]] * n + [second] * n)
        values = [math.nan if row["contact_time_s"] == "" else float(row["contact_time_s"]) for row in rows]
        self.assertTrue(same(np.concatenate([raw("contact_time")] * 2), np.array(values)))
        print(f"  cli csv: exit 0, {len(rows)} rows from 2 files, contact_time_s equal h5py's")

    def test_plot(self):
        png = os.path.join(S["tmp"], "cli.png")
        r = helper("plot", S["h5"], "-o", png, "--curves", "knee", "grf")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(png, "rb") as stream:
            self.assertEqual(stream.read(8), PNG_SIGNATURE)
        print(f"  cli plot: exit 0, PNG of {os.path.getsize(png)} bytes")

    def test_bad_input_one_line_non_zero(self):
        cases = dict(bad_inputs())
        cases[os.path.join(S["tmp"], "absent.h5")] = "no such file"
        for path, expected in cases.items():
            for arguments in (("summary", path), ("csv", S["h5"], path, "-o", os.path.join(S["tmp"], "x.csv"))):
                r = helper(*arguments)
                lines = r.stderr.strip().splitlines()
                self.assertNotEqual(r.returncode, 0, f"{arguments}: exit 0")
                self.assertEqual(len(lines), 1, f"{arguments}: stderr {r.stderr!r}")
                self.assertIn(path, lines[0])
                self.assertIn(expected, lines[0])
            print(f"  cli on {os.path.basename(path)}: exit {r.returncode}, {lines[0]}")


def bad_inputs():
    """Files the helper must refuse -> a piece of the expected message."""
    tmp = S["tmp"]
    text, no_stances, old = (os.path.join(tmp, n) for n in ("notes.h5", "no_stances.h5", "old.h5"))
    with open(text, "w") as stream:
        stream.write("not an HDF5 file\n")
    for path in (no_stances, old):
        shutil.copyfile(S["h5"], path)
    with h5py.File(no_stances, "r+") as f:
        del f["stances"]
    with h5py.File(old, "r+") as f:
        f.attrs["format_version"] = "0.4"
    return {text: "not an HDF5 file", no_stances: "/stances", old: "0.5"}


class ReadmeTest(unittest.TestCase):
    def readme(self):
        with open(OPT.readme, encoding="utf-8") as stream:
            return stream.read()

    def test_h5py_example_runs_and_prints_what_it_claims(self):
        text = self.readme()
        self.assertIn(MARKER, text, f"{OPT.readme}: no marker line")
        match = re.search(r"^```python[ \t]*\n(.*?)^```", text.split(MARKER, 1)[1], re.S | re.M)
        self.assertIsNotNone(match, f"{OPT.readme}: no ```python block after the marker")
        code = match.group(1)
        self.assertIn('"result.h5"', code)
        script = os.path.join(S["tmp"], "readme_example.py")
        with open(script, "w") as stream:
            stream.write(code.replace("result.h5", S["h5"]))
        r = run([PYTHON, script], cwd=S["tmp"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        checked = 0
        for name, units in (("stance_knee_flexion", "deg"), ("peak_vertical_force", "N")):
            for side in ("left", "right"):
                line = next((l for l in out if l.startswith(f"{side} {name}:")), None)
                self.assertIsNotNone(line, f"no '{side} {name}:' line in {r.stdout!r}")
                printed = re.search(r":\s*(-?\d+(?:\.(\d*))?|nan)", line)
                self.assertIsNotNone(printed, f"{line}: no number after the colon")
                tolerance = 0.5 * 10 ** -len(printed.group(2) or "") + 1e-9  # half the last printed digit
                expected, number = side_mean(name, side), float(printed.group(1))
                self.assertTrue(abs(expected - number) <= tolerance or (math.isnan(expected) and math.isnan(number)),
                                f"{line}: expected {expected:.6f}")
                self.assertRegex(line, rf"\s{re.escape(units)}\b", f"{line}: no units {units}")
                checked += 1
        first = [raw("relationships/" + c)[0] for c in ("knee_drive", "force", "verdict")]
        self.assertTrue(any(first[0] in l and first[1] in l and l.endswith(": " + first[2]) for l in out),
                        f"no line naming {first[0]} and {first[1]} and ending with the verdict {first[2]!r}")
        print(f"  README example ({len(code.splitlines())} lines): exit 0, {checked} per-side means with units "
              f"and the first verdict match h5py")

    def test_tables_list_every_stance_dataset_as_stored(self):
        text, missing = self.readme(), []
        with h5py.File(S["h5"], "r") as f:
            g = f["/stances"]
            names = [n for n in g if isinstance(g[n], h5py.Dataset)]
            names += ["relationships/" + n for n in g["relationships"]]
            for name in names:
                d = g[name]
                row = rf"^\|\s*`{re.escape(name.split('/')[-1])}`\s*\|[^|\n]*\|\s*{re.escape(d.attrs['units'])}\s*\|" \
                      rf"\s*{re.escape(d.attrs['description'])}\s*\|"
                if not re.search(row, text, re.M):
                    missing.append(name)
        self.assertEqual(missing, [], f"{OPT.readme}: no table row `name` | shape | units | description as stored")
        print(f"  README tables: {len(names)} /stances datasets listed with their stored units and descriptions")


if __name__ == "__main__":
    OPT, argv = parse_options()
    if not os.path.isfile(os.path.join(OPT.data, TRIAL)):
        print(f"test_results_helper: SKIPPED: {os.path.join(OPT.data, TRIAL)} is absent "
              "(../shared/data not present): real-file test skipped")
        sys.exit(0)
    unittest.main(argv=argv, verbosity=2)
