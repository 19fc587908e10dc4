#!/usr/bin/env python3
"""Cross-check midstance's C3D reader against ezc3d on every .c3d under a folder.

Usage: compare_c3d_with_ezc3d.py [FOLDER] [--midstance PATH_TO_BINARY]

FOLDER defaults to ../shared/data next to the repository (c3d/, opensim/, running/: every .c3d
under it is compared).

Per file:
  - summary fields from `midstance --quiet info --json`-style output (`midstance --quiet --json
    info FILE`): frames, first frame, points, point rate, units, labels, storage, missing point
    samples, analog channels, analog rate, analog labels, FORCE_PLATFORM:USED / TYPE, EVENT:USED,
    parameter groups; against ezc3d's header, parameters and data arrays.
  - arrays, when the binary has `midstance convert FILE -o OUT.h5` (detected from the subcommand
    list of `midstance --help`; `convert --help` alone exits 0 even when convert is absent):
    /markers/positions (frames x markers x 3, metres, NaN missing) against ezc3d's points in mm,
    /analog/values (samples x channels) against ezc3d's analogs in file units. Needs h5py.

Files ezc3d cannot read (ezc3d 1.7.2 refuses the MIPS / SGI processor) are compared through
their Intel twin when the folder holds one (Eb015si -> Eb015pi, sample02_sgi_int ->
sample02_pc_int ...): midstance's arrays of the MIPS file against ezc3d's of the twin, so a
byte-order or scale error on MIPS shows as a difference.

midstance's warnings (vendor quirks it read around; `info --json` lists them) are printed per
file. A summary difference that such a warning names (ANALOG:RATE, the data section's frames,
POINT:UNITS, repeated parameter groups) is reported as EXPLAINED: midstance read the quirk on
purpose and said so. With --quirks, variants of c3d/Eb015pi.c3d bent as other labs' files are
(ANALOG:RATE halved, the data section cut 7.5 frames short, POINT:UNITS "mil") are compared too;
ezc3d lays frames out by ANALOG:RATE, so there the arrays differ, as midstance's warning says.

Exit status: 1 if any summary field (or an array beyond tolerance / a NaN-mask difference)
disagrees without a warning explaining it, or if midstance fails on a file ezc3d (or its
twin) reads; 0 otherwise. Needs numpy and ezc3d (pip install ezc3d); arrays need h5py.
"""
import argparse
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import ezc3d
except ImportError as error:  # pragma: no cover
    sys.exit(f"compare_c3d_with_ezc3d: needs numpy and ezc3d ({error}); try: pip install ezc3d")

UNITS_IN_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0}

# Summary fields and the words of the midstance warning that explains a difference in them.
EXPLAINED_BY = {
    "analog_rate_hz": ["ANALOG:RATE"],
    "frames": ["data section", "one past the data", "ANALOG:RATE"],
    "missing_point_samples": ["data section", "one past the data", "ANALOG:RATE"],
    "point_units": ["POINT:UNITS"],
    "parameter_groups": ["parameter groups named"],
}

# Array differences these warnings explain: ezc3d lays the frames out by ANALOG:RATE and the
# announced frame count; midstance by header word 3 / ANALOG:USED and the whole frames present.
ARRAYS_EXPLAINED_BY = ["ANALOG:RATE", "data section", "one past the data"]

# MIPS file name -> its Intel twin's, for the c3d.org sample sets.
TWIN_PATTERNS = [(re.compile(r"^(Eb\d+)s([ir])\.c3d$", re.IGNORECASE), r"\1p\2.c3d"),
                 (re.compile(r"^(.*)_sgi_(int|real)\.c3d$", re.IGNORECASE), r"\1_pc_\2.c3d")]


def intel_twin(path):
    folder, name = os.path.split(path)
    for pattern, replacement in TWIN_PATTERNS:
        if pattern.match(name):
            twin = os.path.join(folder, pattern.sub(replacement, name))
            if os.path.exists(twin):
                return twin
    return None


def intel_parameter_offset(data, group, name):
    """Offset of the values of GROUP:NAME in an Intel C3D's parameter section, or None."""
    section = (data[0] - 1) * 512
    end = section + data[section + 2] * 512
    offset, groups, found = section + 4, {}, []
    while offset + 2 <= end:
        length, gid = struct.unpack_from("<bb", data, offset)
        if length == 0 or gid == 0:
            break
        text = data[offset + 2:offset + 2 + abs(length)].decode("latin-1").upper()
        link = offset + 2 + abs(length)
        (following,) = struct.unpack_from("<h", data, link)
        if gid < 0:
            groups[-gid] = text
        else:
            rank = data[link + 3]
            found.append((gid, text, link + 4 + rank))
        if following <= 0:
            break
        offset = link + following
    return next((at for gid, text, at in found if groups.get(gid) == group and text == name), None)


def write_quirk_variants(folder, out_folder):
    """Variants of an Intel sample file bent as other labs' files are; their differences from
    ezc3d must all be EXPLAINED by a midstance warning. Returns their paths."""
    source = os.path.join(folder, "c3d", "Eb015pi.c3d")
    if not os.path.exists(source):
        return []
    original = open(source, "rb").read()
    paths = []
    rate = intel_parameter_offset(original, "ANALOG", "RATE")
    units = intel_parameter_offset(original, "POINT", "UNITS")
    if rate is not None:  # EVaRT: ANALOG:RATE against the layout
        data = bytearray(original)
        (value,) = struct.unpack_from("<f", data, rate)
        struct.pack_into("<f", data, rate, value / 2)
        paths.append(os.path.join(out_folder, "quirk_analog_rate_halved.c3d"))
        open(paths[-1], "wb").write(data)
    # Optotrak / Kyowa: the data section stops seven and a half frames early.
    frames = struct.unpack_from("<H", original, 8)[0] - struct.unpack_from("<H", original, 6)[0] + 1
    data_start = (struct.unpack_from("<H", original, 16)[0] - 1) * 512
    frame_bytes = (len(original) - data_start) // frames  # the padding is less than a frame here
    paths.append(os.path.join(out_folder, "quirk_data_cut.c3d"))
    open(paths[-1], "wb").write(original[:data_start + (frames - 7) * frame_bytes + frame_bytes // 2])
    if units is not None:  # POINT:UNITS cut short: "mil" for millimetres
        data = bytearray(original)
        data[units:units + 4] = b"mil "
        paths.append(os.path.join(out_folder, "quirk_units_mil.c3d"))
        open(paths[-1], "wb").write(data)
    return paths


def explained(key, warnings):
    words = EXPLAINED_BY.get(key, [])
    return any(word in warning for warning in warnings for word in words)


def param(c, group, name, default=None):
    try:
        return c["parameters"][group][name]["value"]
    except (KeyError, TypeError):
        return default


def first(values, default=None):
    try:
        if values is None or len(values) == 0:
            return default
        return values[0]
    except TypeError:
        return values


def clean(labels, count):
    labels = [str(x).strip() for x in (labels if labels is not None else [])]
    labels = labels[:count]
    return labels + [""] * (count - len(labels))


def ezc3d_labels(c, group, count):
    """LABELS, continued in LABELS2, LABELS3... beyond 255 entries."""
    labels = list(param(c, group, "LABELS", []) or [])
    k = 2
    while len(labels) < count and param(c, group, f"LABELS{k}") is not None:
        labels += list(param(c, group, f"LABELS{k}"))
        k += 1
    return clean(labels, count)


def ezc3d_summary(c):
    points = c["data"]["points"]
    analogs = c["data"]["analogs"]
    n_points = points.shape[1]
    n_channels = analogs.shape[1]
    header = c["header"]
    frames = points.shape[2]
    if n_points == 0 and n_channels > 0:
        per_frame = max(1, int(round((first(param(c, "ANALOG", "RATE"), 0) or 0) / (header["points"]["frame_rate"] or 1))))
        frames = analogs.shape[2] // per_frame
    point_rate = float(first(param(c, "POINT", "RATE"), header["points"]["frame_rate"]))
    scale = first(param(c, "POINT", "SCALE"), None)
    summary = {
        "frames": int(frames),
        "first_frame": int(header["points"]["first_frame"]) + 1,  # ezc3d's is 0-based
        "point_rate_hz": point_rate,
        "points": int(n_points),
        "point_units": str(first(param(c, "POINT", "UNITS"), "") or "").strip(),
        "point_labels": ezc3d_labels(c, "POINT", n_points),
        "missing_point_samples": int(np.isnan(points[0]).sum()),
        "analog_channels": int(n_channels),
        "analog_rate_hz": float(first(param(c, "ANALOG", "RATE"), 0.0) or 0.0) if n_channels else None,
        "analog_labels": ezc3d_labels(c, "ANALOG", n_channels),
        # ezc3d files parameters whose group has no record under an unnamed group ""; midstance
        # keeps them as "GROUP<id>" parameters without listing a group, so "" is left out here.
        "parameter_groups": sorted(g for g in c["parameters"].keys() if g and not g.startswith("__")),
    }
    if scale is not None:
        summary["storage"] = "float" if float(scale) < 0 else "integer"
    used = first(param(c, "FORCE_PLATFORM", "USED"))
    if used is not None:
        summary["force_plates"] = int(used)
        types = param(c, "FORCE_PLATFORM", "TYPE")
        if types is not None and np.size(types) > 0:  # ezc3d adds an empty TYPE when the file has none
            summary["force_plate_types"] = [float(t) for t in np.ravel(types)]
    events = first(param(c, "EVENT", "USED"))
    if events is not None:
        summary["event_group_events"] = int(events)
    return summary


def midstance_summary(info):
    s = {k: info.get(k) for k in ("frames", "first_frame", "point_rate_hz", "points", "point_units", "point_labels",
                                  "missing_point_samples", "analog_channels", "analog_rate_hz", "analog_labels", "storage",
                                  "force_plates", "force_plate_types", "event_group_events")}
    s["point_labels"] = clean(s["point_labels"], int(s["points"] or 0))
    s["analog_labels"] = clean(s["analog_labels"], int(s["analog_channels"] or 0))
    # ezc3d drops groups it makes up / keeps its own; compare names only, case as stored.
    s["parameter_groups"] = sorted(info.get("parameter_groups") or [])
    if not s["analog_channels"]:
        s["analog_rate_hz"] = None
    if s["force_plate_types"] is not None and len(s["force_plate_types"]) > 0:
        s["force_plate_types"] = [float(t) for t in s["force_plate_types"]]
    else:
        s["force_plate_types"] = None
    return s


def same(key, a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    return a == b


def describe_difference(a, b):
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{len(a)} vs {len(b)} entries"
        diffs = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
        shown = ", ".join(f"[{i}] {x!r} vs {y!r}" for i, x, y in diffs[:4])
        return f"{len(diffs)} differ: {shown}" + (" ..." if len(diffs) > 4 else "")
    return f"{a!r} vs {b!r}"


def run(command, timeout=600):
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def has_convert(binary):
    """True when `midstance --help` lists a convert subcommand."""
    result = run([binary, "--help"])
    text = result.stdout + result.stderr
    section = text.split("Subcommands:", 1)[1] if "Subcommands:" in text else ""
    return re.search(r"^\s+convert\b", section, re.MULTILINE) is not None


def compare_arrays(binary, path, c, tolerance_mm, analog_tolerance):
    """Returns (lines, failed)."""
    try:
        import h5py
    except ImportError:
        return ["  arrays: skipped (h5py not installed: pip install h5py)"], False
    lines, failed = [], False
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "converted.h5")
        result = run([binary, "--quiet", "convert", path, "-o", out])
        if result.returncode != 0:
            return [f"  arrays: midstance convert failed: {(result.stderr or result.stdout).strip()[:300]}"], True
        with h5py.File(out, "r") as h5:
            units = str(first(param(c, "POINT", "UNITS"), "mm") or "mm").strip().lower()
            to_mm = UNITS_IN_MM.get(units)
            ours = np.asarray(h5["/markers/positions"][...], dtype=float) * 1000.0 if "/markers/positions" in h5 else None
            theirs = np.transpose(c["data"]["points"][:3], (2, 1, 0)) * (to_mm or 1.0)
            if ours is None:
                lines.append("  points: /markers/positions absent")
                failed = True
            elif ours.shape != theirs.shape:
                lines.append(f"  points: shape {ours.shape} vs ezc3d {theirs.shape}")
                failed = True
            elif theirs.size:
                nan_ours, nan_theirs = np.isnan(ours[..., 0]), np.isnan(theirs[..., 0])
                mask_diff = int((nan_ours != nan_theirs).sum())
                both = ~nan_ours & ~nan_theirs
                diff = float(np.max(np.abs(ours[both] - theirs[both]))) if both.any() else 0.0
                note = "" if to_mm else f" (unknown units {units!r}: compared as mm)"
                lines.append(f"  points: max |diff| {diff:.3g} mm, NaN-mask differences {mask_diff}{note}")
                failed |= mask_diff > 0 or diff > tolerance_mm
            if "/markers/labels" in h5 and ours is not None:
                labels = [x.decode() if isinstance(x, bytes) else str(x) for x in h5["/markers/labels"][...]]
                expected = ezc3d_labels(c, "POINT", theirs.shape[1])
                if [x.strip() for x in labels] != expected:
                    lines.append(f"  /markers/labels: {describe_difference([x.strip() for x in labels], expected)}")
                    failed = True
            analog = c["data"]["analogs"][0].T
            if analog.size:
                if "/analog/values" not in h5:
                    lines.append("  analog: /analog/values absent")
                    failed = True
                else:
                    values = np.asarray(h5["/analog/values"][...], dtype=float)
                    if values.shape != analog.shape:
                        lines.append(f"  analog: shape {values.shape} vs ezc3d {analog.shape}")
                        failed = True
                    else:
                        diff = float(np.nanmax(np.abs(values - analog)))
                        limit = analog_tolerance * max(1.0, float(np.nanmax(np.abs(analog))))
                        lines.append(f"  analog: max |diff| {diff:.3g} (file units)")
                        failed |= diff > limit
                    if "/analog/labels" in h5:
                        labels = [x.decode() if isinstance(x, bytes) else str(x) for x in h5["/analog/labels"][...]]
                        expected = ezc3d_labels(c, "ANALOG", analog.shape[1])
                        if [x.strip() for x in labels] != expected:
                            lines.append(f"  /analog/labels: {describe_difference([x.strip() for x in labels], expected)}")
                            failed = True
    return lines, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_folder = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
    parser.add_argument("folder", nargs="?", default=default_folder)
    parser.add_argument("--midstance", default=shutil.which("midstance") or "midstance", help="midstance binary")
    parser.add_argument("--tolerance-mm", type=float, default=0.01, help="largest point difference allowed (arrays)")
    parser.add_argument("--analog-tolerance", type=float, default=1e-5,
                        help="largest analog difference allowed, relative to the channel set's peak (arrays)")
    parser.add_argument("--quirks", action="store_true",
                        help="also compare variants of c3d/Eb015pi.c3d bent as other labs' files are (written to a "
                             "temporary folder): their differences must be explained by midstance's warnings")
    args = parser.parse_args()

    files = sorted(os.path.join(root, name) for root, _, names in os.walk(args.folder)
                   for name in names if name.lower().endswith(".c3d"))
    variants_folder = tempfile.TemporaryDirectory()
    if args.quirks:
        files += write_quirk_variants(args.folder, variants_folder.name)
    if not files:
        sys.exit(f"compare_c3d_with_ezc3d: no .c3d files under {args.folder}")
    convert = has_convert(args.midstance)
    print(f"ezc3d {getattr(ezc3d, '__version__', '?')} ({sys.executable}); midstance {args.midstance}")
    if convert:
        print("arrays: compared through `midstance convert FILE -o OUT.h5`")
    else:
        print("arrays: NOT compared: this midstance has no `convert` subcommand; array comparison needs "
              "`midstance convert FILE -o X.h5` (coming). Summary fields only (incl. missing-sample counts).")

    counts = {"agree": 0, "disagree": 0, "explained": 0, "via_twin": 0, "ezc3d_unreadable": 0, "midstance_failed": 0}
    for path in files:
        inside = os.path.abspath(path).startswith(os.path.abspath(args.folder) + os.sep)
        name = os.path.relpath(path, args.folder) if inside else "(quirk variant) " + os.path.basename(path)
        via = ""
        try:
            c = ezc3d.c3d(path)
        except Exception as error:  # noqa: BLE001 - ezc3d raises plain RuntimeError etc.
            twin = intel_twin(path)
            if twin is None:
                counts["ezc3d_unreadable"] += 1
                result = run([args.midstance, "--quiet", "--json", "info", path])
                verdict = "midstance reads it" if result.returncode == 0 else "midstance fails too"
                print(f"SKIP {name}: ezc3d cannot read it ({str(error).strip()[:200]}); {verdict}")
                continue
            c = ezc3d.c3d(twin)
            via = (f" (ezc3d cannot read it: {str(error).strip()[:40]}...; compared with ezc3d's "
                   f"reading of its Intel twin {os.path.basename(twin)})")
            counts["via_twin"] += 1
        result = run([args.midstance, "--quiet", "--json", "info", path])
        if result.returncode != 0:
            counts["midstance_failed"] += 1
            print(f"FAIL {name}: midstance info failed: {(result.stderr or result.stdout).strip()[:300]}")
            continue
        info = json.loads(result.stdout)
        warnings = info.get("warnings") or []
        ours = midstance_summary(info)
        theirs = ezc3d_summary(c)
        differing = [key for key in theirs if not same(key, ours.get(key), theirs.get(key))]
        real = [key for key in differing if not explained(key, warnings)]
        mismatches = [(f"  {key}: midstance {describe_difference(ours.get(key), theirs.get(key))} (ezc3d second)"
                       if key.endswith("labels") or key == "parameter_groups" else
                       f"  {key}: midstance {ours.get(key)!r}, ezc3d {theirs.get(key)!r}")
                      + ("" if key in real else "  [EXPLAINED by midstance's warning]")
                      for key in differing]
        lines, array_failed = (compare_arrays(args.midstance, path, c, args.tolerance_mm, args.analog_tolerance)
                               if convert else ([], False))
        arrays_explained = array_failed and any(word in w for w in warnings for word in ARRAYS_EXPLAINED_BY)
        if arrays_explained:
            lines.append("  arrays differ [EXPLAINED: ezc3d lays the frames out by ANALOG:RATE and the announced frame "
                         "count; midstance by header word 3 / ANALOG:USED and the frames present, as its warning says]")
            differing.append("arrays")
        bad = bool(real) or (array_failed and not arrays_explained)
        counts["disagree" if bad else "explained" if differing else "agree"] += 1
        verdict = "FAIL" if bad else "EXPL" if differing else "OK  "
        print(f"{verdict} {name}: {theirs['frames']} frames, {theirs['points']} points "
              f"@ {theirs['point_rate_hz']:g} Hz, {theirs['analog_channels']} analog channels"
              + ("" if differing else "; summary fields agree") + via)
        if "" in c["parameters"]:
            lines.insert(0, "  note: ezc3d lists an unnamed group (parameters without a group record); not compared")
        lines += [f"  midstance warning: {w}" for w in warnings]
        for line in mismatches + lines:
            print(line)

    print(f"SUMMARY {len(files)} files: {counts['agree']} agree, {counts['explained']} differ only where midstance "
          f"warned of a quirk, {counts['via_twin']} (MIPS) compared through their Intel twin, "
          f"{counts['disagree']} disagree, {counts['midstance_failed']} midstance failures, "
          f"{counts['ezc3d_unreadable']} unreadable by ezc3d without a twin"
          + ("" if convert else "; arrays not compared (no `midstance convert`)"))
    return 1 if counts["disagree"] or counts["midstance_failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
