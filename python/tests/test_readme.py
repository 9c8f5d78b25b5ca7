"""The README's ```python blocks run as programs, in order, in one fresh directory (the
second reads the file the first wrote), so the README cannot rot. Extracted from README.md
at test time the way cmake/readme_snippets.cmake extracts the ```cpp blocks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import reel

README = Path(os.environ.get("REEL_README", Path(__file__).resolve().parents[2] / "README.md"))


def python_blocks(text: str) -> list[str]:
    blocks = []
    fence = "```python\n"
    while (start := text.find(fence)) != -1:
        text = text[start + len(fence):]
        stop = text.find("```")
        assert stop != -1, "README.md: unterminated ```python block"
        blocks.append(text[:stop])
        text = text[stop:]
    return blocks


def test_readme_python_snippets_run(tmp_path):
    blocks = python_blocks(README.read_text())
    assert blocks, "README.md has no ```python snippet to test"
    # The snippets import the same reel package as this test.
    env = dict(os.environ, PYTHONPATH=str(Path(reel.__file__).resolve().parents[1]))
    for i, code in enumerate(blocks):
        script = tmp_path / f"snippet_{i}.py"
        script.write_text(code)
        result = subprocess.run([sys.executable, "-W", "error", str(script)], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"README python block {i} failed:\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "out.reel").stat().st_size > 0
