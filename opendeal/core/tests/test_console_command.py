"""The `opendeal` console command takes hyphenated command names too."""

import subprocess
import sys

from opendeal.__main__ import command_line


def test_a_hyphenated_command_is_django_s_underscored_one():
    assert command_line(["opendeal", "move-database", "--to", "postgres://x/y-z"]) == [
        "opendeal",
        "move_database",
        "--to",
        "postgres://x/y-z",
    ]
    assert command_line(["opendeal", "--version"]) == ["opendeal", "--version"]
    assert command_line(["opendeal"]) == ["opendeal"]


def test_the_installed_command_runs_a_hyphenated_name():
    result = subprocess.run(
        [sys.executable, "-m", "opendeal", "import-postcodes", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "opendeal.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "ONSPD" in result.stdout
