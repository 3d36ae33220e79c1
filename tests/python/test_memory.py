# SPDX-License-Identifier: LGPL-2.1-or-later
"""write_video never copies the whole video: peak memory on an 830 MB array."""

import json
import os
import subprocess
import sys

from conftest import video_stream

LIMIT_MIB = 250

# Run in a fresh interpreter so that the peak (ru_maxrss) is this write's alone.
SCRIPT = r"""
import json, resource, sys
import numpy as np
import vidwrite

frames, height, width = 900, 480, 640       # 829 MB of RGB
video = np.empty((frames, height, width, 3), np.uint8)
ramp = np.arange(width, dtype=np.uint8)[None, :, None]
for t in range(frames):
    video[t] = ramp + np.uint8(t % 256)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# torchvision's call as users make it: libx264 at its defaults (preset medium), whose lookahead
# is part of what the write adds.
vidwrite.write_video(sys.argv[1], video, 30)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"array_mib": video.nbytes / 2**20, "increase_mib": (after - before) / 1024}))
"""


def test_peak_memory_of_a_large_write(tmp_path):
    path = tmp_path / "large.mp4"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True,
                         capture_output=True, text=True, env=os.environ).stdout
    result = json.loads(out)
    print(result)
    assert result["array_mib"] > 790
    assert result["increase_mib"] < LIMIT_MIB
    assert int(video_stream(path)["nb_read_frames"]) == 900
