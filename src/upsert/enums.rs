//! Enumeration values: a visitor's `"Computer Software"` becomes the
//! portal's internal value `COMPUTER_SOFTWARE`. Property definitions are
//! read once per workspace, portal and property, then cached.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use super::crm::{CrmApi, CrmError, CrmObject, PropertyDefinition, PropertyOption};

/// How long a property definition is trusted before it is read again.
const DEFINITION_TTL: Duration = Duration::from_secs(10 * 60);

type DefinitionKey = (String, i64, CrmObject, String);

/// Cached property definitions, shared by all push workers. Concurrent
/// misses for one key make one HubSpot call.
#[derive(Clone)]
pub struct PropertyCache {
    definitions: Cache<DefinitionKey, Arc<Option<PropertyDefinition>>>,
}

impl std::fmt::Debug for PropertyCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PropertyCache")
            .field("entries", &self.definitions.entry_count())
            .finish()
    }
}

impl Default for PropertyCache {
    fn default() -> Self {
        Self {
            definitions: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(DEFINITION_TTL)
                .build(),
        }
    }
}

impl PropertyCache {
    /// Returns the definition of `object.name` in the workspace's portal,
    /// or `None` when the portal has no such property.
    pub async fn definition<C: CrmApi>(
        &self,
        crm: &C,
        workspace_id: &str,
        portal_id: i64,
        object: CrmObject,
        name: &str,
    ) -> Result<Arc<Option<PropertyDefinition>>, CrmError> {
        let key = (
            workspace_id.to_string(),
            portal_id,
            object,
            name.to_string(),
        );
        self.definitions
            .try_get_with(key, async {
                crm.get_property(workspace_id, object, name)
                    .await
                    .map(Arc::new)
            })
            .await
            .map_err(|error| (*error).clone())
    }

    /// Forgets a definition, after HubSpot rejected a value it allowed.
    pub async fn forget(&self, workspace_id: &str, portal_id: i64, object: CrmObject, name: &str) {
        let key = (
            workspace_id.to_string(),
            portal_id,
            object,
            name.to_string(),
        );
        self.definitions.invalidate(&key).await;
    }
}

/// Finds the option `input` names: its internal value (any case), its label
/// (any case), or either written with spaces and dashes in place of `_`.
pub fn match_option(input: &str, options: &[PropertyOption]) -> Option<String> {
    let wanted = normalise(input);
    let exact = options.iter().find(|option| option.value == input.trim());
    let loose = || {
        options
            .iter()
            .find(|option| normalise(&option.value) == wanted || normalise(&option.label) == wanted)
    };
    exact.or_else(loose).map(|option| option.value.clone())
}

/// Upper case with every run of non-alphanumeric characters as one `_`;
/// `&` becomes `AND` because HubSpot's values spell it out.
fn normalise(text: &str) -> String {
    let mut normalised = String::with_capacity(text.len());
    let spelled = text.replace('&', " and ");
    for word in spelled
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !normalised.is_empty() {
            normalised.push('_');
        }
        normalised.push_str(&word.to_uppercase());
    }
    normalised
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Vec<PropertyOption> {
        [
            ("COMPUTER_SOFTWARE", "Computer Software"),
            ("FOOD_BEVERAGES", "Food & Beverages"),
            ("IN_PROGRESS", "In Progress"),
            ("salesqualifiedlead", "Sales Qualified Lead"),
        ]
        .into_iter()
        .map(|(value, label)| PropertyOption {
            value: value.into(),
            label: label.into(),
            hidden: false,
        })
        .collect()
    }

    #[test]
    fn labels_map_to_internal_values() {
        let cases = [
            ("Computer Software", "COMPUTER_SOFTWARE"),
            ("computer-software", "COMPUTER_SOFTWARE"),
            ("COMPUTER_SOFTWARE", "COMPUTER_SOFTWARE"),
            ("Food & Beverages", "FOOD_BEVERAGES"),
            ("in progress", "IN_PROGRESS"),
            ("Sales qualified lead", "salesqualifiedlead"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                match_option(input, &options()).as_deref(),
                Some(expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn unknown_option_is_none() {
        assert_eq!(match_option("Technology", &options()), None);
    }
}
