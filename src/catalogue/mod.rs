//! The meetings catalogue: meeting links and availability behind moka caches.
