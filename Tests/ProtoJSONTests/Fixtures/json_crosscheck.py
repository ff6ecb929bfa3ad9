#!/usr/bin/env python3
"""Cross-checks the Swift ProtoJSON codec against Python's google.protobuf.json_format.

Driven by ProtoJSONTests/PythonCrossCheckTests.swift:

  json_crosscheck.py cases  REPO_ROOT WORKDIR
      Generates Python classes (grpc_tools.protoc) of Protos/immigration/**,
      Protos/grpc/testing/** and protojson_test.proto into WORKDIR/gen (the
      google.rpc and grpc.reflection classes come from googleapis-common-protos
      and grpcio-reflection), builds the test messages and prints one line per
      case, tab-separated:
        name, full type name, emit-defaults flag (0/1), wire bytes (hex),
        MessageToJson (base64 of UTF-8), MessageToJson with proto field names (base64).

  json_crosscheck.py verify REPO_ROOT WORKDIR RESULTS
      RESULTS holds one line per case: name, Swift's JSON (base64), Swift's wire
      bytes decoded from Python's JSON (hex), and from Python's JSON with proto
      field names (hex). Checks that Swift's JSON equals Python's once both are
      parsed, that Python reads Swift's JSON back to the same message, and that
      the wire bytes Swift decoded are the same message. Exits 1 on any mismatch.

Any missing tool or package is an error (exit 2), never a skip.
"""
import base64
import json
import math
import pathlib
import struct
import subprocess
import sys


def generate_classes(repo_root: pathlib.Path, workdir: pathlib.Path) -> None:
    gen = workdir / "gen"
    gen.mkdir(parents=True, exist_ok=True)
    protos_root = repo_root / "Protos"
    protos = sorted(str(p.relative_to(protos_root)) for sub in ("immigration", "grpc/testing")
                    for p in (protos_root / sub).rglob("*.proto"))
    fixtures = pathlib.Path(__file__).resolve().parent
    command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{protos_root}", f"-I{fixtures}",
               f"--python_out={gen}", *protos, "protojson_test.proto"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write("grpc_tools.protoc failed:\n" + result.stderr)
        sys.exit(2)
    sys.path.insert(0, str(gen))
    # The generated grpc.testing package sits beside grpcio's own `grpc` package.
    import grpc
    if str(gen / "grpc") not in grpc.__path__:
        grpc.__path__.append(str(gen / "grpc"))


def build_cases():
    """(name, message, emit_defaults) for every case."""
    from google.protobuf import any_pb2, duration_pb2, empty_pb2, timestamp_pb2, wrappers_pb2
    from google.rpc import error_details_pb2, status_pb2
    from grpc_reflection.v1alpha import reflection_pb2
    from grpc.testing import messages_pb2
    from immigration.common.v1 import common_pb2
    import protojson_test_pb2 as t

    def packed(message):
        holder = any_pb2.Any()
        holder.Pack(message)
        return holder

    cases = []

    def add(name, message, emit_defaults=False):
        cases.append((name, message, emit_defaults))

    add("person name with Vietnamese diacritics",
        common_pb2.PersonName(family_name="Nguyễn", middle_name="Thị Ánh", given_name="Hồng Ngọc"))
    add("person name with escapes",
        common_pb2.PersonName(family_name='quote" backslash\\ slash/ \b\f\n\r\t \x01\x1f\x7f',
                              middle_name="\u2028\u2029 </script> 😀 \ufeff", given_name="Đặng"))
    add("partial date at int32 extremes", common_pb2.PartialDate(year=-1, month=2147483647, day=-2147483648))
    add("calendar date", common_pb2.CalendarDate(year=2024, month=2, day=29))
    add("document reference with an unknown enum value",
        common_pb2.DocumentReference(kind=99, number="C1234567", issuing_state="VNM"))
    add("document reference with a known enum value",
        common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_LAISSEZ_PASSER, number="X"))
    for nanos in (0, 21_000_000, 21_000, 21, 999_999_999):
        add(f"provenance with {nanos} nanoseconds",
            common_pb2.Provenance(source=common_pb2.INFORMATION_SOURCE_PROVIDED, unit_code="A08", actor_id="officer-7",
                                  recorded_at=timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=nanos)))
    add("provenance before the epoch", common_pb2.Provenance(recorded_at=timestamp_pb2.Timestamp(seconds=-1, nanos=5)))
    add("provenance at the timestamp extremes, first",
        common_pb2.Provenance(recorded_at=timestamp_pb2.Timestamp(seconds=-62135596800)))
    add("provenance at the timestamp extremes, last",
        common_pb2.Provenance(recorded_at=timestamp_pb2.Timestamp(seconds=253402300799, nanos=999999999)))

    orca = messages_pb2.TestOrcaReport(cpu_utilization=0.25, memory_utilization=1e-300)
    orca.request_cost["db"] = 12.5
    orca.request_cost["cache"] = 0.0
    orca.utilization["gpu"] = 5e-324
    add("simple request with every field",
        messages_pb2.SimpleRequest(response_type=messages_pb2.COMPRESSABLE, response_size=314159,
                                   payload=messages_pb2.Payload(body=bytes(range(256))), fill_username=True,
                                   fill_oauth_scope=True, response_compressed=messages_pb2.BoolValue(value=True),
                                   response_status=messages_pb2.EchoStatus(code=-3, message="lỗi"),
                                   expect_compressed=messages_pb2.BoolValue(), fill_server_id=True,
                                   fill_grpclb_route_type=True, orca_per_query_report=orca))
    nonfinite = messages_pb2.TestOrcaReport(cpu_utilization=math.nan, memory_utilization=-math.inf)
    nonfinite.request_cost["up"] = math.inf
    nonfinite.request_cost["tiny"] = 0.1
    add("orca report with NaN and infinities", nonfinite)
    add("simple response", messages_pb2.SimpleResponse(username="u", grpclb_route_type=2, hostname="h"))
    add("streaming output call request",
        messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=1, interval_us=-1),
                                 messages_pb2.ResponseParameters(compressed=messages_pb2.BoolValue(value=False)),
                                 messages_pb2.ResponseParameters()],
            payload=messages_pb2.Payload(body=b"\x00")))

    bad_request = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="person.dateOfBirth.month", description="must be 1 to 12"),
        error_details_pb2.BadRequest.FieldViolation(field="documents[0].number", description="bắt buộc"),
        error_details_pb2.BadRequest.FieldViolation()])
    add("bad request with nested repeated messages", bad_request)
    info = error_details_pb2.ErrorInfo(reason="EXIT_BAN_ACTIVE", domain="immigration.example")
    info.metadata["banId"] = "b-1"
    info.metadata[""] = "empty key"
    add("error info with a map", info)
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=30, nanos=1000))
    add("retry info with a duration", retry)
    add("retry info with a negative duration",
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=-1, nanos=-500_000_000)))
    add("debug info", error_details_pb2.DebugInfo(stack_entries=["a", "b"], detail="d"))
    add("status with details",
        status_pb2.Status(code=3, message="bad request", details=[packed(bad_request), packed(info), packed(retry)]))

    add("reflection request for a symbol",
        reflection_pb2.ServerReflectionRequest(host="localhost", file_containing_symbol="grpc.health.v1.Health"))
    add("reflection request listing services with an empty string",
        reflection_pb2.ServerReflectionRequest(list_services=""))
    add("reflection request for an extension",
        reflection_pb2.ServerReflectionRequest(file_containing_extension=reflection_pb2.ExtensionRequest(
            containing_type="x.Y", extension_number=5)))
    add("reflection response with services",
        reflection_pb2.ServerReflectionResponse(
            valid_host="h", original_request=reflection_pb2.ServerReflectionRequest(list_services="*"),
            list_services_response=reflection_pb2.ListServiceResponse(service=[
                reflection_pb2.ServiceResponse(name="grpc.health.v1.Health"), reflection_pb2.ServiceResponse()])))
    add("reflection response with file descriptors",
        reflection_pb2.ServerReflectionResponse(file_descriptor_response=reflection_pb2.FileDescriptorResponse(
            file_descriptor_proto=[b"\x0a\x03abc", b""])))
    add("reflection response with an error",
        reflection_pb2.ServerReflectionResponse(error_response=reflection_pb2.ErrorResponse(error_code=5,
                                                                                            error_message="not found")))

    add("scalars at their maxima",
        t.Scalars(f_int32=2**31 - 1, f_int64=2**63 - 1, f_uint32=2**32 - 1, f_uint64=2**64 - 1, f_sint32=2**31 - 1,
                  f_sint64=2**63 - 1, f_fixed32=2**32 - 1, f_fixed64=2**64 - 1, f_sfixed32=2**31 - 1,
                  f_sfixed64=2**63 - 1, f_float=3.4028234663852886e38, f_double=1.7976931348623157e308, f_bool=True,
                  f_string="Sài Gòn", f_bytes=b"\xff\xfe", f_enum=t.COLOUR_GREEN))
    add("scalars at their minima",
        t.Scalars(f_int32=-2**31, f_int64=-2**63, f_uint32=1, f_uint64=1, f_sint32=-2**31, f_sint64=-2**63,
                  f_fixed32=1, f_fixed64=1, f_sfixed32=-2**31, f_sfixed64=-2**63, f_float=1.401298464324817e-45,
                  f_double=5e-324, f_enum=-5))
    add("scalars with NaN", t.Scalars(f_float=math.nan, f_double=math.nan))
    add("scalars with infinities", t.Scalars(f_float=-math.inf, f_double=math.inf))
    add("scalars with fractions", t.Scalars(f_float=0.1, f_double=0.1, f_int64=9007199254740993))
    add("scalars with large and small doubles", t.Scalars(f_float=1e-7, f_double=1.2345678901234567e-300))
    add("scalars all defaults, emitted", t.Scalars(), True)
    add("lists of every kind",
        t.Lists(packed_int32=[1, -1, 2**31 - 1], packed_sint64=[-2**63, 2**63 - 1], unpacked_int64=[0, -1],
                doubles=[0.5, math.inf, -0.25, 0.0], bools=[True, False], strings=["Hà Nội", "", '"'],
                blobs=[b"", b"\x00", b"\xfb\xff"], colours=[1, 99, 0], messages=[t.Scalars(f_int32=1), t.Scalars()],
                fixed=[2**64 - 1], floats=[1.5, -math.inf], unpacked_uint32=[2**32 - 1, 0]))
    add("lists empty, emitted", t.Lists(), True)
    maps = t.Maps()
    maps.string_to_string["họ"] = "Trần"
    maps.string_to_string[""] = "empty key"
    maps.int32_to_message[-1].f_bool = True
    maps.int32_to_message[0].CopyFrom(t.Scalars())
    maps.int64_to_enum[-2**63] = t.COLOUR_GREEN
    maps.int64_to_enum[1] = 42
    maps.uint32_to_bytes[2**32 - 1] = b"\xff"
    maps.bool_to_double[True] = 1.5
    maps.bool_to_double[False] = math.nan
    maps.sint64_to_timestamp[7].CopyFrom(timestamp_pb2.Timestamp(seconds=1709208000))
    maps.sint64_to_timestamp[-7].CopyFrom(timestamp_pb2.Timestamp())
    maps.fixed32_to_int64[3] = -3
    maps.string_to_wrapper["a"].CopyFrom(wrappers_pb2.Int32Value(value=0))
    maps.string_to_wrapper["b"].CopyFrom(wrappers_pb2.Int32Value(value=-1))
    maps.uint64_to_string[2**64 - 1] = "max"
    add("maps of every key type", maps)
    add("maps empty, emitted", t.Maps(), True)
    add("oneof with an empty string", t.Choice(text=""))
    add("oneof with a zero number", t.Choice(label="l", number=0))
    add("oneof with an empty message", t.Choice(scalars=t.Scalars()))
    add("oneof with the zero enum value", t.Choice(colour=0))
    add("oneof with a timestamp", t.Choice(at=timestamp_pb2.Timestamp()))
    add("oneof with empty bytes", t.Choice(blob=b""))
    add("oneof unset, emitted", t.Choice(), True)
    add("wrappers holding values",
        t.WellKnown(at=timestamp_pb2.Timestamp(seconds=1, nanos=1000), took=duration_pb2.Duration(seconds=1, nanos=500000000),
                    int32_value=wrappers_pb2.Int32Value(value=-1), int64_value=wrappers_pb2.Int64Value(value=-2**63),
                    uint32_value=wrappers_pb2.UInt32Value(value=2**32 - 1),
                    uint64_value=wrappers_pb2.UInt64Value(value=2**64 - 1),
                    float_value=wrappers_pb2.FloatValue(value=math.inf),
                    double_value=wrappers_pb2.DoubleValue(value=-0.5), bool_value=wrappers_pb2.BoolValue(value=True),
                    string_value=wrappers_pb2.StringValue(value="Huế"),
                    bytes_value=wrappers_pb2.BytesValue(value=b"\x01\x02\x03\x04"), nothing=empty_pb2.Empty()))
    add("wrappers holding zero",
        t.WellKnown(int32_value=wrappers_pb2.Int32Value(), int64_value=wrappers_pb2.Int64Value(),
                    uint32_value=wrappers_pb2.UInt32Value(), uint64_value=wrappers_pb2.UInt64Value(),
                    float_value=wrappers_pb2.FloatValue(), double_value=wrappers_pb2.DoubleValue(),
                    bool_value=wrappers_pb2.BoolValue(), string_value=wrappers_pb2.StringValue(),
                    bytes_value=wrappers_pb2.BytesValue(), took=duration_pb2.Duration(), at=timestamp_pb2.Timestamp()))
    add("any holding messages and well-known types",
        t.WellKnown(anything=packed(t.Scalars(f_int64=-1, f_string="Hội An")),
                    many=[packed(timestamp_pb2.Timestamp(seconds=1704067200)), packed(duration_pb2.Duration(seconds=1)),
                          packed(wrappers_pb2.Int64Value(value=5)), packed(packed(empty_pb2.Empty())),
                          packed(empty_pb2.Empty()), packed(bad_request)],
                    times=[timestamp_pb2.Timestamp(), timestamp_pb2.Timestamp(seconds=86400)],
                    durations=[duration_pb2.Duration(nanos=-1), duration_pb2.Duration(seconds=315576000000)]))
    add("names by protoc's rule", t.Names(snake_case_name=1, with_2_digits=2, alreadyCamel=3, a_b_c=4, trailing_=5, x=6))
    add("names, emitted", t.Names(), True)
    add("tree", t.Tree(name="root", children=[t.Tree(name="a", only_child=t.Tree(name="b")), t.Tree()],
                       only_child=t.Tree(children=[t.Tree(name="c")])))
    add("person name all defaults, emitted", common_pb2.PersonName(), True)
    return cases


def to_json(message, emit_defaults, proto_names=False):
    from google.protobuf import json_format
    return json_format.MessageToJson(message, always_print_fields_with_no_presence=emit_defaults,
                                     preserving_proto_field_name=proto_names, indent=None)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def command_cases(repo_root, workdir):
    generate_classes(repo_root, workdir)
    for name, message, emit_defaults in build_cases():
        print("\t".join([name, message.DESCRIPTOR.full_name, "1" if emit_defaults else "0",
                         message.SerializeToString(deterministic=True).hex(),
                         b64(to_json(message, emit_defaults)), b64(to_json(message, emit_defaults, True))]))


def normalise(value, as_float32=False):
    """JSON value with floats made comparable (NaN equals NaN; -0.0 equals 0.0).

    With as_float32, every float is rounded to single precision: Python writes
    float fields with up to 9 significant digits ("1.4013e-45") where Swift
    writes the shortest text that reads back as the same float ("1e-45"). The
    strict check that Python reads Swift's JSON back to the same message still
    catches any real difference."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if as_float32 and math.isfinite(value) and abs(value) <= 3.5e38:
            return struct.unpack("<f", struct.pack("<f", value))[0] + 0.0
        return value + 0.0
    if isinstance(value, list):
        return [normalise(v, as_float32) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v, as_float32) for k, v in value.items()}
    return value


def python_reads_its_own_json(message, emit_defaults):
    """Python's json_format rejects some of its own output (float fields at the
    float maximum: "Float value too large"); such cases skip the re-read check."""
    from google.protobuf import json_format
    try:
        json_format.Parse(to_json(message, emit_defaults), type(message)())
        return True
    except json_format.ParseError:
        return False


def command_verify(repo_root, workdir, results_path):
    generate_classes(repo_root, workdir)
    from google.protobuf import json_format
    cases = {name: (message, emit) for name, message, emit in build_cases()}
    failures = []
    seen = 0
    for line in pathlib.Path(results_path).read_text(encoding="utf-8").splitlines():
        name, swift_json_b64, wire_camel_hex, wire_proto_hex = line.split("\t")
        message, emit_defaults = cases[name]
        seen += 1
        expected = normalise(json.loads(to_json(message, emit_defaults)))
        swift_json = base64.b64decode(swift_json_b64).decode("utf-8")
        try:
            actual = normalise(json.loads(swift_json))
        except ValueError as error:
            failures.append(f"{name}: Swift's JSON does not parse: {error}: {swift_json}")
            continue
        if actual != expected and normalise(json.loads(swift_json), True) != normalise(
                json.loads(to_json(message, emit_defaults)), True):
            failures.append(f"{name}: JSON differs\n  swift:  {json.dumps(actual, ensure_ascii=False)}\n"
                            f"  python: {json.dumps(expected, ensure_ascii=False)}")
        # Python reads Swift's JSON back to the same message.
        if not python_reads_its_own_json(message, emit_defaults):
            print(f"{name}: Python rejects its own JSON; re-read check not applicable")
        else:
          try:
            reread = json_format.Parse(swift_json, type(message)())
            # Compared as JSON, exactly: bytes would differ with the order of map
            # entries inside Any values, which Python serialises in hash order.
            if normalise(json.loads(to_json(reread, emit_defaults))) != expected:
                failures.append(f"{name}: Python reads Swift's JSON as a different message")
          except json_format.ParseError as error:
            failures.append(f"{name}: Python rejects Swift's JSON: {error}")
        # Swift decoded Python's JSON (both spellings) to the same message.
        for label, wire_hex in (("camelCase", wire_camel_hex), ("proto names", wire_proto_hex)):
            decoded = type(message)()
            try:
                decoded.ParseFromString(bytes.fromhex(wire_hex))
            except Exception as error:  # noqa: BLE001 - any parse failure is a test failure
                failures.append(f"{name}: wire bytes Swift decoded from {label} JSON do not parse: {error}")
                continue
            if normalise(json.loads(to_json(decoded, emit_defaults))) != expected:
                failures.append(f"{name}: Swift decoded Python's {label} JSON to a different message: "
                                f"{to_json(decoded, emit_defaults)}")
    if seen != len(cases):
        failures.append(f"Swift returned {seen} results for {len(cases)} cases")
    for failure in failures:
        print(failure)
    print(f"{seen} cases checked, {len(failures)} failures")
    sys.exit(1 if failures else 0)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    command, repo_root, workdir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    try:
        import google.protobuf.json_format  # noqa: F401
        import grpc_tools.protoc  # noqa: F401
        import google.rpc.status_pb2  # noqa: F401
        import grpc_reflection.v1alpha.reflection_pb2  # noqa: F401
    except ImportError as error:
        sys.stderr.write(f"missing Python package: {error} (pip install protobuf grpcio-tools "
                         "googleapis-common-protos grpcio-reflection)\n")
        sys.exit(2)
    if command == "cases":
        command_cases(repo_root, workdir)
    elif command == "verify":
        command_verify(repo_root, workdir, sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
