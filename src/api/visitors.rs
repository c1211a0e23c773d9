//! `POST /api/v1/visitors`, `GET /api/v1/visitors` and
//! `GET /api/v1/visitors/{id}`: identified visitors of one workspace.

use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::auth::AdminWorkspace;
use super::visitor_view::VisitorView;
use crate::domain::{FieldError, VisitorRequest};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::storage::visitors::{SaveVisitorError, VisitorCursor, VisitorFilter, push_status};

/// Largest page of `GET /api/v1/visitors`.
const MAX_PAGE_SIZE: i64 = 200;
const DEFAULT_PAGE_SIZE: i64 = 50;
/// Pages listed in `GET /api/v1/visitors/{id}`, newest first.
const PAGES_SHOWN: i64 = 100;

/// `POST /api/v1/visitors`: 201 with the new visitor's id, or 200 when the
/// visitor with the same email or external id was updated. With
/// `anonymous_id`, the widget visitor with that id is linked to the person
/// first, so its page views join the person's.
pub async fn create_visitor(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let request: VisitorRequest = parse_body(body.into_inner())?;
    let input = request.validate()?;
    let now_ms = state.clock.now_ms();
    let saved = match &input.anonymous_id {
        Some(anonymous_id) => {
            let linked = state
                .db
                .identify_anonymous_visitor(&workspace.id, anonymous_id, &input, now_ms)
                .await
                .map_err(save_error)?;
            linked.visitor
        }
        None => state.db.save_visitor(&workspace.id, &input, now_ms).await.map_err(save_error)?,
    };
    tracing::info!(
        workspace_id = %workspace.id,
        visitor_id = %saved.id,
        created = saved.created,
        "visitor {} saved",
        saved.id
    );
    let trigger = if saved.created { "visitor_created" } else { "visitor_updated" };
    run_workflows(&state, &workspace.id, &saved.id, trigger).await;
    let body = serde_json::json!({
        "id": saved.id,
        "created": saved.created,
        "data_version": saved.data_version,
    });
    Ok(if saved.created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Evaluates the workspace's workflows for a stored visitor event. A
/// failure is logged and not returned, because the event itself is stored
/// and the next event evaluates the workflows again.
pub async fn run_workflows(state: &AppState, workspace_id: &str, visitor_id: &str, trigger: &str) {
    if let Err(error) = crate::workflows::evaluate_visitor(state, workspace_id, visitor_id, trigger).await {
        tracing::error!(
            workspace_id,
            visitor_id,
            trigger,
            error = ?error,
            "failed to evaluate workflows for visitor {visitor_id}"
        );
    }
}

/// Deserializes a JSON body so that a type error or an unknown field names
/// its path (`company.employees`), not just `body`.
pub fn parse_body<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        // For an unknown field the path already ends with the field's name.
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        FieldError::new(field, inner)
    })
}

fn save_error(error: SaveVisitorError) -> ApiError {
    match error {
        SaveVisitorError::IdentifierConflict { .. } => ApiError::Conflict {
            code: "identifier_conflict",
            message: format!("{error}: send the email and external_id of one visitor"),
        },
        SaveVisitorError::Contended => ApiError::Conflict {
            code: "concurrent_update",
            message: error.to_string(),
        },
        SaveVisitorError::Database(cause) => cause.into(),
    }
}

/// Query of `GET /api/v1/visitors`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    push_status: Option<String>,
}

/// `GET /api/v1/visitors?limit=&cursor=&push_status=`: newest first.
pub async fn list_visitors(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be from 1 to {MAX_PAGE_SIZE}"),
        ));
    }
    if let Some(status) = &query.push_status
        && !push_status::ALL.contains(&status.as_str())
    {
        return Err(ApiError::invalid(
            "push_status",
            format!("must be one of {}", push_status::ALL.join(", ")),
        ));
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = VisitorFilter {
        push_status: query.push_status,
        after,
        limit: limit + 1,
    };
    let mut visitors = state.db.list_visitors(&workspace.id, &filter).await?;
    let next_cursor = if visitors.len() as i64 > limit {
        visitors.truncate(limit as usize);
        visitors
            .last()
            .map(|last| encode_cursor(last.created_at, &last.id))
    } else {
        None
    };
    let views: Vec<VisitorView> = visitors
        .into_iter()
        .map(|visitor| VisitorView::new(visitor, None))
        .collect();
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "visitors": views, "next_cursor": next_cursor })))
}

fn encode_cursor(created_at: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{created_at}:{id}"))
}

fn decode_cursor(cursor: &str) -> Result<VisitorCursor, ApiError> {
    let invalid = || {
        ApiError::invalid(
            "cursor",
            "is not a cursor from next_cursor; start again without it",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (created_at, id) = text.split_once(':').ok_or_else(invalid)?;
    let created_at = created_at.parse().map_err(|_| invalid())?;
    Ok(VisitorCursor {
        created_at,
        id: id.to_string(),
    })
}

/// `GET /api/v1/visitors/{id}`: the visitor, its latest pages and its push
/// state. Another workspace's visitor is a 404.
pub async fn get_visitor(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let visitor_id = path.into_inner();
    let visitor = state
        .db
        .visitor(&workspace.id, &visitor_id)
        .await?
        .ok_or(ApiError::NotFound("visitor"))?;
    let pages = state.db.page_views(&visitor.id, PAGES_SHOWN).await?;
    Ok(HttpResponse::Ok().json(VisitorView::new(visitor, Some(pages))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_names_its_path() {
        let error = parse_body::<VisitorRequest>(
            serde_json::json!({"email": "a@b.co", "company": {"nme": "x"}}),
        )
        .expect_err("unknown field");
        assert_eq!(error.field, "company.nme");
        let error = parse_body::<VisitorRequest>(serde_json::json!({"mail": "a@b.co"}))
            .expect_err("unknown field");
        assert_eq!(error.field, "mail");
    }

    #[test]
    fn wrong_type_names_its_path() {
        let error = parse_body::<VisitorRequest>(
            serde_json::json!({"email": "a@b.co", "company": {"name": 5}}),
        )
        .expect_err("wrong type");
        assert_eq!(error.field, "company.name");
    }

    #[test]
    fn cursor_round_trips() {
        let cursor = decode_cursor(&encode_cursor(1_700_000_000_000, "abc")).expect("valid cursor");
        assert_eq!(
            cursor,
            VisitorCursor {
                created_at: 1_700_000_000_000,
                id: "abc".into()
            }
        );
        assert!(decode_cursor("???").is_err());
    }
}
