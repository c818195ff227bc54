"""Settings for the whole suite."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# The suite keeps its own cache of loaded projects (regkit.projectcache), never the user's; every
# test loads through it, so what a cached project gives is what the suite checks.
_CACHE = tempfile.mkdtemp(prefix="regkit-test-cache-")
os.environ["REGKIT_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
