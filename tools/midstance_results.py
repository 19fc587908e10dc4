#!/usr/bin/env python3
"""Read the stance table, curves and relationships of a midstance result (HDF5, format >= 0.5).

A result is what `midstance process TRIAL.c3d -o RESULT.h5` writes (README, "Results: the stance
table, curves and relationships"). As a module:

    import midstance_results as mr
    r = mr.load("RESULT.h5")            # Result: plain dicts of numpy arrays
    df = mr.stance_table(r)             # one row per stance (needs pandas)
    mr.plot_curves(r, "curves.png")     # mean +/- SD per side, 0-100 % of stance

As a command:

    midstance_results.py summary RESULT.h5
    midstance_results.py plot RESULT.h5 -o curves.png [--curves hip knee grf] [--component 0]
    midstance_results.py csv RESULT.h5 [MORE.h5 ...] -o table.csv

Units are those of the file (SI plus deg, BW, ms, %): every dataset says its own in `units`.
Needs numpy and h5py; matplotlib for plots; pandas only for the DataFrame functions.
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from dataclasses import dataclass, field

import h5py
import numpy as np

MIN_FORMAT = (0, 5)
SIDES = ("left", "right")  # row 0 and 1 of curves_mean / curves_sd
IDENTITY = ("side", "plates", "plate", "clean", "from_force", "exclusion", "foot_strike_time", "toe_off_time")
COMPONENTS = {"grf": ("anterior", "left", "up"), "grf_cycle": ("anterior", "left", "up")}
ANGLE_COMPONENTS = ("flexion", "adduction", "internal rotation")
SUMMARY_METRICS = ("contact_time", "peak_vertical_force", "peak_vertical_force_bw", "stance_knee_flexion",
                   "stance_hip_flexion", "swing_thigh_angular_velocity_peak", "swing_knee_velocity_pelvis")


@dataclass
class Result:
    """One result file. Keys of `stances`, `units`, `descriptions` are paths under /stances
    ("contact_time", "mid_stance/half_contact", "curves/knee", "relationships/slope")."""
    path: str
    format_version: str
    stances: dict = field(default_factory=dict)        # name -> [n_stances], per-stance values
    units: dict = field(default_factory=dict)          # name -> units string
    descriptions: dict = field(default_factory=dict)   # name -> description string
    curves: dict = field(default_factory=dict)         # name -> [n_stances, 101, 3]
    curves_mean: dict = field(default_factory=dict)    # name -> [2 sides (0 left, 1 right), 101, 3]
    curves_sd: dict = field(default_factory=dict)      # name -> [2, 101, 3], sample SD
    percent: np.ndarray = field(default_factory=lambda: np.zeros(0))  # [101] %, the curves' abscissa
    relationships: dict = field(default_factory=dict)  # column -> [n_relationships]
    attrs: dict = field(default_factory=dict)          # attributes of /stances
    kinematics: dict = field(default_factory=dict)     # "time" [frames] s, "hip_left" ... [frames, 3] deg

    @property
    def n_stances(self) -> int:
        return len(self.stances.get("side", ()))


# ----- reading ------------------------------------------------------------------------------

def _text(value):
    """bytes / numpy strings -> str; other values unchanged."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.str_):
        return str(value)
    return value


def _array(dataset: h5py.Dataset) -> np.ndarray:
    """A dataset's values; strings decoded to str."""
    if h5py.check_string_dtype(dataset.dtype) is not None:
        return np.array(dataset.asstr()[()], dtype=str).reshape(dataset.shape)
    return dataset[()]


def _version(text: str) -> tuple:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return ()


def _check(f: h5py.File, path: str) -> str:
    """The file's format_version; ValueError when it is not a midstance result with /stances."""
    kind, version = _text(f.attrs.get("format")), _text(f.attrs.get("format_version"))
    if kind != "midstance":
        raise ValueError(f"{path}: not a midstance result (root attribute format is {kind!r}, expected 'midstance')")
    if _version(version) < MIN_FORMAT:
        raise ValueError(f"{path}: format_version {version}, expected 0.5 or newer (re-process the trial with a current midstance)")
    if not isinstance(f.get("stances"), h5py.Group):
        raise ValueError(f"{path}: no /stances group (expected the result of `midstance process TRIAL.c3d`)")
    for name in ("side", "clean"):
        if not isinstance(f["stances"].get(name), h5py.Dataset):
            raise ValueError(f"{path}: no /stances/{name} dataset (expected one value per stance)")
    return version


def _read_stances(g: h5py.Group, r: Result) -> None:
    n = len(g["side"]) if "side" in g else None

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        r.units[name] = _text(obj.attrs.get("units", ""))
        r.descriptions[name] = _text(obj.attrs.get("description", ""))
        top = name.split("/")[0]
        if top in ("curves", "curves_mean", "curves_sd"):
            leaf = name.split("/", 1)[1]
            if name == "curves/percent":
                r.percent = obj[()]
            else:
                getattr(r, top)[leaf] = obj[()]
        elif top == "relationships":
            r.relationships[name.split("/", 1)[1]] = _array(obj)
        elif obj.ndim == 1 and (n is None or obj.shape[0] == n):
            r.stances[name] = _array(obj)

    g.visititems(visit)
    r.attrs = {key: _text(value) for key, value in g.attrs.items()}


def _read_kinematics(f: h5py.File) -> dict:
    """time [frames] s and every [frames, 3] joint array directly under /kinematics."""
    g = f.get("kinematics")
    if not isinstance(g, h5py.Group) or "time" not in g:
        return {}
    out = {"time": g["time"][()]}
    for name, obj in g.items():
        if isinstance(obj, h5py.Dataset) and obj.ndim == 2 and obj.shape == (len(out["time"]), 3):
            out[name] = obj[()]
    return out


def load(path: str) -> Result:
    """Read a result file; ValueError (one line naming the file) unless it is a midstance result
    with /stances and format_version >= 0.5."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file (expected a midstance result .h5)")
    if not h5py.is_hdf5(path):
        raise ValueError(f"{path}: not an HDF5 file (expected a midstance result .h5)")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"{path}: unreadable HDF5 ({' '.join(str(error).split())})") from None
    with f:
        r = Result(path=path, format_version=_check(f, path))
        _read_stances(f["stances"], r)
        r.kinematics = _read_kinematics(f)
    return r


# ----- tables -------------------------------------------------------------------------------

def _pandas():
    try:
        import pandas
    except ImportError as error:
        raise ImportError(f"this function returns a pandas DataFrame and needs pandas ({error}); "
                          "install python3-pandas or `pip install pandas`") from None
    return pandas


def table_columns(result: Result) -> list:
    """Per-stance column names: identity columns first, then the rest in file order."""
    first = [name for name in IDENTITY if name in result.stances]
    return first + [name for name in result.stances if name not in first]


def stance_table(result: Result):
    """pandas.DataFrame, one row per stance (index `stance`), one column per /stances dataset;
    units in df.attrs['units'], descriptions in df.attrs['descriptions']."""
    pd = _pandas()
    columns = table_columns(result)
    df = pd.DataFrame({name: result.stances[name] for name in columns}, columns=columns)
    df.index.name = "stance"
    df.attrs["units"] = {name: result.units[name] for name in columns}
    df.attrs["descriptions"] = {name: result.descriptions[name] for name in columns}
    return df


def load_many(paths):
    """pandas.DataFrame: the stance tables of several results stacked, with `file` and `stance`
    columns; ValueError when a column's units differ between files."""
    pd = _pandas()
    tables, units = [], {}
    for path in paths:
        df = stance_table(load(path)).reset_index()
        for name, u in df.attrs["units"].items():
            if units.setdefault(name, u) != u:
                raise ValueError(f"{path}: {name} is in {u}, another file has {units[name]}")
        df.insert(0, "file", os.fspath(path))
        tables.append(df)
    if not tables:
        raise ValueError("no result files given")
    out = pd.concat(tables, ignore_index=True)
    out.attrs["units"] = units
    return out


def side_mean(result: Result, name: str, side: str) -> tuple:
    """(mean ignoring NaN, count of finite values) of a metric over the clean stances of a side."""
    rows = (result.stances["side"] == side) & (result.stances["clean"] == 1)
    values = np.asarray(result.stances[name], dtype=float)[rows]
    values = values[np.isfinite(values)]
    return (float(values.mean()) if values.size else math.nan), int(values.size)


# ----- plots --------------------------------------------------------------------------------

def _component_name(name: str, component: int) -> str:
    return COMPONENTS.get(name, ANGLE_COMPONENTS)[component]


def plot_curves(result: Result, path_png: str, names=("hip", "knee", "grf"), component: int = 0) -> str:
    """Mean +/- SD per side (clean stances) of each named curve over 0-100 % of stance (or of the
    gait cycle for *_cycle), one subplot per curve; component 0, 1 or 2 (angles: flexion,
    adduction, internal rotation; GRF: anterior, left, up). PNG written with Agg; returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    unknown = [n for n in names if n not in result.curves_mean]
    if unknown or not names:
        raise ValueError(f"{result.path}: no curve {', '.join(unknown) or '(none given)'}; "
                         f"expected some of {', '.join(result.curves_mean)}")
    if component not in (0, 1, 2):
        raise ValueError(f"component must be 0, 1 or 2, got {component}")
    fig = Figure(figsize=(4.2 * len(names), 3.6), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    for k, name in enumerate(names):
        _plot_one(fig.add_subplot(1, len(names), k + 1), result, name, component)
    fig.suptitle(os.path.basename(result.path))
    fig.savefig(path_png, format="png")
    return path_png


def _plot_one(ax, result: Result, name: str, component: int) -> None:
    x = result.percent if len(result.percent) else np.arange(result.curves_mean[name].shape[1])
    for row, (side, colour) in enumerate(zip(SIDES, ("tab:red", "tab:blue"))):
        mean = result.curves_mean[name][row, :, component]
        sd = result.curves_sd[name][row, :, component]
        n = int(np.sum((result.stances["side"] == side) & (result.stances["clean"] == 1)))
        ax.plot(x, mean, color=colour, label=f"{side} (n = {n})")
        ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.2, linewidth=0)
    cycle = name.endswith("_cycle")
    ax.set_xlabel(f"% of {'gait cycle' if cycle else 'stance'}")
    ax.set_ylabel(f"{_component_name(name, component)} ({result.units.get('curves/' + name, '?')})")
    ax.set_title(name.replace("_", " "))
    ax.set_xlim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


# ----- command line -------------------------------------------------------------------------

def csv_column(name: str, units: str) -> str:
    """Column name with a unit suffix: "loading_rate", "N/s" -> "loading_rate_N_per_s"
    (unitless "1": no suffix; "%" -> "pct")."""
    if units in ("", "1"):
        return name
    token = units.replace("/", " per ").replace("%", "pct").split()
    if name.endswith("_bw") and token[0] == "BW":
        token = token[1:]
    return "_".join([name] + token)


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if not math.isfinite(value) else repr(float(value))
    return str(value.item() if isinstance(value, np.generic) else value)


def write_csv(paths, out_path: str) -> int:
    """One row per stance of every file (columns file, stance, then name_units); returns rows.
    Plain csv module: no pandas needed."""
    results = [load(p) for p in paths]
    columns = table_columns(results[0])
    rows = 0
    with open(out_path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["file", "stance"] + [csv_column(c, results[0].units[c]) for c in columns])
        for r in results:
            missing = [c for c in columns if c not in r.stances or r.units[c] != results[0].units[c]]
            if missing:
                raise ValueError(f"{r.path}: columns {', '.join(missing)} missing or in other units than in {results[0].path}")
            for i in range(r.n_stances):
                writer.writerow([r.path, i] + [_cell(r.stances[c][i]) for c in columns])
                rows += 1
    return rows


def summary(result: Result) -> str:
    """A few lines: stances, then the per-side means of SUMMARY_METRICS over the clean stances."""
    s, lines = result.stances, []
    counts = {side: int(np.sum((s["side"] == side) & (s["clean"] == 1))) for side in SIDES}
    lines.append(f"{result.path}: format {result.format_version}, {result.n_stances} stances "
                 f"(clean: {counts['left']} left, {counts['right']} right), "
                 f"mid-stance = {result.attrs.get('mid_stance_definition', '?')}")
    for warning in str(result.attrs.get("warnings", "")).splitlines():
        lines.append(f"  warning: {warning}")
    lines.append(f"  {'metric (mean of clean stances)':40s} {'units':>8s} {'left':>10s} {'right':>10s}")
    for name in SUMMARY_METRICS:
        if name in s:
            means = [side_mean(result, name, side)[0] for side in SIDES]
            lines.append(f"  {name:40s} {result.units[name]:>8s} " + " ".join(f"{m:10.4g}" for m in means))
    rel = result.relationships
    if len(rel.get("verdict", ())):
        lines.append(f"  relationships: {len(rel['verdict'])}, conclusive: {int(np.sum(rel['conclusive']))}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="midstance_results.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="per-side means of a few metrics")
    s.add_argument("result")
    s = sub.add_parser("plot", help="mean +/- SD curves per side -> PNG")
    s.add_argument("result")
    s.add_argument("-o", "--output", required=True, help="PNG to write")
    s.add_argument("--curves", nargs="+", default=["hip", "knee", "grf"], help="curve names (default hip knee grf)")
    s.add_argument("--component", type=int, default=0, choices=(0, 1, 2), help="0 flexion / anterior (default), 1, 2")
    s = sub.add_parser("csv", help="stance tables of one or more results -> one CSV")
    s.add_argument("results", nargs="+")
    s.add_argument("-o", "--output", required=True, help="CSV to write")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "summary":
            print(summary(load(args.result)))
        elif args.command == "plot":
            print(plot_curves(load(args.result), args.output, tuple(args.curves), args.component))
        else:
            print(f"{args.output}: {write_csv(args.results, args.output)} stances")
    except (OSError, ValueError, KeyError, ImportError) as error:
        message = " ".join(str(error).split())
        print(f"midstance_results.py: error: {message}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
