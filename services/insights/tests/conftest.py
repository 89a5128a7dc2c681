"""Insights test helpers live beside the tests (insights_events, insights_oracle,
insights_memory_view); importlib import mode needs their folder on sys.path."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
