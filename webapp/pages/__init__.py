"""The HTML pages: one blueprint per area (cases, green channel, repair, removal, listings, administration,
supervision, reports, the public pages), each on the same services as the JSON API in webapp/api."""
