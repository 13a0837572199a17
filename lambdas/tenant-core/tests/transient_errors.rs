//! Transient and permanent failures produced by the real services, classified by
//! `ActionError::aws` / `ActionError::database` as the actions do (error/transient.rs): a
//! serialization failure from two concurrent transactions on the test PostgreSQL, a missing
//! table from moto's DynamoDB, an unreachable endpoint from the SDK itself.

mod support;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use support::{TestResult, servers, unique_subdomain};
use tenant_core::{ActionError, AwsClients};
use tokio_postgres::NoTls;

async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serialization_failure_from_postgres_is_transient_a_missing_table_permanent() -> TestResult
{
    let url = &servers().admin_url;
    let (first, second) = (connect(url).await?, connect(url).await?);
    let table = unique_subdomain("serial").replace('-', "_");
    first
        .batch_execute(&format!(
            "CREATE TABLE {table} (id int PRIMARY KEY, v int); INSERT INTO {table} VALUES (1, 0)"
        ))
        .await?;
    // `first` takes its snapshot, `second` commits an update of the row, then `first` updates
    // the same row: REPEATABLE READ refuses with 40001.
    first
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT v FROM {table} WHERE id = 1"
        ))
        .await?;
    second
        .batch_execute(&format!("UPDATE {table} SET v = 1 WHERE id = 1"))
        .await?;
    let refused = first
        .batch_execute(&format!("UPDATE {table} SET v = 2 WHERE id = 1"))
        .await
        .err()
        .ok_or("the conflicting update was accepted")?;
    let error = ActionError::database("UPDATE", &refused);
    assert_eq!(error.error_name(), "Tenant.DatabaseTransient", "{error}");
    assert!(error.to_string().contains("40001"), "{error}");
    first.batch_execute("ROLLBACK").await?;

    let missing = first
        .batch_execute("SELECT * FROM no_such_table_anywhere")
        .await
        .err()
        .ok_or("a missing table was found")?;
    let error = ActionError::database("SELECT", &missing);
    assert_eq!(error.error_name(), "Tenant.DatabaseError", "{error}");
    assert!(error.to_string().contains("42P01"), "{error}");
    first.batch_execute(&format!("DROP TABLE {table}")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_from_moto_is_permanent() -> TestResult {
    let clients = servers().clients().await;
    let missing = clients
        .dynamodb
        .get_item()
        .table_name("no-such-table")
        .key("pk", AttributeValue::S("x".to_owned()))
        .send()
        .await
        .err()
        .ok_or("moto found a table that does not exist")?;
    let error = ActionError::aws("DynamoDB", "GetItem", missing);
    assert_eq!(error.error_name(), "Tenant.AwsError", "{error}");
    assert!(
        error.to_string().contains("ResourceNotFoundException"),
        "{error}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_transient() -> TestResult {
    // A loopback port nobody listens on: the connection is refused, a dispatch failure.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        // One attempt: the SDK's own backoff would only add real seconds here.
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .http_client(tenant_core::clients::https_client())
        .load()
        .await;
    let clients = AwsClients::from_sdk_config(&config);
    let refused = clients
        .dynamodb
        .get_item()
        .table_name("tenants")
        .key("pk", AttributeValue::S("x".to_owned()))
        .send()
        .await
        .err()
        .ok_or("a closed port answered")?;
    let error = ActionError::aws("DynamoDB", "GetItem", refused);
    assert_eq!(error.error_name(), "Tenant.AwsTransient", "{error}");
    Ok(())
}
