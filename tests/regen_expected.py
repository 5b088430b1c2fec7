"""Regenerate fixtures/<name>/expected.json from what instrumap reports now.

    python tests/regen_expected.py            # every fixture
    python tests/regen_expected.py js-track-basic

Review the diff before committing: the expected files are the contract the tests hold.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixturelib import fixture_names, scan_fixture, write_expected


def main(names: list[str]) -> None:
    for name in names or fixture_names():
        result = scan_fixture(name)
        write_expected(name, result)
        print(f"{name}: {len(result.findings)} findings, {len(result.declarations)} declarations, "
              f"{len(result.diagnostics)} diagnostics")


if __name__ == "__main__":
    main(sys.argv[1:])
