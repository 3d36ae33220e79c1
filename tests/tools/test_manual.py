# The manual page meson built from tools/vidwrite.1.scd: it describes every option the command
# has, carries the project's version, and is troff that man can read.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import subprocess

VIDWRITE = os.environ["VIDWRITE"]
MAN = os.environ["VIDWRITE_MAN"]
VERSION = os.environ["VIDWRITE_VERSION"]


def page():
    with open(MAN, encoding="utf-8") as f:
        return f.read()


def test_every_option_of_help_is_described():
    help_text = subprocess.run([VIDWRITE, "--help"], capture_output=True, text=True,
                               check=True).stdout
    options = re.findall(r"^  (?:-\w, )?(--[a-z0-9-]+)", help_text, re.M)
    assert "--input" in options and "--list-codecs" in options
    described = set(re.findall(r"^(?:\\fB-\w\\fR, )?\\fB(--[a-z0-9-]+)\\fR", page(), re.M))
    assert set(options) == described


def test_header_names_the_version():
    header = next(line for line in page().splitlines() if line.startswith(".TH "))
    assert header.startswith('.TH "vidwrite" "1" ')
    assert f'"vidwrite {VERSION}"' in header
    out = subprocess.run([VIDWRITE, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == f"vidwrite {VERSION}\n"


def test_names_every_container_and_section():
    # scdoc drops the dot of a source line that begins with ".mkv": the list would lose it.
    listing = subprocess.run([VIDWRITE, "--list-codecs"], capture_output=True, text=True,
                             check=True).stdout
    containers = re.search(r"^Containers.*?:((?: \.\w+)+)$", listing, re.M).group(1).split()
    assert ".mp4" in containers and ".webm" in containers
    text = page()
    missing = [c for c in containers if not re.search(r"(?<![\w&])\.\\&" + c[1:] + r"\b", text)]
    assert missing == []
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES"):
        assert f"\n.SH {section}\n" in text
