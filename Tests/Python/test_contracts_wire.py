"""Wire-format cross-checks of the generated Swift API against Python protobuf.

Two uses:
  * A command-line fixture that the Swift test ContractsTests.PythonCrossCheckTests
    drives:
      python3 test_contracts_wire.py write DIR   # Python encodes every case to DIR/<case>.python.bin
      python3 test_contracts_wire.py check DIR   # Python decodes what Swift wrote and compares
    Swift decodes each Python encoding, compares it with the same case built in
    Swift, re-encodes it (DIR/<case>.swift-reencoded.bin), encodes its own build
    (DIR/<case>.swift-built.bin), and for some cases re-encodes after decoding
    as FieldKindsSubset (DIR/<case>.subset-reencoded.bin, unknown fields kept).
  * pytest tests that the cases exercise what they claim on the wire (packed
    versus unpacked encodings, presence of zero wrappers, unknown enum values).

The cases are defined twice, here and in Tests/ContractsTests/FieldKindsCases.swift;
keep them in step.
"""
import math
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load_classes():
    """Imports field_kinds_pb2, generating it with grpcio-tools when it is not on the path."""
    try:
        from immigration.testing.v1 import field_kinds_pb2  # noqa: F401
        return field_kinds_pb2
    except ImportError:
        pass
    out = pathlib.Path(tempfile.mkdtemp(prefix="contracts-py-"))
    protos = ["immigration/testing/v1/field_kinds.proto", "immigration/common/v1/common.proto"]
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'Tests' / 'Protos'}", f"-I{ROOT / 'Protos'}",
         f"--python_out={out}", *protos],
        check=True,
    )
    sys.path.insert(0, str(out))
    from immigration.testing.v1 import field_kinds_pb2
    return field_kinds_pb2


fk = _load_classes()
from immigration.common.v1 import common_pb2  # noqa: E402
from google.protobuf import wrappers_pb2  # noqa: E402

VIETNAMESE = "Nguyễn Văn An — Đặng Thị Ánh, Hồ Chí Minh, Quảng Ngãi, Bà Rịa–Vũng Tàu"
I32_MIN, I32_MAX = -(2**31), 2**31 - 1
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
U32_MAX, U64_MAX = 2**32 - 1, 2**64 - 1
FLOAT_MAX = 3.4028234663852886e38


def nested(note, depth, level=0, leaf=None):
    message = fk.Nested(note=note, depth=depth, level=level)
    if leaf is not None:
        message.leaf.CopyFrom(fk.Nested.Leaf(label=leaf[0], data=leaf[1]))
    return message


def build_cases():
    """Every case by name, built with Python protobuf."""
    cases = {}

    cases["empty"] = fk.FieldKinds()

    cases["scalars_max"] = fk.FieldKinds(
        int32_value=I32_MAX, int64_value=I64_MAX, uint32_value=U32_MAX, uint64_value=U64_MAX,
        sint32_value=I32_MAX, sint64_value=I64_MAX, fixed32_value=U32_MAX, fixed64_value=U64_MAX,
        sfixed32_value=I32_MAX, sfixed64_value=I64_MAX, float_value=FLOAT_MAX,
        double_value=sys.float_info.max, bool_value=True, string_value=VIETNAMESE,
        bytes_value=bytes(range(256)), color=fk.COLOR_BLUE, level=fk.Nested.LEVEL_INNER,
    )

    cases["scalars_min"] = fk.FieldKinds(
        int32_value=I32_MIN, int64_value=I64_MIN, sint32_value=I32_MIN, sint64_value=I64_MIN,
        sfixed32_value=I32_MIN, sfixed64_value=I64_MIN, float_value=-FLOAT_MAX,
        double_value=5e-324, string_value="a", bytes_value=b"\x00", color=fk.COLOR_INFRARED,
    )

    cases["negative_small"] = fk.FieldKinds(
        int32_value=-1, int64_value=-1, sint32_value=-1, sint64_value=-2, sfixed32_value=-3,
        sfixed64_value=-4, float_value=-0.5, double_value=-1.25,
    )

    cases["infinities"] = fk.FieldKinds(float_value=math.inf, double_value=-math.inf,
                                        packed_double=[math.inf, -math.inf, 0.0])

    cases["nan"] = fk.FieldKinds(float_value=math.nan, double_value=math.nan)

    repeated = fk.FieldKinds(
        packed_int32=[0, -1, 1, I32_MIN, I32_MAX],
        packed_sint64=[I64_MIN, -1, 0, 1, I64_MAX],
        packed_double=[0.5, -2.25, 1e300],
        packed_bool=[True, False, True],
        packed_colors=[fk.COLOR_RED, fk.COLOR_INFRARED, fk.COLOR_BLUE],
        packed_fixed32=[0, 1, U32_MAX],
        packed_uint64=[0, U64_MAX],
        packed_float=[1.5, -0.0],
        unpacked_int32=[-7, 0, 7],
        unpacked_float=[0.25, -8.0],
        unpacked_colors=[fk.COLOR_GREEN, fk.COLOR_UNSPECIFIED],
        unpacked_bool=[False, True],
        unpacked_sfixed64=[I64_MIN, I64_MAX],
        strings=["", VIETNAMESE, "x"],
        blobs=[b"", b"\xff\x00\x01"],
        wrapped_strings=[wrappers_pb2.StringValue(value=""), wrappers_pb2.StringValue(value="Phạm")],
    )
    repeated.nested_list.append(nested("first", 1, fk.Nested.LEVEL_TOP, ("leaf", b"\x01")))
    repeated.nested_list.append(fk.Nested())
    repeated.instants.add(seconds=0, nanos=0)
    repeated.instants.add(seconds=-62135596800, nanos=0)
    repeated.instants.add(seconds=253402300799, nanos=999999999)
    cases["repeated"] = repeated

    maps = fk.FieldKinds()
    maps.labels[""] = "empty key"
    maps.labels["tên"] = VIETNAMESE
    maps.labels["z"] = ""
    maps.nested_by_id[-5].CopyFrom(nested("minus five", -5))
    maps.nested_by_id[0].CopyFrom(fk.Nested())
    maps.nested_by_id[I32_MAX].CopyFrom(nested("max", 3, fk.Nested.LEVEL_INNER, ("l", b"")))
    maps.names_by_number[I64_MIN] = "min"
    maps.names_by_number[42] = "forty-two"
    maps.counts_by_flag[True] = 1
    maps.counts_by_flag[False] = -1
    maps.blobs_by_id[0] = b""
    maps.blobs_by_id[U32_MAX] = bytes([9, 8, 7])
    maps.colors_by_name["red"] = fk.COLOR_RED
    maps.colors_by_name["infrared"] = fk.COLOR_INFRARED
    maps.weights[-1] = 0.5
    maps.weights[I64_MAX] = -1e-3
    maps.instants_by_name["epoch"].CopyFrom(maps.instants_by_name["epoch"])
    maps.instants_by_name["later"].seconds = 1700000000
    maps.instants_by_name["later"].nanos = 5
    cases["maps"] = maps

    cases["oneof_text"] = fk.FieldKinds(choice_text=VIETNAMESE)
    cases["oneof_text_empty"] = fk.FieldKinds(choice_text="")
    cases["oneof_number_zero"] = fk.FieldKinds(choice_number=0)
    cases["oneof_nested"] = fk.FieldKinds(choice_nested=nested("chosen", 2))
    cases["oneof_nested_default"] = fk.FieldKinds(choice_nested=fk.Nested())
    cases["oneof_bytes_empty"] = fk.FieldKinds(choice_bytes=b"")
    cases["oneof_color"] = fk.FieldKinds(choice_color=fk.COLOR_GREEN)
    wrapped_zero = fk.FieldKinds()
    wrapped_zero.choice_wrapped.value = 0
    cases["oneof_wrapped_zero"] = wrapped_zero

    zero = fk.FieldKinds(maybe_count=0)
    for name in ["wrapped_double", "wrapped_float", "wrapped_int64", "wrapped_uint64", "wrapped_int32",
                 "wrapped_uint32", "wrapped_bool", "wrapped_string", "wrapped_bytes"]:
        getattr(zero, name).SetInParent()
    cases["wrappers_zero"] = zero

    wrapped = fk.FieldKinds(maybe_count=-9)
    wrapped.wrapped_double.value = -2.5
    wrapped.wrapped_float.value = 0.125
    wrapped.wrapped_int64.value = I64_MIN
    wrapped.wrapped_uint64.value = U64_MAX
    wrapped.wrapped_int32.value = -1
    wrapped.wrapped_uint32.value = U32_MAX
    wrapped.wrapped_bool.value = True
    wrapped.wrapped_string.value = VIETNAMESE
    wrapped.wrapped_bytes.value = b"\x00\xff"
    cases["wrappers_set"] = wrapped

    unknown_enums = fk.FieldKinds(color=42, level=9, packed_colors=[1, 99, -5], unpacked_colors=[77],
                                  choice_color=1000)
    unknown_enums.colors_by_name["x"] = 123
    cases["unknown_enum_values"] = unknown_enums

    large = fk.FieldKinds(bytes_value=bytes(i % 251 for i in range(1 << 20)),
                          string_value=VIETNAMESE * 2000)
    cases["large"] = large

    times = fk.FieldKinds()
    times.instant.seconds = -1
    times.instant.nanos = 999999999
    times.elapsed.seconds = -1
    times.elapsed.nanos = -500000000
    cases["time"] = times

    people = fk.FieldKinds()
    people.name.CopyFrom(common_pb2.PersonName(family_name="Nguyễn", middle_name="Thị Minh", given_name="Khai"))
    people.nested.CopyFrom(nested("outer", 1, fk.Nested.LEVEL_TOP, ("lá", b"\x00\x00")))
    cases["nested"] = people

    tree = fk.FieldKinds()
    tree.tree.name = "root"
    tree.tree.child.name = "child"
    tree.tree.child.child.name = "grandchild"
    tree.tree.child.child.end = "leaf"
    tree.tree.children.add(name="a").next.name = "b"
    tree.tree.children.add(name="c")
    cases["recursive"] = tree
    return cases


# Cases that Swift also decodes as FieldKindsSubset and re-encodes (unknown fields kept).
SUBSET_CASES = ["scalars_max", "repeated", "maps", "wrappers_set", "recursive"]


def _same(expected, actual):
    return expected.SerializeToString(deterministic=True) == actual.SerializeToString(deterministic=True)


def write(directory):
    for name, message in build_cases().items():
        (directory / f"{name}.python.bin").write_bytes(message.SerializeToString())
    (directory / "cases.txt").write_text("\n".join(build_cases().keys()) + "\n")
    return 0


def check(directory):
    failures = []
    checked = 0
    for name, expected in build_cases().items():
        kinds = ["swift-reencoded", "swift-built"] + (["subset-reencoded"] if name in SUBSET_CASES else [])
        for kind in kinds:
            path = directory / f"{name}.{kind}.bin"
            if not path.exists():
                failures.append(f"{name}: Swift wrote no {path.name}")
                continue
            actual = fk.FieldKinds()
            try:
                actual.ParseFromString(path.read_bytes())
            except Exception as error:  # noqa: BLE001 - report every parse failure
                failures.append(f"{name}: Python cannot parse {path.name}: {error}")
                continue
            checked += 1
            if not _same(expected, actual):
                failures.append(f"{name}: {path.name} differs from Python's message\n"
                                f"expected:\n{str(expected)[:2000]}\nactual:\n{str(actual)[:2000]}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"checked {checked} Swift encodings")
    return 0


# ---- pytest: the cases exercise what they claim ----

def _tags(data):
    """(field number, wire type) of each top-level field in encoded bytes."""
    tags = []
    index = 0

    def varint():
        nonlocal index
        shift = value = 0
        while True:
            byte = data[index]
            index += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while index < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        tags.append((number, wire))
        if wire == 0:
            varint()
        elif wire == 1:
            index += 8
        elif wire == 2:
            length = varint()
            index += length
        elif wire == 5:
            index += 4
    return tags


def test_packed_fields_are_one_length_delimited_record_and_unpacked_ones_repeat():
    tags = _tags(build_cases()["repeated"].SerializeToString())
    assert tags.count((20, 2)) == 1 and (20, 0) not in tags
    assert tags.count((30, 0)) == 3 and (30, 2) not in tags
    assert tags.count((33, 0)) == 2
    assert tags.count((34, 1)) == 2


def test_zero_wrappers_and_zero_presence_oneof_are_on_the_wire():
    tags = {number for number, _ in _tags(build_cases()["wrappers_zero"].SerializeToString())}
    assert set(range(70, 79)) <= tags
    assert 66 in tags
    assert _tags(build_cases()["empty"].SerializeToString()) == []


def test_unknown_enum_values_survive_python_round_trip():
    case = build_cases()["unknown_enum_values"]
    decoded = fk.FieldKinds.FromString(case.SerializeToString())
    assert decoded.color == 42 and list(decoded.packed_colors) == [1, 99, -5]


def test_empty_oneof_members_are_present():
    for name, member in [("oneof_text_empty", "choice_text"), ("oneof_bytes_empty", "choice_bytes"),
                         ("oneof_number_zero", "choice_number"), ("oneof_wrapped_zero", "choice_wrapped")]:
        decoded = fk.FieldKinds.FromString(build_cases()[name].SerializeToString())
        assert decoded.WhichOneof("choice") == member, name


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        print("usage: test_contracts_wire.py write|check DIR", file=sys.stderr)
        sys.exit(2)
    target = pathlib.Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    sys.exit(write(target) if sys.argv[1] == "write" else check(target))
