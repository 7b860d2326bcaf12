"""Charts are their own stage: specs built from content, drawn by matplotlib, cached by content hash."""
