"""The web: the commissioning pack and the governance record served to people by role, with
an API for other systems (`consortia serve`). Pages show what the analyses and the record
already hold; nothing is computed here."""
