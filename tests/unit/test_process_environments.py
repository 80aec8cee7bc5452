"""Execution environments in processes of their own: memory per invocation, errors under the
handler's exception class name, a killed process at the timeout."""
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from infra.catalog import Function, Grants
from infra.local import environments
from infra.local.runtime import Functions, FunctionTimedOut


@dataclass(frozen=True)
class Sleepy(Function):
    """A function whose handler is ``tests/unit/fixtures/sleepy/handler.py``."""

    @property
    def folder(self) -> Path:
        return Path(__file__).parent / "fixtures" / "sleepy"


@pytest.fixture
def functions():
    fn = Sleepy("sleepy", env=(), grants=Grants(), timeout=2)
    return Functions({}, {"sleepy": fn}, environments.loader({"sleepy"}))


def test_each_invocation_reports_its_own_peak_memory(functions):
    small = functions.invoke("sleepy", {})
    base = functions.max_memory_mb["sleepy"]
    big = functions.invoke("sleepy", {"mb": 96})
    assert big["pid"] == small["pid"] != os.getpid()  # one environment, a process of its own, reused
    peak = functions.max_memory_mb["sleepy"]
    assert peak >= base + 90  # the 96 MiB it held count in its peak
    functions.invoke("sleepy", {})
    env = functions._idle["sleepy"][0]
    assert env.last_peak_mb < peak - 60  # the high-water mark is reset for every invocation
    assert functions.stats()["sleepy"]["max_memory_used_mb"] == round(peak, 1)


def test_a_function_error_keeps_its_class_name_and_the_environment(functions):
    payload, is_error = functions.invoke_by_name("payrail-sleepy", {"raise": "boom"})
    assert is_error and json.loads(payload)["errorType"] == "KeyError"
    assert functions.invoke("sleepy", {})["remaining_ms"] > 1000  # the context's deadline travels
    assert functions.stats()["sleepy"]["environments"] == 1


def test_a_timed_out_environment_is_killed_and_replaced(functions):
    pid = functions.invoke("sleepy", {})["pid"]
    with pytest.raises(FunctionTimedOut):
        functions.invoke("sleepy", {"sleep": 10})
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert functions.invoke("sleepy", {})["pid"] != pid
    assert functions.stats()["sleepy"]["environments"] == 2
