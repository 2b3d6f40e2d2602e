"""The adversarial suite (issue 9): one module per surface, each case a hostile input.

The helpers live in ``hostile.py`` beside this file; this puts the folder on
``sys.path`` so the modules can ``import hostile`` whatever pytest's import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
