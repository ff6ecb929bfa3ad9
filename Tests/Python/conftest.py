"""Shared fixtures of the Python interoperability tests.

SWIFT_BIN_PATH names the folder of the built Swift products; REPO_ROOT the
repository. Classes generated from Protos/ are on the path (see run.sh)."""
import os
import pathlib

import grpc
import pytest

# The generated grpc.testing package lives beside grpcio's own `grpc` package:
# extend that package's path rather than shadowing it.
_generated_grpc = pathlib.Path(__file__).parent / "generated" / "grpc"
if str(_generated_grpc) not in grpc.__path__:
    grpc.__path__.append(str(_generated_grpc))


@pytest.fixture(scope="session")
def swift_bin() -> pathlib.Path:
    return pathlib.Path(os.environ["SWIFT_BIN_PATH"])


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return pathlib.Path(os.environ["REPO_ROOT"])
