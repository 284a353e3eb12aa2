"""Execute every notebook here headlessly (CI); fail on the first error."""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

here = Path(__file__).resolve().parent
passed = failed = 0
for path in sorted(here.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
        passed += 1
        print(f"executed {path.name}: {len(nb.cells)} cells")
    except Exception as e:  # report every notebook, then fail
        failed += 1
        print(f"FAILED {path.name}: {e}", file=sys.stderr)
print(f"notebooks: {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
