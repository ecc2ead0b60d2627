"""The pull feed for EPJs that fetch approved notes (FHIR DocumentReference/Composition),
their acknowledgements, and paste-ready text with per-tenant templates."""
