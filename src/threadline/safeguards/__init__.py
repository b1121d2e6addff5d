"""Safeguards enforced in the core: users, roles and case access; reviews; the export
gate (a confirming review, and four eyes for personal data); retention purges; the
oversight report. See docs/safeguards.md.
"""
