"""The domain and the calendar import no framework: they must stay testable in milliseconds."""
import subprocess
import sys

import pytest

FORBIDDEN = ("flask", "prefect", "sqlalchemy", "flask_sqlalchemy", "apscheduler")


@pytest.mark.parametrize(
    "module",
    ["workflows.domain.errors", "workflows.domain.subjects", "workflows.domain.lists", "workflows.domain.roles",
     "workflows.domain.process", "workflows.domain.settings", "sla.calendar", "workflows.processes",
     "workflows.domain.supervision", "workflows.labels", "workflows.notices"],
)
def test_module_imports_no_framework(module):
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}); print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


@pytest.mark.parametrize("module", ["workflows.steps", "workflows.docs"])
def test_the_steps_and_the_process_documents_need_no_prefect(module):
    code = (f"import sys, importlib; m = importlib.import_module({module!r}); "
            "getattr(m, 'outputs', lambda: None)(); print('prefect' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
