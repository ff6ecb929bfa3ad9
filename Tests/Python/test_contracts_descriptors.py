"""The file descriptors embedded in the generated Swift API (served by server
reflection) equal those an independent protoc, grpcio-tools', makes of the same
Protos/: same files, same messages, fields, enums, services, options."""
import base64
import pathlib
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATED = ROOT / "Shared" / "Contracts" / "Generated" / "ContractDescriptors+Generated.swift"


def embedded_descriptors():
    text = GENERATED.read_text(encoding="utf-8")
    pairs = re.findall(r'name: "([^"]+)",.*?serializedDescriptorBase64: "([^"]*)"', text, re.S)
    assert pairs, f"no descriptors found in {GENERATED}"
    return {name: descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(data)) for name, data in pairs}


def reference_descriptors():
    protos = sorted(str(path.relative_to(ROOT / "Protos")) for path in (ROOT / "Protos").rglob("*.proto"))
    with tempfile.TemporaryDirectory() as directory:
        out = pathlib.Path(directory) / "set.desc"
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'Protos'}", "--include_imports",
                        f"--descriptor_set_out={out}", *protos], check=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    return {file.name: file for file in files}


def test_embedded_descriptors_cover_every_proto_and_import():
    assert sorted(embedded_descriptors()) == sorted(reference_descriptors())


def test_embedded_descriptors_equal_grpcio_tools_descriptors():
    embedded = embedded_descriptors()
    for name, reference in reference_descriptors().items():
        assert embedded[name] == reference, f"{name} differs from grpcio-tools' descriptor"


def test_embedded_descriptors_carry_no_source_info():
    for name, descriptor in embedded_descriptors().items():
        assert not descriptor.HasField("source_code_info"), name
