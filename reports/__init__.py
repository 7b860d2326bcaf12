"""reports: structured essay content → Jinja2 template → one document tree → DOCX and PDF."""

__version__ = "0.1.0"
