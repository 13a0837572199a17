# Offline tests of the configuration (`terraform test`, run by scripts/tf-validate.sh with
# -var-file=production.tfvars): a mocked AWS provider, so no account and no emulator. The real
# apply against moto's server is scripts/tf-local.sh; these pin down what the configuration
# itself decides (runtime, environment, logging, tracing, tables, alarms) and that bad inputs
# are refused at plan time.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_vpc" {
    defaults = { cidr_block = "10.0.0.0/16" }
  }
  mock_data "aws_lb" {
    defaults = { security_groups = ["sg-0a1b2c3d4e5f67890"] }
  }
  mock_data "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:339712855370:listener/app/moamalat-alb/25303afaeb8924d6/0f1e2d3c4b5a6978" }
  }
  # The provider checks ARN syntax even with mocks, and the definition test needs the two
  # workflow Lambdas to have distinct ARNs.
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mocked" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:tenant-provisioning-alarms" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioning-workflow" }
  }
  override_resource {
    target = aws_lambda_function.tenant_registration
    values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:tenant-registration" }
  }
  override_resource {
    target = aws_lambda_function.tenant_provisioning
    values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioning" }
  }
  override_resource {
    target = aws_lambda_function.tenant_status_checker
    values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:tenant-status-checker" }
  }
  # production.tfvars adopts the seed's existing registrations table (adopt.tf): as it is there.
  mock_data "aws_dynamodb_table" {
    defaults = { hash_key = "tenant_id", range_key = "" }
  }
  mock_data "aws_cloudwatch_log_groups" {
    defaults = { log_group_names = ["/aws/lambda/tenant-registration"] }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  cognito_user_pool_id       = "us-east-1_AbCdEf123"
  database_url               = "postgres://db.internal:5432/tenants?sslmode=verify-full"
  database_master_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123-AbCdEf"
}

run "production_values_deploy_the_seed_system" {
  command = apply
  # A mocked provider cannot import (adopt.tf); adoption is applied for real against moto by
  # scripts/tf-local.sh, which creates the existing table and function first.
  variables {
    adopt_existing_registration = false
  }

  assert {
    condition = alltrue([
      for fn in [aws_lambda_function.tenant_registration, aws_lambda_function.tenant_provisioning, aws_lambda_function.tenant_status_checker] :
      fn.runtime == "provided.al2023" && fn.handler == "bootstrap" && fn.tracing_config[0].mode == "Active"
    ])
    error_message = "every Lambda runs provided.al2023 with a bootstrap handler and active X-Ray tracing"
  }

  assert {
    condition     = toset(aws_lambda_function.tenant_provisioning.vpc_config[0].subnet_ids) == toset(["subnet-03b9c8ef4c78431c5", "subnet-01859110d63358d8f"])
    error_message = "the Lambdas run in the seed's private subnets"
  }

  assert {
    condition = alltrue([
      for key in ["TENANTS_TABLE", "ECS_CLUSTER_NAME", "VPC_ID", "PRIVATE_SUBNET_IDS", "SECURITY_GROUP_IDS", "ALB_ARN", "ALB_LISTENER_ARN", "ROUTE53_ZONE_ID", "DOMAIN_NAME", "DATABASE_URL", "DATABASE_SECRET_ARN", "BACKEND_IMAGE", "FRONTEND_IMAGE", "TASK_EXECUTION_ROLE_ARN", "TASK_ROLE_ARN", "TENANT_LOG_GROUP"] :
      try(aws_lambda_function.tenant_provisioning.environment[0].variables[key], "") != ""
    ])
    error_message = "the provisioning Lambda gets every variable its configuration reads"
  }

  assert {
    condition     = aws_lambda_function.tenant_registration.environment[0].variables["STATE_MACHINE_ARN"] == "arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioning-workflow"
    error_message = "STATE_MACHINE_ARN names the workflow the configuration creates"
  }

  assert {
    condition     = aws_lambda_function.tenant_provisioning.environment[0].variables["PRIVATE_SUBNET_IDS"] == "subnet-03b9c8ef4c78431c5,subnet-01859110d63358d8f"
    error_message = "PRIVATE_SUBNET_IDS is comma-separated"
  }

  assert {
    condition = (
      keys(aws_lambda_function.tenant_registration.environment[0].variables) == sort(["COGNITO_USER_POOL_ID", "REGISTRATIONS_TABLE", "RUST_LOG", "STATE_MACHINE_ARN", "TENANTS_TABLE"])
      && keys(aws_lambda_function.tenant_status_checker.environment[0].variables) == sort(["ECS_CLUSTER_NAME", "RUST_LOG", "TENANTS_TABLE"])
    )
    error_message = "registration and status checker get only what they read (no DATABASE_URL)"
  }

  assert {
    condition = (
      strcontains(aws_sfn_state_machine.tenant_provisioning.definition, aws_lambda_function.tenant_provisioning.arn)
      && strcontains(aws_sfn_state_machine.tenant_provisioning.definition, aws_lambda_function.tenant_status_checker.arn)
      && !strcontains(aws_sfn_state_machine.tenant_provisioning.definition, "$${")
    )
    error_message = "the definition calls both Lambdas by ARN and keeps no template placeholder"
  }

  assert {
    condition = (
      aws_sfn_state_machine.tenant_provisioning.logging_configuration[0].level == "ALL"
      && aws_sfn_state_machine.tenant_provisioning.logging_configuration[0].include_execution_data
      && aws_sfn_state_machine.tenant_provisioning.tracing_configuration[0].enabled
    )
    error_message = "the state machine logs everything with execution data and traces with X-Ray"
  }

  assert {
    condition = (
      aws_dynamodb_table.tenants.stream_enabled
      && aws_dynamodb_table.tenants.stream_view_type == "NEW_AND_OLD_IMAGES"
      && aws_dynamodb_table.tenants.point_in_time_recovery[0].enabled
      && aws_dynamodb_table.tenants.server_side_encryption[0].enabled
      && one([for i in aws_dynamodb_table.tenants.global_secondary_index : i.hash_key if i.name == "subdomain-index"]) == "subdomain"
      && aws_dynamodb_table.tenants.deletion_protection_enabled
    )
    error_message = "tenants: stream of new and old images, PITR, SSE, subdomain index, deletion protection"
  }

  assert {
    condition = (
      length(aws_cloudwatch_metric_alarm.lambda_errors) == 3
      && length(aws_cloudwatch_metric_alarm.lambda_throttles) == 3
      && length(aws_cloudwatch_metric_alarm.state_machine) == 2
      && alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.lambda_errors), values(aws_cloudwatch_metric_alarm.lambda_throttles), values(aws_cloudwatch_metric_alarm.state_machine)) : a.alarm_actions == toset([aws_sns_topic.alarms.arn])])
    )
    error_message = "errors and throttles of each Lambda, failed and timed-out executions, all to the topic"
  }

  assert {
    condition = alltrue([
      for a in values(aws_cloudwatch_metric_alarm.lambda_errors) :
      a.threshold == 20 && a.evaluation_periods == 3 && a.datapoints_to_alarm == 2
      && one([for q in a.metric_query : q.expression if q.return_data == true]) == "IF(errors >= 5, 100 * errors / invocations, 0)"
    ])
    error_message = "a Lambda's errors alarm needs 5 errors and 20% of its calls failing in 2 of 3 periods, not one user error"
  }

  assert {
    condition = alltrue([
      for a in values(aws_cloudwatch_metric_alarm.lambda_throttles) : a.evaluation_periods == 3 && a.datapoints_to_alarm == 2
      ]) && alltrue([
      for a in values(aws_cloudwatch_metric_alarm.state_machine) : a.threshold == 0 && a.evaluation_periods == 1
    ])
    error_message = "throttles alarm when they recur; every failed or timed-out execution alarms"
  }

  assert {
    condition     = alltrue([for g in values(aws_cloudwatch_log_group.lambda) : g.retention_in_days == 30]) && aws_cloudwatch_log_group.state_machine.retention_in_days == 30
    error_message = "every log group has the default 30-day retention"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alarm_email) == 0
    error_message = "no alarm subscription unless alarm_email is set"
  }
}

run "a_database_url_that_is_not_postgres_is_refused" {
  command = plan
  variables {
    database_url = "mysql://root@db:3306/tenants"
  }
  expect_failures = [var.database_url]
}

run "a_database_url_with_a_password_is_refused" {
  command = plan
  variables {
    database_url = "postgres://provisioner:secret@db.internal:5432/tenants"
  }
  expect_failures = [var.database_url]
}

run "the_master_secret_must_be_a_secret_arn" {
  command = plan
  variables {
    database_master_secret_arn = "postgres://provisioner:secret@db.internal/tenants"
  }
  expect_failures = [var.database_master_secret_arn]
}

run "a_malformed_user_pool_id_is_refused" {
  command = plan
  variables {
    cognito_user_pool_id = "not a pool"
  }
  expect_failures = [var.cognito_user_pool_id]
}

run "a_retention_cloudwatch_rejects_is_refused" {
  command = plan
  variables {
    log_retention_days = 31
  }
  expect_failures = [var.log_retention_days]
}

run "an_unknown_lambda_architecture_is_refused" {
  command = plan
  variables {
    lambda_architecture = "sparc"
  }
  expect_failures = [var.lambda_architecture]
}

run "no_subnets_is_refused" {
  command = plan
  variables {
    private_subnet_ids = []
  }
  expect_failures = [var.private_subnet_ids]
}

run "an_existing_registrations_table_keyed_otherwise_is_not_adopted" {
  command = plan
  override_data {
    target = data.aws_dynamodb_table.existing_registrations[0]
    values = { hash_key = "registration_id", range_key = "" }
  }
  expect_failures = [data.aws_dynamodb_table.existing_registrations[0]]
}

run "a_fresh_account_looks_up_nothing_existing" {
  command = plan
  variables {
    adopt_existing_registration = false
  }
  assert {
    condition     = length(data.aws_dynamodb_table.existing_registrations) == 0 && length(data.aws_cloudwatch_log_groups.existing_registration) == 0
    error_message = "without adoption nothing existing is looked up"
  }
}

run "an_error_alarm_that_cannot_fire_is_refused" {
  command = plan
  variables {
    lambda_error_alarm = { min_errors = 5, percent = 20, periods = 2, periods_to_alarm = 3 }
  }
  expect_failures = [var.lambda_error_alarm]
}
