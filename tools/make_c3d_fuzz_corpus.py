#!/usr/bin/env python3
"""Writes tests/fuzz/corpus/c3d/: one small valid C3D (seed_valid.c3d) built from the c3d.org
specification, and malformed variants of it (bad_*.c3d), one defect each. The reader must answer
every bad_* file with a one-line FileFormatError naming the file and the field (c3d_test checks),
and the fuzz target starts from the whole folder. Regenerate with:
    python3 tools/make_c3d_fuzz_corpus.py tests/fuzz/corpus/c3d
"""
import math
import os
import struct
import sys

BLOCK = 512


def group(gid, name, description=b""):
    return {"group": True, "id": gid, "name": name, "description": description}


def param(gid, name, fmt, dims, values, description=b""):
    return {"group": False, "id": gid, "name": name, "fmt": fmt, "dims": dims, "values": values,
            "description": description}


def records_bytes(records, link_override=None):
    out = bytearray()
    for index, r in enumerate(records):
        last = index == len(records) - 1
        name = r["name"]
        out += struct.pack("<bb", len(name), -r["id"] if r["group"] else r["id"]) + name
        if r["group"]:
            body = struct.pack("<B", len(r["description"])) + r["description"]
        else:
            type_code = {"c": -1, "b": 1, "h": 2, "f": 4}[r["fmt"]]
            body = struct.pack("<bB", type_code, len(r["dims"])) + bytes(r["dims"])
            if r["fmt"] == "c":
                body += r["values"]
            else:
                body += struct.pack("<%d%s" % (len(r["values"]), r["fmt"]), *r["values"])
            body += struct.pack("<B", len(r["description"])) + r["description"]
        link = 0 if last else 2 + len(body)
        if link_override and link_override[0] == index:
            link = link_override[1]
        out += struct.pack("<h", link) + body
    return out


def make(points=2, frames=3, channels=1, samples=2, scale=-0.1, rate=100.0, overrides=None,
         header_patch=None, records_patch=None, link_override=None):
    overrides = overrides or {}
    recs = [
        group(1, b"POINT"), group(2, b"ANALOG"),
        param(1, b"USED", "h", [], [overrides.get("POINT:USED", points)]),
        param(1, b"SCALE", "f", [], [overrides.get("POINT:SCALE", scale)]),
        param(1, b"RATE", "f", [], [overrides.get("POINT:RATE", rate)]),
        param(1, b"FRAMES", "h", [], [overrides.get("POINT:FRAMES", frames)]),
        param(1, b"UNITS", "c", [2], b"mm"),
        param(1, b"LABELS", "c", [4, points], b"".join(b"M%03d" % i for i in range(points))),
        param(2, b"USED", "h", [], [channels]),
        param(2, b"RATE", "f", [], [rate * samples]),
        param(2, b"SCALE", "f", [channels], [1.0] * channels),
        param(2, b"OFFSET", "h", [channels], [0] * channels),
        param(2, b"GEN_SCALE", "f", [], [1.0]),
        param(2, b"LABELS", "c", [4, channels], b"".join(b"A%03d" % i for i in range(channels))),
    ]
    if records_patch:
        records_patch(recs)
    body = records_bytes(recs, link_override)
    blocks = (4 + len(body) + BLOCK - 1) // BLOCK
    section = bytearray(struct.pack("<BBBB", 1, 0x50, blocks, 84)) + body
    section += b"\0" * (blocks * BLOCK - len(section))
    data_block = 2 + blocks
    header = bytearray(BLOCK)
    struct.pack_into("<BBhhhhhfhhf", header, 0, 2, 0x50, points, channels * samples, 1, frames, 0,
                     scale, data_block, samples, rate)
    if header_patch:
        header_patch(header)
    data = bytearray()
    for f in range(frames):
        for p in range(points):
            data += struct.pack("<4f", 100.0 + p + f, 200.0 * math.sin(f), 300.0, 0.0)
        for s in range(samples):
            data += struct.pack("<%df" % channels, *[float(f * samples + s)] * channels)
    data += b"\0" * ((BLOCK - len(data) % BLOCK) % BLOCK)
    return bytes(header + section + data)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    valid = make()
    cases = {
        "seed_valid": valid,
        "bad_empty": b"",
        "bad_truncated_header": valid[:100],
        "bad_truncated_parameters": valid[:BLOCK + 60],
        "bad_truncated_data": valid[:len(valid) - BLOCK + 8],
        "bad_key_byte": bytes([2, 0x51]) + valid[2:],
        "bad_processor_byte": valid[:BLOCK + 3] + bytes([99]) + valid[BLOCK + 4:],
        "bad_parameter_block_zero": bytes([0]) + valid[1:],
        "bad_parameter_block_past_end": bytes([200]) + valid[1:],
        "bad_data_block_past_end": make(header_patch=lambda h: struct.pack_into("<h", h, 16, 5000)),
        "bad_absurd_point_count": make(overrides={"POINT:USED": 30000}),
        "bad_negative_point_count": make(overrides={"POINT:USED": -5}),
        "bad_absurd_frame_count": make(overrides={"POINT:FRAMES": -2},
                                       header_patch=lambda h: struct.pack_into("<H", h, 8, 65535)),
        "bad_nan_scale": make(overrides={"POINT:SCALE": float("nan")}),
        "bad_zero_scale": make(overrides={"POINT:SCALE": 0.0}),
        "bad_nan_rate": make(overrides={"POINT:RATE": float("nan")}),
        "bad_parameter_dimensions_past_end": make(records_patch=lambda r: r.append(param(1, b"HUGE", "f", [255, 255, 255], []))),
        "bad_negative_record_link": make(link_override=(3, -40)),
        "bad_analog_count_not_multiple": make(channels=2, header_patch=lambda h: struct.pack_into("<h", h, 4, 3)),
        "bad_analog_rate_mismatch": make(header_patch=lambda h: struct.pack_into("<h", h, 4, 3)),
        "bad_header_event_count": make(header_patch=lambda h: struct.pack_into("<hh", h, 2 * 149, 12345, 50)),
    }
    # A parameter type byte of 7 (only -1, 1, 2, 4 exist): patch the first parameter's type.
    typed = bytearray(valid)
    first_param = BLOCK + 4
    first_param += 2 + typed[first_param] + 2 + 1 + typed[first_param + 2 + typed[first_param] + 2]  # skip POINT group
    first_param += 2 + typed[first_param] + 2 + 1 + typed[first_param + 2 + typed[first_param] + 2]  # skip ANALOG group
    typed[first_param + 2 + typed[first_param] + 2] = 7
    cases["bad_parameter_type"] = bytes(typed)
    for name, content in cases.items():
        with open(os.path.join(folder, name + ".c3d"), "wb") as f:
            f.write(content)
    print("wrote %d files to %s" % (len(cases), folder))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/c3d")
