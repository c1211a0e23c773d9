/// Invalid input: the field path (`company.domain`) and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Dotted path of the field in the request body.
    pub field: String,
    /// The problem and its fix.
    pub message: String,
}

impl FieldError {
    /// Builds an error on `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<FieldError> for crate::error::ApiError {
    fn from(error: FieldError) -> Self {
        crate::error::ApiError::invalid(error.field, error.message)
    }
}
