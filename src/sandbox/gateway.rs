//! The middleware every sandbox request passes: statistics, the request
//! log, injected faults, authentication, rate limits and the correlation
//! header.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::auth::{self, Principal};
use super::control::RequestRecord;
use super::errors::{ApiError, CORRELATION_HEADER};
use super::faults::FaultAction;
use super::ids;
use super::rate_limit::BurstStatus;
use super::state::SharedSandbox;

/// Rate-limit headers to add to a successful authentication.
struct LimitHeaders {
    burst: Option<BurstStatus>,
    daily: Option<(u32, u32)>,
}

/// The middleware function installed with `actix_web::middleware::from_fn`.
pub(crate) async fn gateway(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = request.path().to_string();
    if path.starts_with("/_sandbox/") || path == "/_sandbox" {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let sandbox = request
        .app_data::<web::Data<SharedSandbox>>()
        .expect("the sandbox state is registered as app data")
        .get_ref()
        .clone();
    let method = request.method().to_string();
    let route = request
        .match_pattern()
        .map(|pattern| plain_template(&pattern));
    let endpoint = format!("{method} {}", route.as_deref().unwrap_or(&path));
    let fault = {
        let mut traffic = sandbox.traffic();
        traffic.count(&endpoint);
        traffic.take_fault(&method, &path, route.as_deref())
    };

    let (mut response, portal_id) =
        serve(&sandbox, request, next, route.as_deref(), &endpoint, fault).await?;
    set_json_charset(&mut response);
    if !response.headers().contains_key(CORRELATION_HEADER) {
        let value =
            HeaderValue::from_str(&ids::correlation_id()).expect("a UUID is a valid header value");
        response
            .headers_mut()
            .insert(HeaderName::from_static(CORRELATION_HEADER), value);
    }
    // Token metadata and revocation paths carry a token, so the log keeps
    // their route template instead.
    let logged_path = match &route {
        Some(template) if template.contains("{token}") => template.clone(),
        _ => path,
    };
    sandbox.traffic().record(RequestRecord {
        method,
        path: logged_path,
        route,
        status: response.status().as_u16(),
        time: ids::iso_ms(ids::now_ms()),
        portal_id,
    });
    Ok(response)
}

/// Applies a fault or authenticates and runs the request. Returns the
/// response and the portal of the token that authenticated it.
async fn serve(
    sandbox: &SharedSandbox,
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    route: Option<&str>,
    endpoint: &str,
    fault: Option<FaultAction>,
) -> Result<(ServiceResponse<BoxBody>, Option<u64>), Error> {
    let mut delay_after = None;
    match fault {
        Some(FaultAction::Respond(error)) => return Ok((request.error_response(error), None)),
        Some(FaultAction::DelayBefore(delay_ms)) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            let error = ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "",
                "The request timed out before it was processed.",
            );
            return Ok((request.error_response(error), None));
        }
        Some(FaultAction::DelayAfter(delay_ms)) => delay_after = Some(delay_ms),
        None => {}
    }

    let mut limit_headers = None;
    let mut portal_id = None;
    if needs_authentication(request.path(), route) {
        let principal = match auth::authenticate(sandbox, &request) {
            Ok(principal) => principal,
            Err(error) => return Ok((request.error_response(error), None)),
        };
        portal_id = Some(principal.portal_id);
        sandbox
            .traffic()
            .count_for_portal(principal.portal_id, endpoint);
        let is_search = route.is_some_and(|route| route.ends_with("/search"));
        match admit(sandbox, &principal, is_search) {
            Ok(headers) => limit_headers = Some(headers),
            Err(error) => return Ok((request.error_response(error), portal_id)),
        }
        request.extensions_mut().insert(principal);
    }

    let mut response = next.call(request).await?.map_into_boxed_body();
    if let Some(headers) = limit_headers {
        add_limit_headers(&mut response, &headers);
    }
    if let Some(delay_ms) = delay_after {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    Ok((response, portal_id))
}

/// API calls need a bearer token; OAuth endpoints, unknown paths and the
/// control API do not.
fn needs_authentication(path: &str, route: Option<&str>) -> bool {
    route.is_some() && !path.starts_with("/oauth/")
}

/// Applies the search limit (search calls) or the burst and daily limits
/// (every other call).
fn admit(
    sandbox: &SharedSandbox,
    principal: &Principal,
    is_search: bool,
) -> Result<LimitHeaders, ApiError> {
    let settings = sandbox.settings();
    let now = ids::now_ms();
    let mut traffic = sandbox.traffic();
    let portal = principal.portal_id;
    if is_search {
        let admitted = traffic.limiter.admit(
            &format!("search:{portal}"),
            settings.search_limit_per_second,
            1000,
            now,
        );
        return match admitted {
            Some(_) => Ok(LimitHeaders {
                burst: None,
                daily: None,
            }),
            None => Err(ApiError::rate_limited(
                "SECONDLY",
                &format!("publicapi:crm-search-secondly:{portal}"),
            )),
        };
    }
    let limit = if principal.is_private_app {
        settings.private_app_burst_limit
    } else {
        settings.burst_limit
    };
    let Some(burst) =
        traffic
            .limiter
            .admit(&principal.rate_key, limit, settings.burst_interval_ms, now)
    else {
        return Err(ApiError::rate_limited(
            "TEN_SECONDLY_ROLLING",
            &format!("publicapi:{}", principal.rate_key),
        ));
    };
    let mut daily = None;
    if principal.is_private_app {
        let daily_limit = settings.private_app_daily_limit;
        let Some(remaining) =
            traffic
                .limiter
                .admit_daily(&format!("daily:{portal}"), daily_limit, now)
        else {
            return Err(ApiError::rate_limited(
                "DAILY",
                &format!("publicapi:daily:{portal}"),
            ));
        };
        daily = Some((daily_limit, remaining));
    }
    Ok(LimitHeaders {
        burst: Some(burst),
        daily,
    })
}

fn add_limit_headers(response: &mut ServiceResponse<BoxBody>, headers: &LimitHeaders) {
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    if let Some(burst) = headers.burst {
        pairs.push(("x-hubspot-ratelimit-max", burst.max.to_string()));
        pairs.push(("x-hubspot-ratelimit-remaining", burst.remaining.to_string()));
        pairs.push((
            "x-hubspot-ratelimit-interval-milliseconds",
            burst.interval_ms.to_string(),
        ));
    }
    if let Some((limit, remaining)) = headers.daily {
        pairs.push(("x-hubspot-ratelimit-daily", limit.to_string()));
        pairs.push(("x-hubspot-ratelimit-daily-remaining", remaining.to_string()));
    }
    for (name, value) in pairs {
        let value = HeaderValue::from_str(&value).expect("a number is a valid header value");
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
}

/// HubSpot sends JSON as `application/json;charset=utf-8`.
fn set_json_charset(response: &mut ServiceResponse<BoxBody>) {
    let headers = response.headers_mut();
    let is_plain_json = headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == b"application/json");
    if is_plain_json {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
    }
}

/// Strips regular expressions from a route pattern, so that
/// `/book/{slug:.*}` reads `/book/{slug}` in statistics and fault matching.
fn plain_template(pattern: &str) -> String {
    let mut template = String::with_capacity(pattern.len());
    let mut in_regex = false;
    for character in pattern.chars() {
        match character {
            ':' if template.ends_with(|last: char| last.is_alphanumeric())
                && inside_braces(&template) =>
            {
                in_regex = true
            }
            '}' if in_regex => {
                in_regex = false;
                template.push('}');
            }
            _ if in_regex => {}
            _ => template.push(character),
        }
    }
    template
}

/// Checks whether the text so far ends inside an open `{...}`.
fn inside_braces(text: &str) -> bool {
    text.rfind('{')
        .is_some_and(|open| text.rfind('}').is_none_or(|close| close < open))
}
