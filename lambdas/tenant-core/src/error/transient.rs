//! Which AWS and PostgreSQL failures are transient: worth the workflow's retry (with backoff and
//! jitter) rather than marking the tenant FAILED at once.
//!
//! AWS: the SDK already retried the call (standard mode, 3 attempts) when its own classifiers
//! said so; we report as transient exactly what those classifiers retry, so the workflow's retry
//! takes over where the SDK's budget ended. The error codes are the SDK's own lists
//! (`aws_runtime::retries::classifiers`), not a copy. One addition, IAM propagation: ECS answers
//! `InvalidParameterException: Unable to assume the service linked role` while a fresh account's
//! AWSServiceRoleForECS propagates (the Terraform AWS provider retries exactly this message).
//! `AccessDenied` stays permanent: the workflow creates no IAM role, the Lambdas' roles exist
//! long before the first tenant, so an AccessDenied is a missing permission, and retrying it for
//! minutes would only delay the FAILED status and the alarm.
//!
//! PostgreSQL: class 40 (serialization_failure 40001, deadlock_detected 40P01), class 08
//! (connection exceptions), 57P01-57P03 (admin/crash shutdown, cannot_connect_now: a restart or
//! an RDS failover), 53300 too_many_connections; and, without a server error, a lost connection
//! or a socket failure (refused, reset, timed out: `connect_timeout` ends as a TimedOut).
//! Everything else (syntax, permissions, a bad URL, authentication) is permanent.

use std::io::ErrorKind;

use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use tokio_postgres::error::SqlState;

/// Whether an AWS SDK call's failure is one the SDK itself would retry (see the module doc).
pub(crate) fn aws_is_transient<E>(error: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    match error {
        // The request could not be built: the same request fails the same way every time.
        SdkError::ConstructionFailure(_) => false,
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        // `user` / `other` dispatch failures are configuration (e.g. no TLS roots): permanent.
        SdkError::DispatchFailure(failure) => failure.is_io() || failure.is_timeout(),
        SdkError::ServiceError(service) => {
            let code = error.code().unwrap_or_default();
            THROTTLING_ERRORS.contains(&code)
                || TRANSIENT_ERRORS.contains(&code)
                || matches!(service.raw().status().as_u16(), 500 | 502 | 503 | 504)
                || is_iam_propagation(code, error.message().unwrap_or_default())
        }
        // SdkError is non-exhaustive: an unknown kind is not known to be safe to repeat.
        _ => false,
    }
}

fn is_iam_propagation(code: &str, message: &str) -> bool {
    code == "InvalidParameterException"
        && message.contains("Unable to assume the service linked role")
}

/// Whether a PostgreSQL failure is transient (see the module doc).
pub(crate) fn postgres_is_transient(error: &tokio_postgres::Error) -> bool {
    if let Some(code) = error.code() {
        return sqlstate_is_transient(code);
    }
    if error.is_closed() {
        return true;
    }
    // Connect and I/O failures carry the socket's io::Error; parse/encode errors carry one too
    // (InvalidData / InvalidInput), which the kinds below leave permanent.
    let io = std::error::Error::source(error).and_then(|s| s.downcast_ref::<std::io::Error>());
    io.is_some_and(|io| {
        matches!(
            io.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::NotConnected
                | ErrorKind::BrokenPipe
                | ErrorKind::TimedOut
                | ErrorKind::UnexpectedEof
                | ErrorKind::AddrNotAvailable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkUnreachable
                | ErrorKind::Interrupted
        )
    })
}

pub(crate) fn sqlstate_is_transient(code: &SqlState) -> bool {
    let code = code.code();
    code.starts_with("08")
        || matches!(
            code,
            "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300"
        )
}

#[cfg(test)]
mod tests {
    use std::io;

    use aws_sdk_dynamodb::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_dynamodb::operation::get_item::GetItemError;
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::ActionError;

    type GetItemFailure = SdkError<GetItemError, HttpResponse>;

    /// A service error as the SDK builds it from a response: status and code (and message).
    fn service_error(status: u16, code: &str, message: &str) -> GetItemFailure {
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(status)
            .unwrap_or_else(|e| panic!("status {status}: {e}"));
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(
            GetItemError::generic(meta),
            HttpResponse::new(status, SdkBody::empty()),
        )
    }

    fn name(error: GetItemFailure) -> &'static str {
        ActionError::aws("DynamoDB", "GetItem", error).error_name()
    }

    #[test]
    fn throttling_codes_are_transient() {
        for code in [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "TooManyRequestsException",
            "PriorRequestNotComplete",
            "RequestLimitExceeded",
        ] {
            assert_eq!(
                name(service_error(400, code, "slow down")),
                "Tenant.AwsTransient",
                "{code}"
            );
        }
    }

    #[test]
    fn server_errors_and_request_timeouts_are_transient() {
        for status in [500, 502, 503, 504] {
            assert_eq!(
                name(service_error(status, "InternalServerError", "oops")),
                "Tenant.AwsTransient",
                "{status}"
            );
        }
        assert_eq!(
            name(service_error(408, "RequestTimeout", "")),
            "Tenant.AwsTransient"
        );
    }

    #[test]
    fn client_errors_are_permanent() {
        for code in [
            "AccessDeniedException",
            "ResourceNotFoundException",
            "ValidationException",
            "InvalidParameterException",
        ] {
            assert_eq!(
                name(service_error(400, code, "no")),
                "Tenant.AwsError",
                "{code}"
            );
        }
        assert_eq!(
            name(service_error(501, "NotImplemented", "")),
            "Tenant.AwsError"
        );
    }

    #[test]
    fn ecs_service_linked_role_still_propagating_is_transient() {
        let error = service_error(
            400,
            "InvalidParameterException",
            "Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
        );
        assert_eq!(name(error), "Tenant.AwsTransient");
    }

    #[test]
    fn timeouts_and_io_dispatch_failures_are_transient_user_ones_are_not() {
        let timeout = GetItemFailure::timeout_error(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(name(timeout), "Tenant.AwsTransient");
        let io_failure = GetItemFailure::dispatch_failure(ConnectorError::io(Box::new(
            io::Error::from(io::ErrorKind::ConnectionReset),
        )));
        assert_eq!(name(io_failure), "Tenant.AwsTransient");
        let connect_timeout = GetItemFailure::dispatch_failure(ConnectorError::timeout(Box::new(
            io::Error::from(io::ErrorKind::TimedOut),
        )));
        assert_eq!(name(connect_timeout), "Tenant.AwsTransient");
        let user = GetItemFailure::dispatch_failure(ConnectorError::user(Box::new(
            io::Error::other("invalid endpoint"),
        )));
        assert_eq!(name(user), "Tenant.AwsError");
        let construction =
            GetItemFailure::construction_failure(io::Error::other("missing table name"));
        assert_eq!(name(construction), "Tenant.AwsError");
    }

    #[test]
    fn serialization_deadlock_connection_and_restart_sqlstates_are_transient() {
        for code in [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::CONNECTION_EXCEPTION,
            SqlState::CONNECTION_FAILURE,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
        ] {
            assert!(sqlstate_is_transient(&code), "{}", code.code());
        }
    }

    #[test]
    fn other_sqlstates_are_permanent() {
        for code in [
            SqlState::INSUFFICIENT_PRIVILEGE,
            SqlState::SYNTAX_ERROR,
            SqlState::DUPLICATE_OBJECT,
            SqlState::INVALID_PASSWORD,
            SqlState::UNIQUE_VIOLATION,
            SqlState::INTERNAL_ERROR,
        ] {
            assert!(!sqlstate_is_transient(&code), "{}", code.code());
        }
    }

    /// A free loopback port: bound, then released, so a connect to it is refused.
    fn closed_port() -> u16 {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"))
            .port()
    }

    async fn connect_error(url: &str) -> tokio_postgres::Error {
        match tokio_postgres::connect(url, tokio_postgres::NoTls).await {
            Ok(_) => panic!("{url}: connected, expected a failure"),
            Err(e) => e,
        }
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_transient_database_error() {
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", closed_port());
        let error = ActionError::database("connect", &connect_error(&url).await);
        assert_eq!(error.error_name(), "Tenant.DatabaseTransient", "{error}");
    }

    #[tokio::test]
    async fn a_server_hanging_up_during_startup_is_a_transient_database_error() {
        // What a restarting server or a failing-over endpoint does: accept, then close.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"))
            .port();
        let hang_up = tokio::spawn(async move { drop(listener.accept().await) });
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let error = ActionError::database("connect", &connect_error(&url).await);
        hang_up.abort();
        assert_eq!(error.error_name(), "Tenant.DatabaseTransient", "{error}");
    }

    #[tokio::test]
    async fn a_malformed_database_url_is_permanent() {
        let error =
            ActionError::database("connect", &connect_error("postgres://h:notaport/db").await);
        assert_eq!(error.error_name(), "Tenant.DatabaseError", "{error}");
    }
}
