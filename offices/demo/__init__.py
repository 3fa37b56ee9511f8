"""Demo data for `manage.py seed_demo`: a Liaocheng-shaped city, deterministic and idempotent.

Data and generators (no database): places.py (regions), sectors.py (sectors, departments, which
county runs which studio), names.py (people), texts.py (petitions and their answers), replies.py
and duty_texts.py (what handlers and representatives write), scales.py (small and city).

Petitions: intake.py (who brings what, where), trail.py (which loop, which steps), record.py (the
petition's fields and its trail, by the workflow's and the SLA's own rules).

Phases, each one transaction: build_org, build_people, build_accounts, build_petitions,
build_activity, build_duties; builder.py runs them and counts the tables.
"""
