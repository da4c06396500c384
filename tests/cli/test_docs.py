"""The README documents every reason code with its Thai note (regenerate with `make docs`)."""

from pathlib import Path

from sheets_sync.core.reasons import REASONS, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_reason_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert markdown_table() in text, "README reason table is stale: run `make docs`"
    for code, reason in REASONS.items():
        assert f"| `{code}` | `{reason.status.value}` | {reason.note_th} |" in text
