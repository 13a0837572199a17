# The three Lambdas: Rust binaries named `bootstrap` on the provided.al2023 runtime, zipped by
# scripts/package-lambdas.sh into terraform/build/<function name>.zip. One resource per function
# (not for_each) so `terraform apply -target=aws_lambda_function.tenant_provisioning` updates one.

locals {
  package_dir = coalesce(var.lambda_package_dir, "${path.module}/build")

  # Each function gets exactly the variables its configuration reads (lambdas/tenant-core,
  # config.rs). The database reaches the provisioning Lambda only, as an endpoint without
  # credentials (DATABASE_URL) and the ARN of the master secret it reads them from.
  registration_environment = {
    TENANTS_TABLE        = aws_dynamodb_table.tenants.name
    REGISTRATIONS_TABLE  = aws_dynamodb_table.tenant_registrations.name
    STATE_MACHINE_ARN    = local.state_machine_arn
    COGNITO_USER_POOL_ID = var.cognito_user_pool_id
    RUST_LOG             = "info"
  }

  provisioning_environment = {
    TENANTS_TABLE           = aws_dynamodb_table.tenants.name
    ECS_CLUSTER_NAME        = var.ecs_cluster_name
    VPC_ID                  = var.vpc_id
    PRIVATE_SUBNET_IDS      = join(",", var.private_subnet_ids)
    SECURITY_GROUP_IDS      = module.tenant_provisioning.security_group_id
    ALB_ARN                 = var.alb_arn
    ALB_LISTENER_ARN        = local.listener_arn
    ROUTE53_ZONE_ID         = var.route53_zone_id
    DOMAIN_NAME             = var.domain_name
    DATABASE_URL            = var.database_url
    DATABASE_SECRET_ARN     = var.database_master_secret_arn
    BACKEND_IMAGE           = local.backend_image
    FRONTEND_IMAGE          = local.frontend_image
    COGNITO_USER_POOL_ID    = var.cognito_user_pool_id
    TASK_EXECUTION_ROLE_ARN = module.tenant_provisioning.task_execution_role_arn
    TASK_ROLE_ARN           = module.tenant_provisioning.task_role_arn
    TENANT_LOG_GROUP        = module.tenant_provisioning.log_group_name
    RUST_LOG                = "info"
  }

  status_checker_environment = {
    TENANTS_TABLE    = aws_dynamodb_table.tenants.name
    ECS_CLUSTER_NAME = var.ecs_cluster_name
    RUST_LOG         = "info"
  }
}

resource "aws_security_group" "lambda" {
  name        = "tenant-lambdas"
  description = "Tenant Lambdas: outbound only (AWS APIs over HTTPS, PostgreSQL in the VPC)"
  vpc_id      = var.vpc_id
}

# AWS API calls leave the private subnets through the VPC's NAT gateway or endpoints.
resource "aws_vpc_security_group_egress_rule" "lambda_https" {
  security_group_id = aws_security_group.lambda.id
  description       = "AWS APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "lambda_postgres" {
  security_group_id = aws_security_group.lambda.id
  description       = "PostgreSQL inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = data.aws_vpc.selected.cidr_block
}

resource "aws_cloudwatch_log_group" "lambda" {
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "tenant_registration" {
  function_name    = local.function_names.registration
  description      = "Validates a registration, creates the Cognito user and tenant records, starts provisioning"
  role             = aws_iam_role.registration.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.lambda_architecture]
  filename         = "${local.package_dir}/tenant-registration.zip"
  source_code_hash = filebase64sha256("${local.package_dir}/tenant-registration.zip")
  memory_size      = 256
  timeout          = 30

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = local.registration_environment
  }

  tracing_config {
    mode = "Active"
  }

  # The log group must exist first, or Lambda creates it without retention on the first call.
  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.registration]
}

resource "aws_lambda_function" "tenant_provisioning" {
  function_name    = local.function_names.provisioning
  description      = "The workflow's provisioning actions: schema, task definitions, target group, ALB rule, DNS, services"
  role             = aws_iam_role.provisioning.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.lambda_architecture]
  filename         = "${local.package_dir}/tenant-provisioning.zip"
  source_code_hash = filebase64sha256("${local.package_dir}/tenant-provisioning.zip")
  memory_size      = 256
  # create_schema and the ECS calls are each a few seconds; the state machine retries on top.
  timeout = 120

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = local.provisioning_environment
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.provisioning]
}

resource "aws_lambda_function" "tenant_status_checker" {
  function_name    = local.function_names.status_checker
  description      = "Answers healthy, unhealthy or pending for a tenant's backend or frontend service"
  role             = aws_iam_role.status_checker.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.lambda_architecture]
  filename         = "${local.package_dir}/tenant-status-checker.zip"
  source_code_hash = filebase64sha256("${local.package_dir}/tenant-status-checker.zip")
  memory_size      = 128
  timeout          = 30

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = local.status_checker_environment
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.status_checker]
}
