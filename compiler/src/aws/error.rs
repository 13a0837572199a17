//! What can go wrong talking to Step Functions, said so a user knows what to do: one variant per
//! cause a user can act on, codes `flowc::aws::*`.

use aws_sdk_sfn::error::DisplayErrorContext;
use aws_sdk_sfn::error::{ProvideErrorMetadata, SdkError};
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic, Clone, PartialEq, Eq)]
pub enum AwsError {
    #[error("no AWS region is configured")]
    #[diagnostic(
        code(flowc::aws::no_region),
        help("pass --region, set AWS_REGION, or give the profile a region (`aws configure`)")
    )]
    NoRegion,

    #[error("no AWS credentials were found for {action}")]
    #[diagnostic(
        code(flowc::aws::no_credentials),
        help(
            "flowc uses the SDK's standard chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, --profile or AWS_PROFILE in ~/.aws, SSO, web identity, container or instance roles. Detail: {detail}"
        )
    )]
    NoCredentials { action: String, detail: String },

    #[error("cannot reach the Step Functions endpoint for {action}")]
    #[diagnostic(
        code(flowc::aws::endpoint),
        help(
            "check the network, --endpoint-url / AWS_ENDPOINT_URL (a local emulator must be running) and the region. Detail: {detail}"
        )
    )]
    Endpoint { action: String, detail: String },

    #[error("access denied: {action} ({code}: {message})")]
    #[diagnostic(
        code(flowc::aws::access_denied),
        help(
            "the credentials in use lack the permission, or are not valid: grant states:{action} to the role or user, or use another --profile"
        )
    )]
    AccessDenied {
        action: String,
        code: String,
        message: String,
    },

    #[error(
        "throttled: {action} was refused as too many requests, after the SDK's retries ({message})"
    )]
    #[diagnostic(
        code(flowc::aws::throttled),
        help(
            "wait and run again, or allow more attempts with AWS_MAX_ATTEMPTS (the SDK retries throttling with backoff)"
        )
    )]
    Throttled { action: String, message: String },

    #[error("{action} failed: {code}: {message}")]
    #[diagnostic(
        code(flowc::aws::service),
        help("Step Functions refused the request; the message says why")
    )]
    Service {
        action: String,
        code: String,
        message: String,
    },
}

/// Error codes Step Functions and the SDK use for refused credentials or permissions.
const DENIED: [&str; 6] = [
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
];

/// Error codes for throttling.
const THROTTLED: [&str; 4] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

impl AwsError {
    /// The user-facing error of a failed SDK call for `action` (StartExecution, ...).
    pub fn from_sdk<E, R>(action: &str, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let action = action.to_string();
        let detail = DisplayErrorContext(&error).to_string();
        match &error {
            SdkError::ServiceError(service) => {
                let err = service.err();
                let code = err.code().unwrap_or("Unknown").to_string();
                let message = err.message().unwrap_or_default().to_string();
                if DENIED.contains(&code.as_str()) {
                    Self::AccessDenied {
                        action,
                        code,
                        message,
                    }
                } else if THROTTLED.contains(&code.as_str()) {
                    Self::Throttled { action, message }
                } else {
                    Self::Service {
                        action,
                        code,
                        message,
                    }
                }
            }
            _ if detail.contains("credentials") || detail.contains("identity") => {
                Self::NoCredentials { action, detail }
            }
            _ => Self::Endpoint { action, detail },
        }
    }
}
