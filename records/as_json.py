"""The register extract as JSON: the selector's dict as it is, in UTF-8, for a machine to
read (GDPR art. 20's "commonly used and machine-readable format" as well)."""

import json
from collections.abc import Mapping
from typing import Any


def render_json(extract: Mapping[str, Any]) -> bytes:
    return json.dumps(extract, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
