//! Tests of the HubSpot sandbox over real HTTP: each test starts its own
//! sandbox on 127.0.0.1 port 0 and talks to it with reqwest.

mod associations;
mod control;
mod crm;
mod helpers;
mod limits;
mod meetings;
mod oauth;
mod portals;
mod scheduler;
mod search;
