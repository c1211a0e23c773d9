//! Domain types parsed at the edge: emails, domains, site keys, time zones.
