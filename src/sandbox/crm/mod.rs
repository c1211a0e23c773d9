//! CRM records (contacts, companies, notes, meetings): the property catalogue, value
//! validation, single and batch writes, reads and search.

mod batch;
mod object_type;
mod options;
mod properties;
mod records;
mod render;
mod search;
mod store;
mod validate;
mod writes;

use actix_web::web;

pub(crate) use object_type::ObjectType;
pub(crate) use store::{CrmStore, Properties};
pub(crate) use validate::is_valid_email;
pub(crate) use writes::{WriteClock, create_or_update_contact_by_email, schedule_auto_company};

/// Path prefixes of the record endpoints, numbered and dated.
const OBJECT_PREFIXES: &[&str] = &["/crm/v3/objects", "/crm/objects/2026-03"];
/// Path prefixes of the property endpoints, numbered and dated.
const PROPERTY_PREFIXES: &[&str] = &["/crm/v3/properties", "/crm/properties/2026-03"];

/// Registers the record and property routes. Each object type gets literal
/// paths, so route templates (and the statistics keys built from them)
/// name the object, for example `POST /crm/v3/objects/contacts/search`.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    for prefix in PROPERTY_PREFIXES {
        config
            .route(
                &format!("{prefix}/{{objectType}}"),
                web::get().to(properties::list_properties),
            )
            .route(
                &format!("{prefix}/{{objectType}}/{{propertyName}}"),
                web::get().to(properties::get_property),
            );
    }
    for prefix in OBJECT_PREFIXES {
        for object in ObjectType::ALL {
            config.service(object_scope(prefix, object));
        }
    }
}

fn object_scope(prefix: &str, object: ObjectType) -> actix_web::Scope {
    let id_path = format!("/{{{}}}", object.id_parameter());
    web::scope(&format!("{prefix}/{}", object.path_name()))
        .app_data(web::Data::new(object))
        .route("", web::post().to(records::create_record))
        .route("", web::get().to(records::list_records))
        .route("/search", web::post().to(search::search_records))
        .route("/batch/read", web::post().to(batch::batch_read))
        .route("/batch/create", web::post().to(batch::batch_create))
        .route("/batch/update", web::post().to(batch::batch_update))
        .route("/batch/upsert", web::post().to(batch::batch_upsert))
        .route("/batch/archive", web::post().to(batch::batch_archive))
        .route(&id_path, web::get().to(records::get_record))
        .route(&id_path, web::patch().to(records::update_record))
        .route(&id_path, web::delete().to(records::archive_record))
}
