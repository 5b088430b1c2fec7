"""Rule data shipped with instrumap (importable as analyzer.rules so it travels in the wheel)."""
