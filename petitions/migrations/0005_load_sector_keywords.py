"""Load the shipped routing dictionary into databases whose sectors already exist.

On a fresh database there are no sectors yet and this does nothing: seed_demo (or
`manage.py load_sector_keywords`) loads it once the sectors are there. Never overwrites an edited term.
"""
from django.db import migrations


def forwards(apps, schema_editor):
    from petitions.keywords import SHIPPED_FILE, parse_keywords_file

    Sector = apps.get_model("offices", "Sector")
    SectorKeyword = apps.get_model("petitions", "SectorKeyword")
    sectors = dict(Sector.objects.values_list("code", "id"))
    if not sectors:
        return
    existing = set(SectorKeyword.objects.values_list("sector_id", "term"))
    rows = []
    for codes, term, weight in parse_keywords_file(SHIPPED_FILE):
        sector_id = next((sectors[c] for c in codes if c in sectors), None)
        if sector_id is not None and (sector_id, term) not in existing:
            existing.add((sector_id, term))
            rows.append(SectorKeyword(sector_id=sector_id, term=term, weight=weight))
    SectorKeyword.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_routing_consultations_hotline"), ("offices", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
