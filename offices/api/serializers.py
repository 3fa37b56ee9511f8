"""Public fields of sectors, regions and studios: what a studio's public page shows."""
from rest_framework import serializers

from ..models import Region, Sector, Studio


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name", "name_en", "description"]


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent", "path"]


class StudioSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    host_department = serializers.CharField(source="host_department.name", read_only=True, allow_null=True,
                                            default=None)
    lead = serializers.CharField(source="lead.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Studio
        fields = ["id", "code", "name", "kind", "level", "sector", "sectors", "region", "host_department", "lead",
                  "address", "phone", "opening_hours", "description"]
