//! The meetings catalogue: meeting links and availability behind moka caches.

pub mod slots;
