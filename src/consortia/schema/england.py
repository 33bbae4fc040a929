"""England's clinical commissioning groups as the NHS Commissioning Board authorised them:
their number and the spread of their populations (ONS mid-2012 CCG population estimates,
http://ons.gov.uk/ons/rel/sape/health-geography-population-estimates/mid-2012/; domain §5.3).
The synthetic England preset is drawn to these and the configuration check measures against
them."""

from __future__ import annotations

CCGS = 211
MEDIAN_POPULATION = 221_000
SMALLEST_POPULATION = 63_100  # NHS Corby
SMALLEST_NAME = "NHS Corby"
LARGEST_POPULATION = 869_400  # NHS North, East, West Devon
SOURCE = "ONS mid-2012 CCG population estimates"
