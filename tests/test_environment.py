"""environment.yml (conda) must pin every direct dependency to exactly the version in requirements.lock."""

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sync_environment", ROOT / "scripts/sync_environment.py")
sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync)

DIRECT = sync.read_requirements_in((ROOT / "requirements.in").read_text())
LOCK = sync.read_lock((ROOT / "requirements.lock").read_text())
ENV_TEXT = (ROOT / "environment.yml").read_text()


def test_environment_yml_matches_lock():
    assert len(DIRECT) >= 20 and set(DIRECT) <= set(LOCK)
    assert sync.compare(DIRECT, LOCK, yaml.safe_load(ENV_TEXT)) == []


def test_environment_yml_is_up_to_date():
    assert ENV_TEXT == sync.render(DIRECT, LOCK), "run: python scripts/sync_environment.py"


def test_one_changed_pin_in_the_real_file_is_caught():
    old = f"pandas=={LOCK['pandas']}"
    assert old in ENV_TEXT
    env = yaml.safe_load(ENV_TEXT.replace(old, "pandas==0.0.1"))
    assert sync.compare(DIRECT, LOCK, env) == [
        f"pandas: environment.yml pins 0.0.1, lock has {LOCK['pandas']}"]


def test_read_lock():
    text = ("numpy==2.4.6 \\\n    --hash=sha256:ab \\\n    # via pandas\n"
            "PyYAML==6.0.4 ; python_version >= '3.8'\nrequests[socks]==2.34.2\n# x==1\n")
    assert sync.read_lock(text) == {"numpy": "2.4.6", "pyyaml": "6.0.4", "requests": "2.34.2"}


SMALL_LOCK = {"numpy": "2.4.6", "pyyaml": "6.0.4", "matplotlib": "3.11.2", "six": "1.17.0"}
SMALL_DIRECT = ["numpy", "pyyaml", "matplotlib"]
GOOD = ["python=3.11", "pip", "numpy==2.4.6", "PyYAML==6.0.4", "matplotlib-base==3.11.2"]


@pytest.mark.parametrize("deps, bad", [
    (GOOD, None),
    (GOOD + ["six==1.17.0", "nodejs", {"pip": ["-e ."]}], None),  # extra: right pin, or unpinned
    (GOOD[:2] + ["numpy==2.4.5"] + GOOD[3:], "numpy"),           # one pin differs
    (GOOD[:2] + ["numpy=2.4"] + GOOD[3:], "numpy"),              # conda fuzzy pin
    (GOOD[:2] + ["numpy"] + GOOD[3:], "numpy"),                  # unpinned direct dependency
    (GOOD[:3] + GOOD[4:], "pyyaml"),                             # missing
    (GOOD + ["six==1.16.0"], "six"),                             # extra pin the lock lacks
    (GOOD + ["torch==2.13.0"], "torch"),                         # not in the lock at all
])
def test_compare_synthetic(deps, bad):
    problems = sync.compare(SMALL_DIRECT, SMALL_LOCK, {"dependencies": deps})
    if bad is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(bad), problems


def test_render_round_trips():
    env = yaml.safe_load(sync.render(SMALL_DIRECT, SMALL_LOCK))
    assert env["name"] == "planeval" and env["channels"] == ["conda-forge"]
    assert sync.compare(SMALL_DIRECT, SMALL_LOCK, env) == []
